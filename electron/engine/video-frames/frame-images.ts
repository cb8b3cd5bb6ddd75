/**
 * The pictures people see of a video: a JPEG of every sampled frame, written by the video pass
 * while it has the frame in hand (one sharp resize: 7 ms of CPU for a 1080p frame, against ~590 ms
 * for the ViT-B/16 encoder; docs/decisions/video.md), so a result tile shows the frame its segment matched on without
 * starting a decoder. The video's own thumbnail (its poster) is the stored frame nearest
 * posterTime. Keyed by content hash and time, like photo thumbnails: a moved video keeps them, an
 * edited one gets new ones. A frame missing from the cache (cleared, or a time between samples) is
 * decoded once with frameAt and kept.
 */
import fs from 'node:fs';
import path from 'node:path';
import { makeThumbnailFromRaster } from '../media/thumbnail.ts';
import type { Raster } from '../media/decode.ts';
import { frameAt } from '../video/frames.ts';
import { probeVideo } from '../video/probe.ts';

/** The same size rule as photo thumbnails (media-cache.ts). */
export const FRAME_IMAGE_MAX_SIDE = 384;

export class FrameImages {
  private readonly inFlight = new Map<string, Promise<string>>();

  /** `dir`: inside the thumbnail cache, which the media guard serves thumbnails from. */
  constructor(readonly dir: string) {}

  pathFor(hash: string, tS: number): string {
    const key = hash.slice(0, 40);
    return path.join(this.dir, key.slice(0, 2), key, `${Math.round(tS * 1000)}.jpg`);
  }

  /** Writes the frame's JPEG (the pass, with the frame in hand); an existing one is kept. */
  async write(hash: string, tS: number, rgb: Raster): Promise<void> {
    const out = this.pathFor(hash, tS);
    if (!fs.existsSync(out)) await makeThumbnailFromRaster(rgb, out, FRAME_IMAGE_MAX_SIDE);
  }

  /**
   * The JPEG for time `tS` of a video whose stored frames are at `times`: the nearest stored one,
   * or, when it is not in the cache, that frame decoded from `source` (a path already checked
   * against the library roots) and kept.
   */
  async resolve(source: string, hash: string, times: readonly number[], tS: number): Promise<string> {
    const at = nearest(times, tS) ?? tS;
    const out = this.pathFor(hash, at);
    if (fs.existsSync(out)) return out;
    let job = this.inFlight.get(out);
    if (!job) {
      job = (async () => {
        const probe = await probeVideo(source);
        const frame = await frameAt(source, probe, at, FRAME_IMAGE_MAX_SIDE);
        await makeThumbnailFromRaster(frame, out, FRAME_IMAGE_MAX_SIDE);
        return out;
      })().finally(() => this.inFlight.delete(out));
      this.inFlight.set(out, job);
    }
    return job;
  }
}

/** The value of `times` nearest `t` (the earlier on a tie), or undefined when there is none. */
export function nearest(times: readonly number[], t: number): number | undefined {
  let best: number | undefined;
  for (const x of times) if (best === undefined || Math.abs(x - t) < Math.abs(best - t)) best = x;
  return best;
}
