/**
 * A byte-identical copy of a video the model has read — a backup folder beside the camera folder —
 * gets that video's frames without a decoder being started, as a photo's copy gets its twin's
 * vector. The decoder is the real one behind a wrapper that writes down every command line, so the
 * test sees which files were decoded. In a file of its own: the tools are resolved once per process.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../electron/engine/engine.ts';
import { createLogger } from '../../electron/engine/util/log.ts';
import { locateTool } from '../../electron/engine/video/ffmpeg.ts';

const models = process.env.SHIGUANG_TEST_MODELS ?? path.resolve('.cache/test-models');
const fixtures = path.resolve('test/fixtures/video');

/** An hour ago: a file that has stopped changing (the pass reads nothing modified in the last QUIET_MS). */
function settledCopy(src: string, dst: string): void {
  fs.mkdirSync(path.dirname(dst), { recursive: true });
  fs.copyFileSync(src, dst);
  const t = Date.now() / 1000 - 3600;
  fs.utimesSync(dst, t, t);
}

describe.skipIf(process.platform === 'win32')('byte-identical copies of videos', () => {
  let tmp: string;
  let lib: string;
  let log: string;
  let engine: Engine;
  const saved = { ffmpeg: process.env.SHIGUANG_FFMPEG, ffprobe: process.env.SHIGUANG_FFPROBE };
  const decoded = (): string[] => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter(Boolean) : []);
  const row = (rel: string) => engine.lib.photos.getByPath(path.join(lib, rel));
  const index = async (): Promise<void> => {
    await engine.indexFolders([lib]);
    await engine.passes.runAll({ only: ['videos'] });
  };

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-video-copies-'));
    lib = path.join(tmp, 'library');
    log = path.join(tmp, 'decoder-runs.log');
    for (const tool of ['ffmpeg', 'ffprobe'] as const) {
      const wrapper = path.join(tmp, 'bin', tool);
      fs.mkdirSync(path.dirname(wrapper), { recursive: true });
      fs.writeFileSync(wrapper, `#!/bin/sh\nprintf '%s\\n' "${tool} $*" >> '${log}'\nexec '${locateTool(tool, { env: {} })}' "$@"\n`, { mode: 0o755 });
      process.env[tool === 'ffmpeg' ? 'SHIGUANG_FFMPEG' : 'SHIGUANG_FFPROBE'] = wrapper;
    }
    settledCopy(path.join(fixtures, 'sample.mp4'), path.join(lib, 'camera', 'VID_0001.mp4'));
    engine = await Engine.open({
      dbPath: path.join(tmp, 'db', 'library.db'),
      modelDir: path.join(models, 'toy-colors'),
      session: { threads: 1 },
      passes: 'on-demand',
      logger: createLogger('test', 'error'),
    });
  }, 120_000);

  afterAll(async () => {
    await engine?.close();
    for (const [tool, value] of Object.entries(saved)) {
      const name = tool === 'ffmpeg' ? 'SHIGUANG_FFMPEG' : 'SHIGUANG_FFPROBE';
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('the camera folder is read by the decoder (the wrapper sees it)', async () => {
    await index();
    expect(row('camera/VID_0001.mp4')).toMatchObject({ status: 'indexed', kind: 'video' });
    expect(decoded().some((line) => line.includes('VID_0001.mp4'))).toBe(true);
  });

  it('a backup copy is given the frames and facts already read, without a decoder; a different video beside it is decoded', async () => {
    const original = row('camera/VID_0001.mp4')!;
    const frames = engine.lib.videoFrames(engine.vectors.model);
    const before = frames.framesToCopy(original.id);
    expect(before.length).toBeGreaterThan(0);
    fs.writeFileSync(log, '');
    settledCopy(path.join(fixtures, 'sample.mp4'), path.join(lib, 'backup', 'VID_0001 (1).mp4'));
    settledCopy(path.join(fixtures, 'bear-vp9.webm'), path.join(lib, 'backup', 'bear.webm'));
    await index();

    const copy = row('backup/VID_0001 (1).mp4')!;
    expect(copy).toMatchObject({ status: 'indexed', kind: 'video', hash: original.hash, width: original.width, height: original.height, durationS: original.durationS, takenAt: original.takenAt });
    expect(frames.framesToCopy(copy.id)).toEqual(before);
    expect(row('backup/bear.webm')).toMatchObject({ status: 'indexed', kind: 'video' });
    const runs = decoded();
    expect(runs.some((line) => line.includes('bear.webm'))).toBe(true);
    expect(runs.filter((line) => line.includes('VID_0001'))).toEqual([]);
    expect(engine.library.videoCounts()).toEqual({ indexed: 3, pending: 0, skipped: 0 });
  });
});
