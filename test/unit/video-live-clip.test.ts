/**
 * The Live Photo check the scanner makes for every video named like a photo beside it: the clip's
 * length from its movie header, read without a decoder process — it must agree with ffprobe on
 * real camera files, and say nothing (null) rather than guess on anything else.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isLivePhotoClip, movieHeaderDuration } from '../../electron/engine/video/live-clip.ts';
import { probeVideo } from '../../electron/engine/video/probe.ts';
import { makeClip, truncatedCopy } from '../../scripts/fixtures/video-clips.ts';
import { childProcesses } from './video-helpers.ts';

const fixtures = path.resolve('test/fixtures/video');
const ffmpegReady = process.env.SHIGUANG_SYSTEM_FFMPEG === 'ok' || fs.existsSync('/usr/bin/ffmpeg');

describe('a Live Photo clip by its movie header', () => {
  it('reads the length ffprobe reads, on camera files (an iPhone MOV, Android MP4s, H.263 3GP)', async () => {
    for (const f of ['sample.mp4', 'dolbyVision-hdr.MOV', 'sample_android_slow_motion.mp4', 'bbb_176x144_128kbps_15fps_h263.3gp', 'h265_bframes.mp4']) {
      const file = path.join(fixtures, f);
      const probe = await probeVideo(file);
      expect(await movieHeaderDuration(file), f).toBeCloseTo(probe.durationS, 1);
    }
    // The header read starts no process.
    const before = childProcesses().length;
    await movieHeaderDuration(path.join(fixtures, 'sample.mp4'));
    expect(childProcesses().length).toBe(before);
  });

  it.skipIf(!ffmpegReady)('finds the header at the end of the file too (a camera writes it last), and nothing in a cut-off one', async () => {
    const moovLast = makeClip('moov-last.mp4');
    expect(await movieHeaderDuration(moovLast)).toBeCloseTo(3, 1);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-live-'));
    try {
      expect(await movieHeaderDuration(truncatedCopy(moovLast, 0.5, path.join(dir, 'cut.mp4')))).toBeNull();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(await isLivePhotoClip(moovLast)).toBe(true);
    expect(await isLivePhotoClip(makeClip('rgb-12s.mp4'))).toBe(false);
  });

  it('anything that is not a QuickTime/MP4 file is no Live Photo clip', async () => {
    for (const f of ['bear-vp9.webm', 'testvid_1022ms_000.png', 'pixel-motion-photo-shortened.jpg']) {
      expect(await movieHeaderDuration(path.join(fixtures, f)), f).toBeNull();
      expect(await isLivePhotoClip(path.join(fixtures, f))).toBe(false);
    }
    expect(await movieHeaderDuration(path.join(fixtures, 'no-such-file.mov'))).toBeNull();
  });
});
