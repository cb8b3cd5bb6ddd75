/**
 * The registered per-photo passes, in one place: adding a pass is its own folder (a PhotoPass,
 * passes/pass.ts) plus one line here. The scheduler runs them by priority (passes/scheduler.ts).
 */
import type { OcrService } from './ocr/ocr-service.ts';
import type { PhotoPass } from './passes/pass.ts';
import { StacksPass, type StacksPassDeps } from './stacks/stacks-pass.ts';
import { PlacesPass } from './places/places-pass.ts';
import type { Library } from './store/library.ts';
import type { TagService } from './tags/service.ts';
import { TagsPass } from './tags/tags-pass.ts';
import type { VideoFramesPass } from './video-frames/video-pass.ts';

export interface PassDeps {
  lib: Library;
  tags: TagService;
  ocr: OcrService;
  /** Zero-shot tags of new photos (one-shot commands that only read turn it off). */
  autoTag: boolean;
  /** Videos' frames (engine/video-frames/). */
  videos: VideoFramesPass;
  /** The serving model's vectors and stack thresholds, and the log (stacks). */
  stacks: Omit<StacksPassDeps, 'lib'>;
}

export function registeredPasses(d: PassDeps): PhotoPass[] {
  return [
    new PlacesPass(d.lib),
    new TagsPass(d.tags, d.lib.passState, { enabled: () => d.autoTag }),
    d.ocr.pass,
    d.videos,
    new StacksPass({ lib: d.lib, ...d.stacks }),
  ];
}
