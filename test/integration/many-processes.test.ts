/**
 * Many processes, one library: a `watch` following a folder that keeps changing, processes that
 * search, read status and index another folder, and plain CLI `status` / `search` runs, all on
 * the same database for a bounded time → zero "database is locked" failures, and `watch` is
 * still alive at the end. A second `watch` on the same library is refused with a clear message.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeColourPhoto, writeColourSet } from '../../scripts/fixtures/colour-photos.ts';

const run = promisify(execFile);
const models = process.env.SHIGUANG_TEST_MODELS ?? path.resolve('.cache/test-models');
const toy = path.join(models, 'toy-colors');
const SECONDS = 8;

describe('many processes, one library', () => {
  let tmp: string;
  let db: string;
  let env: NodeJS.ProcessEnv;
  let watch: ChildProcess | null = null;
  let watchOut = '';
  const cliArgs = (...args: string[]): string[] => ['--import', 'tsx', 'electron/cli/main.ts', '--db', db, '--model', toy, '--threads', '1', ...args];

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-procs-'));
    db = path.join(tmp, 'lib.db');
    env = { ...process.env, SHIGUANG_HOME: path.join(tmp, 'home'), SHIGUANG_LOG: 'warn' };
    await writeColourSet(path.join(tmp, 'watched'), ['red', 'blue', 'green'], 4);
    fs.mkdirSync(path.join(tmp, 'indexed'));
    await run(process.execPath, cliArgs('index', path.join(tmp, 'watched')), { env });
  });

  afterAll(async () => {
    if (watch && watch.exitCode === null) {
      const exited = new Promise((r) => watch!.once('exit', r));
      watch.kill('SIGINT');
      await exited;
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('a second watch is refused while one runs', async () => {
    watch = spawn(process.execPath, cliArgs('watch'), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    watch.stderr!.on('data', (d) => (watchOut += d));
    watch.stdout!.on('data', (d) => (watchOut += d));
    const t0 = Date.now();
    while (!/watching /.test(watchOut)) {
      if (Date.now() - t0 > 60_000 || watch.exitCode !== null) throw new Error(`watch did not start: ${watchOut}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const second = await run(process.execPath, cliArgs('watch'), { env }).catch((e: { code: number; stderr: string }) => e);
    expect((second as { code: number }).code).toBe(1);
    expect((second as { stderr: string }).stderr).toMatch(/already being watched by process \d+ .*shiguang watch/);
  });

  it(`watch + searcher + status + indexer + 2 reconcilers + CLI runs for ${SECONDS} s: zero lock failures`, async () => {
    const worker = (role: string, folder?: string): Promise<{ role: string; ops: number; lockFailures: number; otherErrors: string[] }> =>
      run(process.execPath, ['--import', 'tsx', 'test/integration/helpers/library-worker.ts', role, db, toy, String(SECONDS), ...(folder ? [folder] : [])], { env, timeout: 120_000 }).then(
        (r) => JSON.parse(r.stdout.trim().split('\n').pop()!),
      );
    // The watched folder keeps changing, so the watcher writes throughout.
    let churning = true;
    const churn = (async () => {
      for (let i = 0; churning; i++) {
        const f = path.join(tmp, 'watched', `churn-${i % 6}.jpg`);
        if (i % 4 === 3) fs.rmSync(f, { force: true });
        else await writeColourPhoto(f, 'red', 500 + i);
        await new Promise((r) => setTimeout(r, 150));
      }
    })();
    const cliRuns = (async () => {
      const outputs: string[] = [];
      const end = Date.now() + SECONDS * 1000;
      while (Date.now() < end) {
        for (const args of [['status', '--json'], ['search', '红色', '--json']]) {
          const r = await run(process.execPath, cliArgs(...args), { env }).catch((e: { stderr: string; stdout: string }) => e);
          outputs.push(`${r.stderr}`);
        }
      }
      return outputs;
    })();
    const results = await Promise.all([
      worker('search'),
      worker('status'),
      worker('index', path.join(tmp, 'indexed')),
      worker('discover', path.join(tmp, 'discovered-a')),
      worker('discover', path.join(tmp, 'discovered-b')),
    ]);
    churning = false;
    await churn;
    const cli = await cliRuns;

    const lockFailures = results.reduce((n, r) => n + r.lockFailures, 0) + cli.filter((s) => /database is locked|SQLITE_BUSY/.test(s)).length;
    expect(results.flatMap((r) => r.otherErrors)).toEqual([]);
    console.log(`${results.length + 2} processes (+ ${cli.length} CLI runs) for ${SECONDS} s: ${results.map((r) => `${r.role} ${r.ops} ops`).join(", ")}; lock failures: ${lockFailures}`);
    expect(lockFailures).toBe(0);
    for (const r of results) expect(r.ops, r.role).toBeGreaterThan(0);
    expect(cli.length).toBeGreaterThan(0);
    expect(watch!.exitCode).toBeNull();
    expect(watchOut).not.toMatch(/database is locked|SQLITE_BUSY/);
  });
});
