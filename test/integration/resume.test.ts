/**
 * Resumable indexing: `index` killed with SIGKILL part-way leaves a consistent database (no
 * photo marked indexed without its vector), and the next run encodes only what is missing.
 */
import { spawn, execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeColourSet } from '../../scripts/fixtures/colour-photos.ts';
import { openLibrary } from '../../electron/engine/store/library.ts';

const models = process.env.SHIGUANG_TEST_MODELS ?? path.resolve('.cache/test-models');
const toy = path.join(models, 'toy-colors');
const N = 120;

describe('indexing killed part-way', () => {
  let tmp: string;
  let photos: string;
  let db: string;
  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-resume-'));
    photos = path.join(tmp, 'photos');
    db = path.join(tmp, 'lib.db');
    await writeColourSet(photos, ['red', 'orange', 'yellow', 'green', 'blue', 'purple'], N / 6);
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('re-encodes only what is missing after SIGKILL', async () => {
    const args = ['--import', 'tsx', 'electron/cli/main.ts', '--db', db, '--model', toy, '--threads', '1', 'index', photos, '--json'];
    const env = { ...process.env, SHIGUANG_HOME: path.join(tmp, 'home'), SHIGUANG_LOG: 'error' };
    const child = spawn(process.execPath, args, { env, stdio: 'ignore' });
    const exited = new Promise((r) => child.once('exit', r));
    let killedAt = -1;
    for (;;) {
      await new Promise((r) => setTimeout(r, 20));
      if (!fs.existsSync(db)) continue;
      let indexed = 0;
      try {
        const lib = openLibrary(db);
        indexed = lib.photos.counts().indexed;
        lib.close();
      } catch {
        continue; // still being created
      }
      if (indexed >= 3) {
        child.kill('SIGKILL');
        killedAt = indexed;
        break;
      }
      if (child.exitCode !== null) break;
    }
    await exited;
    expect(killedAt).toBeGreaterThanOrEqual(3);

    const lib = openLibrary(db);
    const counts = lib.photos.counts();
    const model = lib.models.active()!;
    const stored = lib.vectors(model).count();
    lib.close();
    expect(counts.indexed).toBeLessThan(N);
    expect(stored).toBe(counts.indexed); // indexed ⇔ has a vector, even after a kill

    const { stdout } = await promisify(execFile)(process.execPath, args, { env });
    const summary = JSON.parse(stdout);
    expect(summary.encoded).toBe(N - counts.indexed);
    expect(summary.library).toEqual({ indexed: N, pending: 0, skipped: 0 });
  });
});
