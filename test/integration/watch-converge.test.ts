/**
 * A watcher that converges: a seeded burst of random file-system operations (creates, renames,
 * moves, overwrites, deletes, editors' atomic saves, files rewritten while being read, folders
 * created, deleted and renamed) under `watch`, then the library must equal the disk — every photo
 * file indexed with its current content, nothing else — within a bounded time after the last
 * change. The longer version is `npm run stress` (scripts/stress/watch-stress.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../electron/engine/engine.ts';
import { createLogger } from '../../electron/engine/util/log.ts';
import { churn, photoPool } from '../../scripts/fixtures/watch-churn.ts';
import { libraryDiff, waitUntilEqual } from '../../scripts/stress/library-vs-disk.ts';

const models = process.env.SHIGUANG_TEST_MODELS ?? path.resolve('.cache/test-models');

describe('watch converges after a burst of random operations', () => {
  let tmp: string;
  let root: string;
  let engine: Engine;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-converge-'));
    root = path.join(tmp, 'photos');
    fs.mkdirSync(root);
    engine = await Engine.open({
      dbPath: path.join(tmp, 'lib.db'),
      modelDir: path.join(models, 'toy-colors'),
      session: { threads: 1 },
      logger: createLogger('test', 'error'),
      autoTag: false,
      watcher: { debounceMs: 100, removalGraceMs: 1000, writeStableMs: 150, rescan: { afterBurstMs: 300, periodicMs: 0 } },
    });
    // A library that exists before the churn: deletions and moves have rows to act on.
    const pool = await photoPool(60, 9);
    pool.forEach((bytes, i) => {
      const dir = path.join(root, `album-${i % 4}`);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `old-${i}.jpg`), bytes);
    });
    expect((await engine.indexFolders([root])).encoded).toBe(60);
    await engine.watch();
  });

  afterAll(async () => {
    await engine?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('300 seeded operations: the library equals the disk afterwards', async () => {
    const pool = await photoPool(200, 3); // mostly distinct contents, so a deleted photo rarely reappears as a "move"
    // Pauses now and then, so batches are delivered in the middle of the churn, not only after it.
    const done = await churn(root, pool, { ops: 300, seed: 11, burstEvery: 40, burstPauseMs: 400 });
    expect(done.ops).toBeGreaterThan(250);
    const { ms, diff } = await waitUntilEqual(engine, root, 90_000);
    // Reported, not asserted: wall-clock figures belong to `npm run stress`.
    console.log(`${done.ops} operations ${JSON.stringify(done.byKind)}: library equal to disk ${ms} ms after the last one`);
    expect(diff).toEqual([]);
    expect(libraryDiff(engine, root)).toEqual([]);
  });
});
