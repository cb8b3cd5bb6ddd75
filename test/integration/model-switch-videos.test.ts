/**
 * A model switch in a library with videos completes when the video pass has sampled every video
 * for the new model, in the app and under `watch` (passes in the background). Before, the check ran
 * only after an indexing pass: the photos' new vectors came first (indexing), the videos' frames
 * after (a pass), and the switch then waited for the next rescan — up to 10 minutes under watch —
 * with the old model still answering. Two generated test models (toy-colors 16-d, tiny 8-d); a
 * clip of AndroidX Media's (test/fixtures/video/README.md).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../electron/engine/engine.ts';
import { createLogger } from '../../electron/engine/util/log.ts';
import { writeColourSet } from '../../scripts/fixtures/colour-photos.ts';
import { until } from '../support/wait.ts';

const models = process.env.SHIGUANG_TEST_MODELS ?? path.resolve('.cache/test-models');
const open = (db: string, model: string, passes: 'background' | 'on-demand'): Promise<Engine> =>
  Engine.open({ dbPath: db, modelDir: path.join(models, model), session: { threads: 1 }, autoTag: false, passes, logger: createLogger('test', 'error') });

describe('a model switch with videos', () => {
  let tmp: string;
  let folder: string;
  let db: string;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-switch-videos-'));
    folder = path.join(tmp, 'library');
    db = path.join(tmp, 'lib.db');
    await writeColourSet(folder, ['red', 'blue'], 2);
    fs.copyFileSync(path.resolve('test/fixtures/video/sample.mp4'), path.join(folder, 'VID_sample.mp4'));
    // Settled files: a video modified in the last seconds is taken for one still being copied.
    const old = Date.now() / 1000 - 3600;
    for (const f of fs.readdirSync(folder)) fs.utimesSync(path.join(folder, f), old, old);
    const e = await open(db, 'toy-colors', 'on-demand');
    try {
      await e.indexFolders([folder]);
      await e.passes.runAll({ only: ['videos'] });
      expect(e.lib.photos.videoCounts()).toMatchObject({ indexed: 1, pending: 0 });
      expect(e.lib.videos.missingFrames(e.lib.models.get('test-toy-colors')!.id)).toBe(0);
    } finally {
      await e.close();
    }
  }, 120_000);
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('completes once the video pass has sampled the videos for the new model, with no rescan', async () => {
    const e = await open(db, 'tiny', 'background');
    try {
      expect(e.switching).toEqual({ from: 'test-toy-colors', to: 'test-tiny' });
      // The indexing pass gives every photo its new vector; the video still has no frames for tiny.
      await e.indexFolders([folder]);
      expect(e.lib.videos.missingFrames(e.lib.models.get('test-tiny')!.id)).toBe(1);
      // The background video pass samples the video for tiny; the switch completes after it.
      await until(() => e.switching === null, 'the switch to complete after the video pass', 90_000);
      expect(e.model.modelKey).toBe('test-tiny');
      expect(e.lib.videos.missingFrames(e.lib.models.get('test-tiny')!.id)).toBe(0);
    } finally {
      await e.close();
    }
  });
});
