/**
 * One download per model and precision at a time, across the app and the CLI: two writers would
 * append to the same `.part` files. A lock file holds the owner's pid; a dead owner's lock is
 * taken over, so a crash never blocks the next attempt.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ModelError } from './errors.ts';
import { processRuns } from '../util/process-runs.ts';

const held = new Set<string>();

/** Locks `dir` (which must exist); returns an idempotent release. */
export function acquireLock(dir: string, what: string): () => void {
  const file = path.join(dir, '.lock');
  if (held.has(file)) throw new ModelError('BUSY', `a download of ${what} is already running in this process`, { params: { model: what } });
  try {
    fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const owner = Number.parseInt(fs.readFileSync(file, 'utf8'), 10);
    if (owner && owner !== process.pid && processRuns(owner)) {
      throw new ModelError('BUSY', `a download of ${what} is already running (process ${owner})`, { params: { model: what, pid: owner } });
    }
    fs.writeFileSync(file, String(process.pid));
  }
  held.add(file);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    held.delete(file);
    fs.rmSync(file, { force: true });
  };
}
