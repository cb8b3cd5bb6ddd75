/**
 * `npm run stress`: the longer versions of the integrity tests, with figures written as JSON to
 * bench-results/stress-latest.json. Not part of `npm test` (minutes, and wall-clock figures).
 *
 *   watch     ROUNDS rounds of OPS seeded random operations under watch (see
 *             scripts/fixtures/watch-churn.ts) on a library of BASE photos; after each round, the
 *             time until the library equals the disk (every file indexed with its current content,
 *             nothing else).
 *   sigkill   KILLS trials: `shiguang index` on a fresh copy of the photos is SIGKILLed at a random
 *             moment, then run again to the end; each trial must end with every photo indexed,
 *             integrity_check ok, and the second run encoding only what the first had not stored.
 *             The kill comes at a random point: once k of the photos are stored (k random in 0..149).
 *
 * Options (environment): STRESS_ONLY=watch,sigkill  STRESS_OPS=1000  STRESS_ROUNDS=3
 *   STRESS_BASE=200  STRESS_KILLS=10  STRESS_SEED=1
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Engine } from '../../electron/engine/engine.ts';
import { createLogger } from '../../electron/engine/util/log.ts';
import { generateTestModels } from '../models/generate-test-models.ts';
import { churn, photoPool } from '../fixtures/watch-churn.ts';
import { waitUntilEqual } from './library-vs-disk.ts';

const only = new Set((process.env.STRESS_ONLY ?? 'watch,sigkill').split(','));
const OPS = Number(process.env.STRESS_OPS ?? 1000);
const ROUNDS = Number(process.env.STRESS_ROUNDS ?? 3);
const BASE = Number(process.env.STRESS_BASE ?? 200);
const KILLS = Number(process.env.STRESS_KILLS ?? 10);
const SEED = Number(process.env.STRESS_SEED ?? 1);
const log = (m: string): void => void process.stderr.write(`[stress] ${m}\n`);

const modelsDir = path.resolve('.cache/test-models');
const toy = path.join(modelsDir, 'toy-colors');

async function stressWatch(): Promise<Record<string, unknown>> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-stress-'));
  const root = path.join(tmp, 'photos');
  const engine = await Engine.open({
    dbPath: path.join(tmp, 'lib.db'),
    modelDir: toy,
    logger: createLogger('stress', 'error'),
    autoTag: false,
    // Product defaults for the watcher, except a quicker re-check after bursts.
    watcher: { rescan: { afterBurstMs: 1000, periodicMs: 0 } },
  });
  try {
    const base = await photoPool(BASE, SEED + 100);
    base.forEach((b, i) => {
      const d = path.join(root, `album-${i % 8}`);
      fs.mkdirSync(d, { recursive: true });
      fs.writeFileSync(path.join(d, `base-${i}.jpg`), b);
    });
    await engine.indexFolders([root]);
    await engine.watch();
    const pool = await photoPool(Math.max(OPS, 200), SEED);
    const rounds: unknown[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const t0 = Date.now();
      const done = await churn(root, pool, { ops: OPS, seed: SEED * 1000 + r, burstEvery: 50, burstPauseMs: 400 });
      const churnSeconds = (Date.now() - t0) / 1000;
      const { ms, diff } = await waitUntilEqual(engine, root, 120_000);
      const files = fs.readdirSync(root, { recursive: true }).filter((f) => String(f).endsWith('.jpg')).length;
      rounds.push({ ops: done.ops, byKind: done.byKind, churnSeconds, convergedMs: diff.length ? null : ms, problems: diff.slice(0, 10), filesAfter: files });
      log(`round ${r + 1}: ${done.ops} ops in ${churnSeconds.toFixed(1)} s → ${diff.length ? `NOT equal after ${ms} ms: ${diff.slice(0, 3).join('; ')}` : `equal to disk ${ms} ms after the last op`} (${files} photos)`);
    }
    return { baseLibrary: BASE, opsPerRound: OPS, rounds };
  } finally {
    await engine.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Rows stored so far (any status, and indexed), read from a second connection as the run goes. */
function progressOf(db: string): { rows: number; indexed: number } {
  if (!fs.existsSync(db)) return { rows: 0, indexed: 0 };
  try {
    const sql = new BetterSqlite3(db, { readonly: true, timeout: 100 });
    try {
      const r = sql.prepare(`SELECT count(*) AS rows, count(*) FILTER (WHERE status = 'indexed') AS indexed FROM photos`).get() as { rows: number; indexed: number };
      return r;
    } finally {
      sql.close();
    }
  } catch {
    return { rows: 0, indexed: 0 }; // not created yet
  }
}

/** `shiguang index`; SIGKILLed once `killAtIndexed` photos are stored (0: as soon as any row exists). */
function runIndex(db: string, photos: string, killAtIndexed: number | null): Promise<{ code: number | null; signal: string | null; out: string; killedWith: number | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'electron/cli/main.ts', '--db', db, '--model', toy, '--threads', '1', 'index', '--json', photos], {
      env: { ...process.env, SHIGUANG_LOG: 'error', SHIGUANG_HOME: path.join(path.dirname(db), 'home') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let killedWith: number | null = null;
    child.stdout.on('data', (d) => (out += d));
    const timer =
      killAtIndexed === null
        ? null
        : setInterval(() => {
            const p = progressOf(db);
            if (p.rows > 0 && p.indexed >= killAtIndexed) {
              killedWith = p.indexed;
              child.kill('SIGKILL');
            }
          }, 25);
    child.on('exit', (code, signal) => {
      if (timer) clearInterval(timer);
      resolve({ code, signal, out, killedWith });
    });
  });
}

async function stressSigkill(): Promise<Record<string, unknown>> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-kill-'));
  try {
    const photos = path.join(tmp, 'photos');
    const pool = await photoPool(150, SEED + 7);
    pool.forEach((b, i) => {
      fs.mkdirSync(path.join(photos, `d${i % 5}`), { recursive: true });
      fs.writeFileSync(path.join(photos, `d${i % 5}`, `${i}.jpg`), b);
    });
    let seed = SEED;
    const rand = (): number => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);
    const trials: unknown[] = [];
    let survived = 0;
    for (let t = 0; t < KILLS; t++) {
      const db = path.join(tmp, `t${t}`, 'lib.db');
      fs.mkdirSync(path.dirname(db), { recursive: true });
      // Killed at a random point of the run: during reconcile (0) or after k of 150 photos are stored.
      const killAt = Math.floor(rand() * 150);
      const first = await runIndex(db, photos, killAt);
      const killed = first.signal === 'SIGKILL';
      const second = await runIndex(db, photos, null);
      const summary = second.code === 0 ? (JSON.parse(second.out) as { encoded: number; library: { indexed: number; pending: number; skipped: number } }) : null;
      const sql = new BetterSqlite3(db, { readonly: true });
      const integrity = sql.pragma('integrity_check', { simple: true });
      sql.close();
      // Nothing the first run stored is encoded again.
      const noReencode = summary !== null && summary.encoded <= 150 - (first.killedWith ?? 0);
      const ok = summary !== null && integrity === 'ok' && summary.library.indexed === 150 && summary.library.pending === 0 && noReencode;
      if (ok) survived++;
      trials.push({ killAtIndexed: killAt, storedWhenKilled: first.killedWith, killed, integrity, secondRunEncoded: summary?.encoded ?? null, ok });
      log(`trial ${t + 1}: ${killed ? `SIGKILL with ${first.killedWith} of 150 stored` : 'finished before the kill'} → ${ok ? 'ok' : 'FAILED'}, second run encoded ${summary?.encoded}, integrity ${integrity}`);
    }
    return { photos: 150, trials: KILLS, survived, details: trials };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

await generateTestModels(modelsDir);
const results: Record<string, unknown> = { date: new Date().toISOString(), machine: { cpus: os.cpus().length, platform: `${process.platform}-${process.arch}`, node: process.version }, seed: SEED };
if (only.has('watch')) results.watch = await stressWatch();
if (only.has('sigkill')) results.sigkill = await stressSigkill();
fs.mkdirSync('bench-results', { recursive: true });
fs.writeFileSync(path.join('bench-results', 'stress-latest.json'), JSON.stringify(results, null, 2) + '\n');
process.stdout.write(JSON.stringify(results, null, 2) + '\n');
