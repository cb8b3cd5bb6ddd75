/**
 * One watcher a library. A watcher that was killed (kill -9, a crash, a closed laptop lid that
 * ended the process) used to lock the library out for up to 10 s, until its lock went stale: the
 * desktop app restarted at once after a crash was refused. Now its lock is taken over at once
 * when its process is gone from this machine; a live holder, a holder on another machine and a
 * lock taken a moment ago are still refused, with who holds it, in the person's language.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireWatchLock } from '../../electron/engine/library/watch-lock.ts';
import { ApiError } from '../../electron/shared/api.ts';
import { errorMessages } from '../../electron/shared/error-messages.ts';
import { until } from '../support/wait.ts';

const STALE_MS = 10_000;
const lockDir = (db: string): string => `${db}.watch.lock`;
const owner = (db: string): string => `${db}.watch.owner.json`;

/** Another process that takes the lock and holds it until killed. */
async function holder(db: string): Promise<ChildProcess> {
  const lib = path.resolve('electron/engine/library/watch-lock.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `const m = await import(${JSON.stringify(lib)}); await m.acquireWatchLock(${JSON.stringify(db)}); console.log('locked'); setInterval(() => {}, 1000);`], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  await until(() => out.includes('locked') || child.exitCode !== null, 'the other process to take the lock', 60_000);
  expect(child.exitCode).toBeNull();
  return child;
}

async function refusal(db: string): Promise<ApiError> {
  const err = await acquireWatchLock(db).then(
    (l) => l.release().then(() => null),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  return err as ApiError;
}

let tmp: string;
let db: string;
const children: ChildProcess[] = [];
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-watch-lock-'));
  db = path.join(tmp, 'library.db');
});
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('the watch lock', () => {
  it('is refused while its holder runs, saying which process holds it', async () => {
    const child = await holder(db);
    children.push(child);
    const err = await refusal(db);
    expect(err.detail).toMatchObject({ reason: 'library-watched', pid: String(child.pid), host: os.hostname() });
    expect(errorMessages['zh-CN']['reason.library-watched']).toContain('{pid}');
  });

  it('is taken over at once from a holder that was killed, long before it would go stale', async () => {
    const child = await holder(db);
    // Past the "taken a moment ago" guard (the lock's own refresh is every 5 s, so its time stays).
    await until(() => Date.now() - fs.statSync(lockDir(db)).mtimeMs >= 1_100, 'the lock to be a second old', 30_000);
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    const age = Date.now() - fs.statSync(lockDir(db)).mtimeMs;
    expect(age).toBeLessThan(STALE_MS); // the stale rule alone would refuse it now
    const lock = await acquireWatchLock(db);
    expect(JSON.parse(fs.readFileSync(owner(db), 'utf8')).pid).toBe(process.pid);
    await lock.release();
    expect(fs.existsSync(lockDir(db))).toBe(false);
  });

  it('is refused when the holder is on another machine, or took the lock a moment ago', async () => {
    // A library on a shared drive, watched from another computer: its processes cannot be checked.
    fs.mkdirSync(lockDir(db));
    fs.writeFileSync(owner(db), JSON.stringify({ pid: 999_999_999, host: 'another-computer', command: 'shiguang watch', since: Date.now() }));
    await until(() => Date.now() - fs.statSync(lockDir(db)).mtimeMs >= 1_100, 'the lock to be a second old', 30_000);
    expect((await refusal(db)).detail).toMatchObject({ reason: 'library-watched', host: 'another-computer' });
    // On this machine, a lock a moment old: its new holder may not have written its name yet (the
    // owner file still names an earlier, dead one).
    fs.writeFileSync(owner(db), JSON.stringify({ pid: 999_999_999, host: os.hostname(), command: 'shiguang watch', since: Date.now() - 60_000 }));
    const now = new Date();
    fs.utimesSync(lockDir(db), now, now);
    expect((await refusal(db)).detail).toMatchObject({ reason: 'library-watched' });
    expect(fs.existsSync(lockDir(db))).toBe(true);
  });
});
