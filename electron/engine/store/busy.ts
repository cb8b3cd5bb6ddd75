/**
 * Several processes share one library file (the desktop app, `watch`, a CLI `status` or
 * `search`). SQLite in WAL mode lets readers run beside one writer; writers queue on the write
 * lock. Every wait here is bounded: SQLite's busy handler waits up to BUSY_TIMEOUT_MS for the
 * lock, and a transaction whose BEGIN still finds it taken is retried BUSY_RETRIES more times
 * after a short, growing pause — at most ~(1 + BUSY_RETRIES) × BUSY_TIMEOUT_MS in all — before
 * DatabaseBusyError reports which file is held. (better-sqlite3 is synchronous, so the pause is
 * a blocking sleep, like SQLite's own busy wait.)
 */
import { DatabaseBusyError } from './errors.ts';

export const BUSY_TIMEOUT_MS = 10_000;
export const BUSY_RETRIES = 2;

export function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

export function withBusyRetry<T>(fn: () => T, file: string, retries = BUSY_RETRIES): T {
  for (let attempt = 0; ; attempt++) {
    try {
      return fn();
    } catch (err) {
      if (err instanceof DatabaseBusyError || !isBusy(err)) throw err;
      if (attempt >= retries) throw new DatabaseBusyError(file, err);
      sleepSync(50 * 2 ** attempt + Math.random() * 50);
    }
  }
}
