/**
 * At most one process watches a library. Two watchers would both see every change and race to
 * apply it (each re-hashing and re-encoding the same files); the second one is refused with a
 * message that says who holds the library. The lock is a proper-lockfile lock beside the
 * database (an atomic mkdir, refreshed every few seconds, stale after STALE_MS without a refresh,
 * so a watcher that was killed does not lock the library out for good). An owner file beside it
 * says which process holds it, for the message.
 */
import fs from 'node:fs';
import os from 'node:os';
import lockfile from 'proper-lockfile';

const STALE_MS = 10_000;

export class LibraryWatchedError extends Error {
  override readonly name = 'LibraryWatchedError';
  readonly code = 'LIBRARY_WATCHED';
  constructor(
    readonly dbPath: string,
    readonly owner: WatchOwner | null,
  ) {
    const who = owner ? `process ${owner.pid} on ${owner.host} (${owner.command}), since ${new Date(owner.since).toLocaleString()}` : 'another process';
    super(
      `this library is already being watched by ${who}. Only one 拾光 (the desktop app, \`watch\` or \`serve\`) follows a library's folders at a time; ` +
        `stop that one first. Searching and \`status\` work beside it. (If it was killed, the lock expires within ${STALE_MS / 1000} s.)`,
    );
  }
}

export interface WatchOwner {
  pid: number;
  host: string;
  command: string;
  since: number;
}

const lockPath = (dbPath: string): string => `${dbPath}.watch.lock`;
const ownerPath = (dbPath: string): string => `${dbPath}.watch.owner.json`;

function readOwner(dbPath: string): WatchOwner | null {
  try {
    return JSON.parse(fs.readFileSync(ownerPath(dbPath), 'utf8')) as WatchOwner;
  } catch {
    return null;
  }
}

function describeThisProcess(): string {
  const cmd = ['watch', 'serve'].find((c) => process.argv.includes(c));
  return cmd ? `shiguang ${cmd}` : 'the 拾光 app';
}

export interface WatchLock {
  release(): Promise<void>;
}

/**
 * Take the watch lock of the library at `dbPath`, or throw LibraryWatchedError. `onLost` is told
 * if the lock is taken over (this process stalled past STALE_MS and another took it).
 */
export async function acquireWatchLock(dbPath: string, onLost: (err: Error) => void = () => undefined): Promise<WatchLock> {
  if (dbPath === ':memory:') return { release: async () => undefined };
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(dbPath, {
      lockfilePath: lockPath(dbPath),
      realpath: false,
      stale: STALE_MS,
      retries: 0,
      onCompromised: onLost,
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOCKED') throw new LibraryWatchedError(dbPath, readOwner(dbPath));
    throw err;
  }
  const owner: WatchOwner = { pid: process.pid, host: os.hostname(), command: describeThisProcess(), since: Date.now() };
  fs.writeFileSync(ownerPath(dbPath), JSON.stringify(owner));
  let released = false;
  return {
    release: async () => {
      if (released) return;
      released = true;
      fs.rmSync(ownerPath(dbPath), { force: true });
      await release().catch(() => undefined);
    },
  };
}
