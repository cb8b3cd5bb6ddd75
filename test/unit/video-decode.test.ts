/**
 * The video decoder as the indexer will use it, on real files from AndroidX Media's test data
 * (test/fixtures/video/README.md) and on clips Debian's ffmpeg makes for the cases no camera file
 * shows on demand (scripts/fixtures/video-clips.ts). After every test no decoder process is left.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { preprocess } from '../../electron/engine/media/decode.ts';
import { makeThumbnailFromRaster } from '../../electron/engine/media/thumbnail.ts';
import sharp from 'sharp';
import { probeVideo, type VideoProbe } from '../../electron/engine/video/probe.ts';
import { ffmpegFrameArgs, frameAt, posterTime, SAMPLING_DEFAULTS, sampleFrames, type SampledFrame, type SampleOptions } from '../../electron/engine/video/frames.ts';
import { liveToolProcesses, ToolProcess, ToolRunError, videoTools } from '../../electron/engine/video/ffmpeg.ts';
import { VideoError } from '../../electron/engine/video/errors.ts';
import { locateMotionPhotoVideo } from '../../electron/engine/video/motion-photo.ts';
import { assertUnchanged, settledState } from '../../electron/engine/video/settled.ts';
import { readVideo } from '../../electron/engine/video/read-video.ts';
import { makeClip, truncatedCopy } from '../../scripts/fixtures/video-clips.ts';
import { childProcesses, groupMembers, meanColour, SPEC, tensorDistance, until } from './video-helpers.ts';

const FIX = path.resolve('test/fixtures/video');
const fx = (f: string) => path.join(FIX, f);
const systemFfmpeg = process.env.SHIGUANG_SYSTEM_FFMPEG ?? 'ok';
const canMakeClips = systemFfmpeg === 'ok';
let tmp: string;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-video-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
afterEach(() => {
  // Never a decoder left behind, whatever the test did.
  expect(liveToolProcesses()).toEqual([]);
  expect(childProcesses()).toEqual([]);
});

async function collect(file: string, opts: Partial<SampleOptions> = {}, probe?: VideoProbe): Promise<SampledFrame[]> {
  const p = probe ?? (await probeVideo(file));
  const out: SampledFrame[] = [];
  for await (const f of sampleFrames(file, p, { spec: SPEC, ...opts })) out.push(f);
  return out;
}

async function reason(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof VideoError) return `${err.reason}: ${err.message}`;
    throw err;
  }
  return 'no error';
}

describe('probe, on real camera and encoder files', () => {
  it('reads an H.264 MP4: size, rate, creation_time and the ©xyz place', async () => {
    const p = await probeVideo(fx('sample.mp4'));
    expect(p.video).toMatchObject({ codec: 'h264', width: 1080, height: 720, rotation: 0, frames: 30, variableFrameRate: false });
    expect(p.video!.fps).toBeCloseTo(29.97, 2);
    expect(p.durationS).toBeCloseTo(1.067, 3);
    expect(p.audioCodec).toBe('aac');
    expect(new Date(p.createdAtMs!).toISOString()).toBe('2016-05-31T17:01:35.000Z');
    expect(p.location).toEqual({ latitude: 40.68, longitude: -74.5, altitude: null });
  });

  it("reads an iPhone clip: HEVC 10-bit, portrait by its display matrix, Apple's place, model and local time", async () => {
    const p = await probeVideo(fx('dolbyVision-hdr.MOV'));
    expect(p.video).toMatchObject({ codec: 'hevc', codedWidth: 1280, codedHeight: 720, width: 720, height: 1280, rotation: 90, pixelFormat: 'yuv420p10le' });
    expect(p.location).toEqual({ latitude: 51.5334, longitude: -0.1255, altitude: 26.756 });
    expect([p.make, p.model, p.createdAtOffsetMin]).toEqual(['Apple', 'iPhone 14 Pro', 60]);
    expect(new Date(p.createdAtMs!).toISOString()).toBe('2023-05-09T11:41:46.000Z');
  });

  it('reads an Android slow-motion clip: capture rate 240 and a variable frame rate', async () => {
    const p = await probeVideo(fx('sample_android_slow_motion.mp4'));
    expect(p.captureFps).toBe(240);
    expect(p.video!.variableFrameRate).toBe(true);
  });

  it('knows VP9 in WebM, AV1, H.263 in 3GP', async () => {
    expect((await probeVideo(fx('bear-vp9.webm'))).video).toMatchObject({ codec: 'vp9', width: 320, height: 240 });
    expect((await probeVideo(fx('bear-vp9.webm'))).container).toBe('matroska,webm');
    expect((await probeVideo(fx('sample_av1.mp4'))).video!.codec).toBe('av1');
    expect((await probeVideo(fx('bbb_176x144_128kbps_15fps_h263.3gp'))).video).toMatchObject({ codec: 'h263', width: 176, height: 144 });
  });
});

describe('frames', () => {
  it('decodes every codec of the fixtures (H.264, HEVC 8/10-bit, AV1, VP9, H.263) as another ffmpeg build does', async () => {
    for (const f of ['sample.mp4', 'h265_bframes.mp4', 'dolbyVision-hdr.MOV', 'sample_av1.mp4', 'bear-vp9.webm', 'bbb_176x144_128kbps_15fps_h263.3gp']) {
      const frames = await collect(fx(f));
      expect(frames.length, f).toBeGreaterThanOrEqual(1);
      expect(frames[0]).toMatchObject({ t: 0, reason: 'first' });
      for (const fr of frames) expect(fr.tensor.length).toBe(3 * 224 * 224);
      if (!canMakeClips) continue;
      // Debian's ffmpeg 5.1 (dav1d for AV1, its own HEVC/VP9 builds) saves the first frame as PNG;
      // the photo path's tensor of it must agree with ours.
      const png = path.join(tmp, `${f}.debian.png`);
      execFileSync('/usr/bin/ffmpeg', ['-v', 'error', '-y', '-i', fx(f), '-frames:v', '1', png]);
      const d = tensorDistance(frames[0].tensor, (await preprocess(png, SPEC)).tensor);
      const tenBit = f === 'dolbyVision-hdr.MOV';
      expect(d.pool, f).toBeLessThan(tenBit ? 0.03 : 0.02);
      expect(d.mean, f).toBeLessThan(tenBit ? 0.02 : 0.01);
    }
  });

  it('gives a frame the tensor its PNG gets on the photo path: exactly, for 8-bit video', async () => {
    for (const f of ['sample.mp4', 'h265_bframes.mp4', 'bear-vp9.webm', 'bear-vp9-odd-dimensions.webm']) {
      const [first] = await collect(fx(f));
      const png = path.join(tmp, `${f}.png`);
      execFileSync(videoTools().ffmpeg, ['-v', 'error', '-y', '-i', fx(f), '-frames:v', '1', png]);
      const photo = await preprocess(png, SPEC);
      expect(tensorDistance(first.tensor, photo.tensor).pixel, f).toBe(0);
    }
  });

  it("matches another decoder's picture of the same frame (ExoPlayer's PNG) within the photo tolerance", async () => {
    const [first] = await collect(fx('testvid_1022ms.mp4'));
    const d = tensorDistance(first.tensor, (await preprocess(fx('testvid_1022ms_000.png'), SPEC)).tensor);
    expect(d.pool).toBeLessThan(0.02);
    expect(d.mean).toBeLessThan(0.01);
  });

  it('10-bit HDR: within 0.03 of its 16-bit PNG (measured 0.020 pools, 0.013 means; no tone mapping on either side)', async () => {
    const [first] = await collect(fx('dolbyVision-hdr.MOV'));
    const png = path.join(tmp, 'hdr.png');
    execFileSync(videoTools().ffmpeg, ['-v', 'error', '-y', '-i', fx('dolbyVision-hdr.MOV'), '-frames:v', '1', png]);
    const d = tensorDistance(first.tensor, (await preprocess(png, SPEC)).tensor);
    expect(d.pool).toBeLessThan(0.03);
    expect(d.mean).toBeLessThan(0.02);
  });

  it('a poster frame: upright, at most the asked size, from a seek', async () => {
    const p = await probeVideo(fx('dolbyVision-hdr.MOV'));
    const poster = await frameAt(fx('dolbyVision-hdr.MOV'), p, posterTime(p.durationS), 320);
    expect([poster.width, poster.height]).toEqual([180, 320]);
    expect(poster.data.length).toBe(180 * 320 * 3);
    const thumb = path.join(tmp, 'thumbs', 'poster.jpg');
    await makeThumbnailFromRaster(poster, thumb, 256);
    const meta = await sharp(thumb).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 144, 256]);
    expect(posterTime(0.1067)).toBeCloseTo(0.0533, 3);
    expect(posterTime(60)).toBe(1);
  });
});

describe.skipIf(!canMakeClips)(`synthetic clips (Debian ffmpeg${canMakeClips ? '' : `: ${systemFfmpeg}`})`, () => {
  it('a 12-second clip red, then blue, then green: every 2 s, plus the cut at 3 s as it happens', async () => {
    const frames = await collect(makeClip('rgb-12s.mp4'));
    expect(frames.map((f) => [f.t, f.reason])).toEqual([[0, 'first'], [2, 'interval'], [3, 'scene'], [5, 'interval'], [7, 'interval'], [9, 'interval'], [11, 'interval']]);
    const dominant = frames.map((f) => ['red', 'green', 'blue'][meanColour(f.tensor).indexOf(Math.max(...meanColour(f.tensor)))]);
    expect(dominant).toEqual(['red', 'red', 'blue', 'blue', 'green', 'green', 'green']);
  });

  it('without scene detection the cut is seen only at the next sample', async () => {
    const frames = await collect(makeClip('rgb-12s.mp4'), { sceneThreshold: 1 });
    expect(frames.map((f) => f.t)).toEqual([0, 2, 4, 6, 8, 10]);
  });

  it('rotation metadata: frames come out upright (stored 320×240, shown 240×320 with red at the bottom)', async () => {
    const file = makeClip('rotated.mp4');
    const p = await probeVideo(file);
    expect(p.video).toMatchObject({ codedWidth: 320, codedHeight: 240, width: 240, height: 320, rotation: 270 });
    const [first] = await collect(file, {}, p);
    const plane = 224 * 224;
    const redAt = (y0: number) => {
      let s = 0;
      for (let y = y0; y < y0 + 100; y++) for (let x = 0; x < 224; x++) s += first.tensor[y * 224 + x];
      return s / (100 * 224);
    };
    expect(redAt(124)).toBeGreaterThan(1.5); // bottom: red (normalised R ≈ 1.93)
    expect(redAt(0)).toBeLessThan(-1.5); // top: blue, no red
    expect(first.tensor.length).toBe(3 * plane);
  });

  it('variable frame rate: times are the frames’ own timestamps (a 2-second hole is not papered over)', async () => {
    const file = makeClip('vfr.mp4');
    const p = await probeVideo(file);
    expect(p.video!.variableFrameRate).toBe(true);
    expect((await collect(file, {}, p)).map((f) => f.t)).toEqual([0, 4]);
    expect((await collect(file, { intervalS: 0.5 }, p)).map((f) => f.t)).toEqual([0, 0.5, 1, 1.5, 4, 4.5, 5, 5.5]);
  });

  it('a WebM recorded live has no duration: not damage, frames still come and the last one says how long', async () => {
    const file = makeClip('no-duration.webm');
    const p = await probeVideo(file);
    expect(p.durationS).toBe(0);
    const times: number[] = [];
    const r = await readVideo(file, { spec: SPEC, quietMs: 0, onFrame: (f) => void times.push(f.t) });
    expect(times).toEqual([0, 2, 4]);
    expect(r.durationS).toBe(4);
  });

  it('8K: reduced by ffmpeg before the pipe, within the photo tolerance of its full-size PNG', async () => {
    const file = makeClip('8k.mp4');
    const p = await probeVideo(file);
    expect(ffmpegFrameArgs(file, p, { ...SAMPLING_DEFAULTS }).width).toBe(3840);
    const [first] = await collect(file, {}, p);
    const png = path.join(tmp, '8k.png');
    execFileSync(videoTools().ffmpeg, ['-v', 'error', '-y', '-i', file, '-frames:v', '1', png]);
    const d = tensorDistance(first.tensor, (await preprocess(png, SPEC)).tensor);
    expect(d.pool).toBeLessThan(0.02);
    expect(d.mean).toBeLessThan(0.01);
  });

  it('a two-hour recording decodes only its keyframes', async () => {
    const file = makeClip('two-hours.mp4');
    const p = await probeVideo(file);
    expect(p.durationS).toBe(7200);
    const { args, keyframesOnly } = ffmpegFrameArgs(file, p, { ...SAMPLING_DEFAULTS });
    expect(keyframesOnly).toBe(true);
    expect(args.join(' ')).toContain('-skip_frame nokey -protocol_whitelist');
    const frames = await collect(file, { intervalS: 60 }, p);
    // One frame a minute, each on a keyframe (every 2 s in this file).
    expect(frames.length).toBe(120);
    for (const f of frames) expect(f.t % 2).toBe(0);
  }, 180_000);
});

describe('bad input: a clear reason, never a hang', () => {
  it('zero bytes, an image or text named .mp4, an audio-only file', async () => {
    fs.writeFileSync(path.join(tmp, 'empty.mp4'), '');
    expect(await reason(probeVideo(path.join(tmp, 'empty.mp4')))).toMatch(/^empty-file:/);
    fs.copyFileSync(fx('pixel-motion-photo-shortened.jpg'), path.join(tmp, 'photo.mp4'));
    expect(await reason(probeVideo(path.join(tmp, 'photo.mp4')))).toBe('not-a-video: the file is not a video: it is a JPEG image (137 KB)');
    fs.writeFileSync(path.join(tmp, 'notes.mov'), 'just some text, not a movie\n');
    expect(await reason(probeVideo(path.join(tmp, 'notes.mov')))).toMatch(/^not-a-video: .*looks like text/);
    expect(await reason(probeVideo(fx('sample_audio_only.mp4')))).toMatch(/^audio-only: the file holds only sound \(aac/);
    expect(await reason(probeVideo(path.join(tmp, 'missing.mp4')))).toMatch(/^unreadable: .*ENOENT/);
  });

  it('a playlist named .mp4 is refused before it can make the decoder open anything', async () => {
    fs.writeFileSync(path.join(tmp, 'list.mp4'), `#EXTM3U\n#EXTINF:1,\nfile:${fx('sample.mp4')}\n`);
    expect(await reason(probeVideo(path.join(tmp, 'list.mp4')))).toMatch(/^not-a-video: .*looks like text/);
  });

  it('the wrong extension on a real video does not matter (an MP4 named .avi, a WebM named .mp4)', async () => {
    fs.copyFileSync(fx('sample.mp4'), path.join(tmp, 'clip.avi'));
    fs.copyFileSync(fx('bear-vp9.webm'), path.join(tmp, 'clip.mp4'));
    expect((await collect(path.join(tmp, 'clip.avi'))).length).toBe(1);
    expect((await collect(path.join(tmp, 'clip.mp4'))).length).toBe(2);
  });

  it.skipIf(!canMakeClips)('a file cut off: without its index (moov last) at probe; with it (moov first) at the cut', async () => {
    const noIndex = truncatedCopy(makeClip('moov-last.mp4'), 0.5, path.join(tmp, 'cut-last.mp4'));
    expect(await reason(probeVideo(noIndex))).toMatch(/^truncated: .*moov atom not found/);
    const withIndex = truncatedCopy(makeClip('rgb-12s.mp4'), 0.5, path.join(tmp, 'cut-first.mp4'));
    const p = await probeVideo(withIndex);
    expect(p.durationS).toBe(12);
    expect(await reason(collect(withIndex, {}, p))).toMatch(/^truncated: the video is truncated: its data ends at \d+\.\d s of 12\.0 s/);
  });

  it('a video still being copied is "still changing" (retryable), not broken', async () => {
    const dst = path.join(tmp, 'copying.mp4');
    const src = fs.readFileSync(fx('sample.mp4'));
    fs.writeFileSync(dst, src.subarray(0, 1000));
    const err = await settledState(dst, 120_000).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(VideoError);
    expect([(err as VideoError).reason, (err as VideoError).retryable]).toEqual(['still-changing', true]);
    // Quiet long enough to start, then it grows while being decoded.
    const longAgo = (Date.now() - 60_000) / 1000;
    fs.utimesSync(dst, longAgo, longAgo);
    const before = await settledState(dst);
    fs.appendFileSync(dst, src.subarray(1000));
    expect(await reason(assertUnchanged(dst, before))).toMatch(/^still-changing: .*\(1000 → 101674 bytes\)/);
    await expect(assertUnchanged(fx('sample.mp4'), await settledState(fx('sample.mp4')))).resolves.toBeUndefined();
  });

  it('readVideo: refuses a file written just now, reads a settled one frame by frame with back-pressure', async () => {
    const dst = path.join(tmp, 'fresh.webm');
    fs.copyFileSync(fx('bear-vp9.webm'), dst);
    // Just written.
    fs.utimesSync(dst, new Date(), new Date());
    // A quiet time no busy machine can outlast between the write and the check.
    expect(await reason(readVideo(dst, { spec: SPEC, quietMs: 120_000, onFrame: () => {} }))).toMatch(/^still-changing:/);
    const times: number[] = [];
    const r = await readVideo(dst, {
      spec: SPEC,
      quietMs: 0,
      onFrame: async (f) => {
        times.push(f.t);
        // An encoder slower than the stall limit: the decoder waits, and the stall timer does not
        // run meanwhile (it only counts while we wait for the decoder).
        await new Promise((res) => setTimeout(res, 3_500));
      },
      stallMs: 3_000,
    });
    expect(r.frames).toBe(times.length);
    expect(times[0]).toBe(0);
    expect(r.probe.video!.codec).toBe('vp9');
  });

  it('a motion photo’s embedded MP4 is a valid video (cut out by the offsets found)', async () => {
    const b = fs.readFileSync(fx('pixel-motion-photo-shortened.jpg'));
    const v = locateMotionPhotoVideo(b)!;
    fs.writeFileSync(path.join(tmp, 'embedded.mp4'), b.subarray(v.offset, v.offset + v.length));
    const p = await probeVideo(path.join(tmp, 'embedded.mp4'));
    expect(p.video!.codec).toBe('h264');
  });
});

describe('no decoder left behind', () => {
  it('a stalled tool is killed together with what it started (its process group)', async () => {
    const p = new ToolProcess('ffmpeg', '/bin/sh', ['-c', 'sleep 30 & sleep 30; echo never'], { stallMs: 300, totalMs: 60_000 });
    const group = p.pid!;
    await until(() => groupMembers(group).length >= 3);
    const err = await p.finish().then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(ToolRunError);
    expect((err as ToolRunError).kind).toBe('stalled');
    await until(() => groupMembers(group).length === 0);
  });

  it('the total limit holds while output keeps coming', async () => {
    const p = new ToolProcess('ffmpeg', '/usr/bin/yes', [], { stallMs: 60_000, totalMs: 300 });
    let bytes = 0;
    const err = await (async () => {
      for await (const chunk of p.chunks()) bytes += chunk.length;
    })().then(() => null, (e: unknown) => e);
    await p.close();
    expect((err as ToolRunError).kind).toBe('timeout');
    expect(bytes).toBeGreaterThan(0);
  });

  it('when the consumer stops early, aborts mid-stream, or many run at once', async () => {
    const file = fx('bear-vp9.webm');
    const p = await probeVideo(file);
    for await (const f of sampleFrames(file, p, { spec: SPEC, intervalS: 0.1 })) {
      expect(f.t).toBe(0);
      break;
    }
    const ac = new AbortController();
    const seen: number[] = [];
    const aborted = reason(
      (async () => {
        for await (const f of sampleFrames(file, p, { spec: SPEC, intervalS: 0.1, signal: ac.signal })) {
          seen.push(f.t);
          ac.abort();
        }
      })(),
    );
    expect(await aborted).toMatch(/^aborted: .*stopped/);
    expect(seen).toEqual([0]);
    const many = await Promise.all(Array.from({ length: 4 }, () => collect(file, { intervalS: 0.5 }, p)));
    expect(many.map((m) => m.length)).toEqual([6, 6, 6, 6]);
  });
});
