/**
 * At most one process watches a library. Two watchers would both see every change and race to
 * apply it (each re-hashing and re-encoding the same files); the second one is refused with a
 * message that says who holds the library. The lock is a proper-lockfile lock beside the
 * database (an atomic mkdir, refreshed every few seconds, stale after STALE_MS without a refresh,
 * so a watcher that was killed does not lock the library out for good). An owner file beside it
 * says which process holds it, for the message — and lets a new watcher on the same machine take
 * over at once from one that was killed (its process is gone), instead of waiting out STALE_MS.
 */
import fs from 'node:fs';
import os from 'node:os';
import lockfile from 'proper-lockfile';
import { processRuns } from '../util/process-runs.ts';
import { apiError, type ApiError } from '../../shared/api.ts';

const STALE_MS = 10_000;
/**
 * A lock touched this recently may have been taken a moment ago by a process that has not written
 * its owner file yet (the file then still names an earlier, dead holder): never broken.
 */
const JUST_TAKEN_MS = 1_000;

/**
 * Another process watches the library: an ApiError (reason library-watched), worded in the
 * person's language by the CLI and the app; the English message is the engine's log line.
 */
export function libraryWatchedError(owner: WatchOwner | null): ApiError {
  if (!owner) {
    return apiError('library-watched-unknown', {}, `this library is already being watched by another process. ${ONE_WATCHER} (If it was killed, the lock expires within ${STALE_MS / 1000} s.)`);
  }
  const since = localMinute(owner.since);
  const elsewhere = owner.host !== os.hostname() ? ` (If it was killed on ${owner.host}, the lock expires within ${STALE_MS / 1000} s.)` : '';
  return apiError(
    'library-watched',
    { pid: String(owner.pid), host: owner.host, command: owner.command, since },
    `this library is already being watched by process ${owner.pid} on ${owner.host} (${owner.command}), since ${since}. ${ONE_WATCHER}${elsewhere}`,
  );
}

/** 2026-12-07 16:28, local time: the same in either language. */
function localMinute(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

const ONE_WATCHER = "Only one 拾光 (the desktop app, `watch` or `serve`) follows a library's folders at a time; stop that one first. Searching and `status` work beside it.";

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

/**
 * The lock's holder was killed: the owner file names a process on this machine that no longer
 * runs, and the lock was not taken a moment ago. A holder on another machine (a library on a
 * network share) cannot be checked from here: its lock expires after STALE_MS, as before. A
 * process id reused since by an unrelated process reads as alive: the same wait, never a break.
 */
function heldByDeadProcess(dbPath: string, owner: WatchOwner | null): boolean {
  if (!owner || owner.host !== os.hostname() || !Number.isSafeInteger(owner.pid) || owner.pid <= 0) return false;
  if (processRuns(owner.pid)) return false;
  try {
    return Date.now() - fs.statSync(lockPath(dbPath)).mtimeMs >= JUST_TAKEN_MS;
  } catch {
    return false;
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
 * Take the watch lock of the library at `dbPath`, or throw `libraryWatchedError`. `onLost` is told
 * if the lock is taken over (this process stalled past STALE_MS and another took it).
 */
export async function acquireWatchLock(dbPath: string, onLost: (err: Error) => void = () => undefined): Promise<WatchLock> {
  if (dbPath === ':memory:') return { release: async () => undefined };
  const take = () => lockfile.lock(dbPath, { lockfilePath: lockPath(dbPath), realpath: false, stale: STALE_MS, retries: 0, onCompromised: onLost });
  let release: () => Promise<void>;
  try {
    release = await take();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') throw err;
    const owner = readOwner(dbPath);
    if (!heldByDeadProcess(dbPath, owner)) throw libraryWatchedError(owner);
    // Its holder was killed (the process is gone from this machine): its lock goes now.
    try {
      fs.rmdirSync(lockPath(dbPath));
    } catch {
      // Gone already, or taken and refilled by another: the second try says which.
    }
    release = await take().catch((again: unknown) => {
      if ((again as NodeJS.ErrnoException).code === 'ELOCKED') throw libraryWatchedError(readOwner(dbPath));
      throw again;
    });
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
