/**
 * One video, as the per-video pass reads it: settled (not being copied) → probed → frames sampled
 * and handed to `onFrame` one at a time (awaited: a slow encoder slows the decoder, memory stays at
 * one frame) → still unchanged at the end. The pass stores the frames' vectors only when this
 * resolves; a VideoError says why not (see errors.ts; `retryable` ones are left for later, the
 * rest are recorded skips). The entry point the lead wires into the pass scheduler.
 */
import type { PreprocessSpec } from '../media/decode.ts';
import { sampleFrames, type SampledFrame, type SampleOptions } from './frames.ts';
import { probeVideo, type VideoProbe } from './probe.ts';
import { assertUnchanged, QUIET_MS, settledState } from './settled.ts';

export interface ReadVideoOptions extends Omit<SampleOptions, 'spec'> {
  spec: PreprocessSpec;
  onFrame: (frame: SampledFrame) => Promise<void> | void;
  /** A file modified more recently than this is still being written (default QUIET_MS). */
  quietMs?: number;
  probeTimeoutMs?: number;
}

export interface ReadVideoResult {
  probe: VideoProbe;
  frames: number;
  /** The probe's duration, or the last frame's time when the container has none. */
  durationS: number;
}

export async function readVideo(file: string, opts: ReadVideoOptions): Promise<ReadVideoResult> {
  const before = await settledState(file, opts.quietMs ?? QUIET_MS);
  const probe = await probeVideo(file, { signal: opts.signal, timeoutMs: opts.probeTimeoutMs });
  let frames = 0;
  let lastT = 0;
  for await (const f of sampleFrames(file, probe, opts)) {
    await opts.onFrame(f);
    frames++;
    lastT = f.t;
  }
  // A file that grew or was rewritten while we read it is read again once it is quiet.
  await assertUnchanged(file, before);
  return { probe, frames, durationS: probe.durationS > 0 ? probe.durationS : lastT };
}
