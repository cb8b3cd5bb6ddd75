/**
 * Videos through the CLI as a person runs it, with the toy-colors model: a folder with the
 * 12-second red → blue → green clip, a real H.264 clip and an audio-only file. `index` reads the
 * videos, `status` counts them and lists the bad one with its reason, `search --json` and
 * `similar --json` answer with the moment (kind, segment, bestTime).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeColourPhoto } from '../../scripts/fixtures/colour-photos.ts';
import { makeClip } from '../../scripts/fixtures/video-clips.ts';

const run = promisify(execFile);
const models = process.env.SHIGUANG_TEST_MODELS ?? path.resolve('.cache/test-models');
const fixtures = path.resolve('test/fixtures/video');
const ffmpegReady = process.env.SHIGUANG_SYSTEM_FFMPEG === 'ok' || fs.existsSync('/usr/bin/ffmpeg');

interface JsonHit {
  path: string;
  score: number;
  kind: 'photo' | 'video';
  durationS?: number | null;
  segment?: { start: number; end: number };
  bestTime?: number;
}

describe.skipIf(!ffmpegReady)('videos through the CLI', () => {
  let tmp: string;
  let folder: string;
  const cli = (args: string[]) =>
    run(process.execPath, ['--import', 'tsx', 'electron/cli/main.ts', '--db', path.join(tmp, 'lib.db'), '--model', path.join(models, 'toy-colors'), '--threads', '1', ...args], {
      env: { ...process.env, SHIGUANG_HOME: path.join(tmp, 'home'), SHIGUANG_LOG: 'warn', SHIGUANG_LANG: 'en' },
      maxBuffer: 64 << 20,
    });

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-videos-cli-'));
    folder = path.join(tmp, 'camera');
    fs.mkdirSync(folder);
    fs.copyFileSync(makeClip('rgb-12s.mp4'), path.join(folder, 'VID_rgb.mp4'));
    fs.copyFileSync(path.join(fixtures, 'sample.mp4'), path.join(folder, 'VID_sample.mp4'));
    fs.copyFileSync(path.join(fixtures, 'sample_audio_only.mp4'), path.join(folder, 'voice.mp4'));
    await writeColourPhoto(path.join(folder, 'IMG_green.jpg'), 'green', 5);
    const old = Date.now() / 1000 - 3600;
    for (const f of fs.readdirSync(folder)) fs.utimesSync(path.join(folder, f), old, old);
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('index reads the videos; status counts them and gives the bad one its reason', async () => {
    // Without OCR this time: its models' first load is most of a CLI run on a busy machine, and it reads photos only.
    const { stderr } = await cli(['index', folder, '--no-ocr']);
    expect(stderr).toMatch(/videos: 2 indexed, 1 skipped/);
    const { stdout } = await cli(['status']);
    expect(stdout).toMatch(/^photos: 1 indexed, 0 pending, 0 skipped$/m);
    expect(stdout).toMatch(/^videos: 2 indexed, 0 pending, 1 skipped$/m);
    expect(stdout).toContain(`${path.join(folder, 'voice.mp4')}: audio-only`);
    const status = JSON.parse((await cli(['status', '--json'])).stdout);
    expect(status.videos).toEqual({ indexed: 2, pending: 0, skipped: 1 });
    expect(status.passes.find((p: { name: string }) => p.name === 'videos')).toMatchObject({ done: 2, failed: 1, pending: 0 });
  }, 240_000);

  it('search --json and similar --json give the video once per matching segment, with its moment', async () => {
    const blue = JSON.parse((await cli(['search', '蓝色', '--json', '--kind', 'video', '--all'])).stdout) as JsonHit[];
    const rgb = blue.filter((h) => path.basename(h.path) === 'VID_rgb.mp4');
    expect(rgb).toEqual([expect.objectContaining({ kind: 'video', durationS: 12, segment: { start: 3, end: 7 }, bestTime: 3 })]);
    expect(blue.every((h) => h.kind === 'video')).toBe(true);
    const plain = (await cli(['search', '绿色', '--limit', '3', '--all'])).stdout;
    expect(plain).toMatch(/VID_rgb\.mp4 {2}▶ 0:07–0:12/);
    const similar = JSON.parse((await cli(['similar', path.join(folder, 'IMG_green.jpg'), '--json', '--all'])).stdout) as JsonHit[];
    expect(similar[0]).toMatchObject({ kind: 'video', segment: { start: 7, end: 12 }, bestTime: 7 });
    expect(similar.some((h) => path.basename(h.path) === 'IMG_green.jpg')).toBe(false);
  }, 240_000);
});
