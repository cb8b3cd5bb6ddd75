/**
 * Switching models never leaves the library unsearchable: the new model's vectors are built
 * into their own table while the old model answers queries; when every photo has a new vector
 * the switch is atomic and the old vectors are dropped. Interrupted, it resumes.
 * Uses the two generated test models, which have different dimensions (toy-colors 16, tiny 8).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../electron/engine/engine.ts';
import { writeColourSet } from '../../scripts/fixtures/colour-photos.ts';
import { createLogger } from '../../electron/engine/util/log.ts';

const models = process.env.SHIGUANG_TEST_MODELS ?? path.resolve('.cache/test-models');
const open = (db: string, model: string): Promise<Engine> =>
  Engine.open({
    dbPath: db,
    modelDir: path.join(models, model),
    session: { threads: 1 },
    autoTag: false,
    // One photo per batch so the build can be interrupted part-way deterministically.
    indexer: { batchSize: 1, decodeConcurrency: 1 },
    logger: createLogger('test', 'error'),
  });

describe('model switch', () => {
  let tmp: string;
  let photos: string;
  let db: string;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-switch-'));
    photos = path.join(tmp, 'photos');
    db = path.join(tmp, 'lib.db');
    await writeColourSet(photos, ['red', 'blue', 'green', 'yellow', 'white'], 4);
    const e = await open(db, 'toy-colors');
    await e.indexFolders([photos]);
    await e.close();
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('keeps answering with the old model while the new vectors are built, then switches atomically', async () => {
    const e = await open(db, 'tiny');
    try {
      expect(e.switching).toEqual({ from: 'test-toy-colors', to: 'test-tiny' });
      expect(e.model.modelKey).toBe('test-toy-colors');
      // The text tower is started first, so the query below is answered while the build is still
      // running (a cold start of the worker could otherwise outlast the whole build).
      await e.model.warm('text');
      // Interrupt the build part-way: stop after the first batch of new vectors is stored.
      const pass = e.indexFolders([photos]);
      const during = await e.search.text('红色', 4);
      expect(during.hits.map((h) => h.fileName).sort()).toEqual(['red-1.jpg', 'red-2.jpg', 'red-3.jpg', 'red-4.jpg']);
      while (e.indexer.snapshot().done < 2) await new Promise((r) => setTimeout(r, 2));
      e.indexer.stop();
      await pass;
      expect(e.switching).not.toBeNull();
    } finally {
      await e.close();
    }

    // Reopened: the switch resumes where it stopped, still serving the old model meanwhile.
    const e2 = await open(db, 'tiny');
    try {
      const tinyRow = e2.lib.models.get('test-tiny')!;
      const missingBefore = e2.lib.photos.missingVectors(tinyRow.id, 1000).length;
      expect(missingBefore).toBeGreaterThan(0);
      expect(missingBefore).toBeLessThan(20);
      expect(e2.switching).not.toBeNull();
      expect((await e2.search.text('蓝色', 4)).hits.map((h) => h.fileName).sort()).toEqual(['blue-1.jpg', 'blue-2.jpg', 'blue-3.jpg', 'blue-4.jpg']);
      const s = await e2.indexFolders([photos]);
      expect(s.encoded).toBe(missingBefore);
      expect(e2.switching).toBeNull();
      expect(e2.model.modelKey).toBe('test-tiny');
      expect(e2.lib.models.active()?.modelKey).toBe('test-tiny');
      expect(e2.lib.models.get('test-toy-colors')?.state ?? 'gone').not.toBe('active');
      expect(e2.vectors.count()).toBe(20);
      // Queries now use the 8-d model's vectors (random weights: only shape and count are meaningful).
      const res = await e2.search.text('红色', 5, {}, undefined, 'all', { all: true });
      expect(res.hits).toHaveLength(5);
      const status = await e2.status();
      expect(status.model).toMatchObject({ id: 'test-tiny', embeddingDim: 8 });
    } finally {
      await e2.close();
    }
  });

  it('queries racing the completion of a switch are answered by one model, never hang or fail', async () => {
    // A fresh library on toy-colors, then switch to tiny while queries keep coming.
    const db2 = path.join(tmp, 'race.db');
    const first = await open(db2, 'toy-colors');
    await first.indexFolders([photos]);
    await first.close();
    const e = await open(db2, 'tiny');
    try {
      let switching = true;
      const queries: Promise<{ n: number; red: boolean }>[] = [];
      const build = e.indexFolders([photos]).finally(() => (switching = false));
      const ask = () => e.search.text('红色', 3, {}, undefined, 'all', { all: true }).then((r) => ({ n: r.hits.length, red: r.hits.every((h) => h.fileName.startsWith('red-')) }));
      while (switching) {
        queries.push(ask());
        await new Promise((r) => setTimeout(r, 5));
      }
      await build;
      queries.push(ask());
      const answered = await Promise.all(queries);
      expect(e.switching).toBeNull();
      expect(answered.every((a) => a.n === 3)).toBe(true);
      // Both models answered: the old one (toy-colors finds the red photos) before the switch,
      // the new one (random weights) after it.
      expect(answered.some((a) => a.red)).toBe(true);
      expect(answered.at(-1)!.red).toBe(false);
    } finally {
      await e.close();
    }
  });
});
