/**
 * An install without a working decoder (SHIGUANG_FFMPEG naming a file that is not there): probing
 * a video, sampling its frames and taking one frame each say 'decoder-missing' — "try again when
 * the decoder is back", not "this video is bad" — and start no process. In a file of its own: the
 * tools are resolved once per process, and every other video test needs the real ones.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VideoError } from '../../electron/engine/video/errors.ts';
import { frameAt, sampleFrames } from '../../electron/engine/video/frames.ts';
import { probeVideo, type VideoProbe } from '../../electron/engine/video/probe.ts';
import { childProcesses, SPEC } from './video-helpers.ts';
import { rejectionOf } from '../support/rejection.ts';

const SAMPLE = path.resolve('test/fixtures/video/sample.mp4');
/** A probe as ffprobe would have answered for a small H.264 clip, so the frame calls get past it. */
const PROBE: VideoProbe = {
  container: 'mov,mp4,m4a,3gp,3g2,mj2',
  durationS: 1,
  video: { codec: 'h264', profile: null, codedWidth: 320, codedHeight: 240, width: 320, height: 240, rotation: 0, fps: 30, variableFrameRate: false, frames: 30, pixelFormat: 'yuv420p' },
  audioCodec: null,
  createdAtMs: null,
  createdAtOffsetMin: null,
  location: null,
  make: null,
  model: null,
  contentIdentifier: null,
  captureFps: null,
};

let saved: string | undefined;
beforeAll(() => {
  saved = process.env.SHIGUANG_FFMPEG;
  process.env.SHIGUANG_FFMPEG = path.resolve('test/fixtures/video/no-such-ffmpeg');
});
afterAll(() => {
  if (saved === undefined) delete process.env.SHIGUANG_FFMPEG;
  else process.env.SHIGUANG_FFMPEG = saved;
});

const failure = (p: Promise<unknown>): Promise<VideoError> => rejectionOf(p, VideoError);

describe('without a decoder', () => {
  it('probing a real video says decoder-missing, retryable, naming the setting', async () => {
    const err = await failure(probeVideo(SAMPLE));
    expect(err.reason).toBe('decoder-missing');
    expect(err.retryable).toBe(true);
    expect(err.message).toContain('SHIGUANG_FFMPEG');
    expect(childProcesses()).toEqual([]);
  });

  it('sampling frames and taking one frame say the same', async () => {
    const sampling = (async () => {
      for await (const _ of sampleFrames(SAMPLE, PROBE, { spec: SPEC })) void _;
    })();
    expect((await failure(sampling)).reason).toBe('decoder-missing');
    expect((await failure(frameAt(SAMPLE, PROBE, 0.5, 256))).reason).toBe('decoder-missing');
    expect(childProcesses()).toEqual([]);
  });
});
