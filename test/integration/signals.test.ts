/**
 * Ctrl-C (SIGINT) and SIGTERM stop `index`, `watch` and `serve` within 5 s in every state —
 * indexing, reading text (OCR), preparing tags, downloading a model, making an int8 model — and
 * leave the library consistent (issue 21; cli/shutdown.ts). Each case spawns the CLI as a person
 * runs it, waits for the state by reading what the process reports (its progress lines, its log,
 * its API) — never for a fixed interval —, signals it, measures how long it takes to exit, and
 * then checks the database: intact, every indexed photo with its vector, and the next run
 * finishing what was cut short.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeColourSet } from '../../scripts/fixtures/colour-photos.ts';
import { runCli, spawnCli, type CliProcess } from './helpers/cli-process.ts';

const models = process.env.SHIGUANG_TEST_MODELS ?? path.resolve('.cache/test-models');
const toy = path.join(models, 'toy-colors');
const mini = path.join(models, 'mini-clip');
const shared = path.resolve('../shared/photos');
const realPhotos = fs.existsSync(shared) ? fs.readdirSync(shared).filter((f) => f.endsWith('.JPEG')).sort() : [];

/** The library after a stop: intact, and no photo marked indexed without its vector (or the reverse). */
function checkConsistent(db: string): { indexed: number; pending: number; read: number } {
  const sql = new BetterSqlite3(db);
  try {
    expect(sql.pragma('integrity_check', { simple: true })).toBe('ok');
    const table = sql.prepare(`SELECT vec_table FROM models WHERE state = 'active'`).pluck().get() as string;
    const indexed = sql.prepare(`SELECT count(*) FROM photos WHERE status = 'indexed'`).pluck().get() as number;
    const pending = sql.prepare(`SELECT count(*) FROM photos WHERE status = 'pending'`).pluck().get() as number;
    const vectors = sql.prepare(`SELECT count(*) FROM ${table}_rowids`).pluck().get() as number;
    expect(vectors).toBe(indexed);
    const read = sql.prepare(`SELECT count(*) FROM ocr_state`).pluck().get() as number;
    return { indexed, pending, read };
  } finally {
    sql.close();
  }
}

/**
 * Stop it and check the exit: within 5 s, either in order (the command's exit code) or — when the
 * work in hand could not stop in time — by the signal itself; never a crash (SIGABRT, SIGSEGV).
 */
async function stopWithin5s(p: CliProcess, signal: NodeJS.Signals, code: number): Promise<void> {
  const r = await p.signal(signal);
  console.log(`  ${signal} → ${r.code !== null ? `exit ${r.code}` : `ended by ${r.signal}`} in ${Math.round(r.ms)} ms`);
  if (r.code !== code) console.log(p.lines.slice(-15).join('\n'));
  expect(r.code === code || r.signal === signal, `exit ${r.code}, signal ${r.signal}`).toBe(true);
  expect(r.ms).toBeLessThan(5000);
}

describe.skipIf(realPhotos.length < 40)('stopping with SIGINT / SIGTERM', { timeout: 180_000 }, () => {
  let tmp: string;
  let env: NodeJS.ProcessEnv;
  let many: string; // enough photos that indexing them takes a while
  let real: string; // real photos: reading their text takes a while
  const args = (db: string, ...rest: string[]): string[] => ['--db', db, '--model', toy, '--threads', '1', ...rest];

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-signals-'));
    env = { ...process.env, SHIGUANG_HOME: path.join(tmp, 'home'), SHIGUANG_LOG: 'info' };
    many = path.join(tmp, 'many');
    await writeColourSet(many, ['red', 'green', 'blue', 'yellow', 'white', 'black', 'gray'], 60, 640);
    real = path.join(tmp, 'real');
    fs.mkdirSync(real);
    for (const f of realPhotos) fs.copyFileSync(path.join(shared, f), path.join(real, f));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  describe('index', () => {
    it('while indexing: stops, and the next run indexes only the rest', async () => {
      const db = path.join(tmp, 'index-encoding.db');
      const p = spawnCli(args(db, 'index', '--no-ocr', many), { env });
      try {
        await p.waitFor(/^indexing: \d+\/420 photos/);
        await stopWithin5s(p, 'SIGINT', 130);
      } finally {
        p.kill();
      }
      const after = checkConsistent(db);
      expect(after.indexed).toBeLessThan(420);
      const again = await runCli(args(db, 'index', '--no-ocr', many), { env });
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).toMatch(new RegExp(`encoded ${420 - after.indexed},`));
      expect(checkConsistent(db)).toMatchObject({ indexed: 420, pending: 0 });
    });

    it('while reading text: stops, and the next run reads only the rest', async () => {
      const db = path.join(tmp, 'index-ocr.db');
      const p = spawnCli(args(db, 'index', real), { env });
      try {
        await p.waitFor(/^text \(OCR\): \d+\/\d+ photos/);
        await stopWithin5s(p, 'SIGTERM', 143);
      } finally {
        p.kill();
      }
      const after = checkConsistent(db);
      expect(after.read).toBeLessThan(realPhotos.length);
      const again = await runCli(args(db, 'index', real), { env });
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).toMatch(new RegExp(`text \\(OCR\\): read ${realPhotos.length - after.read} photos`));
    });

    it('while preparing tags: stops, and `index --tags` later prepares them', async () => {
      const db = path.join(tmp, 'index-tags.db');
      const p = spawnCli(args(db, 'index', '--no-ocr', '--tags', real), { env });
      try {
        await p.waitFor(/^tag prompts: \d+\/\d+/);
        await stopWithin5s(p, 'SIGINT', 130);
      } finally {
        p.kill();
      }
      checkConsistent(db);
      const again = await runCli(args(db, 'index', '--no-ocr', '--tags', real), { env });
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).toMatch(/tags: \d+ photos tagged/);
    });
  });

  describe('watch', () => {
    it('while indexing', async () => {
      const db = path.join(tmp, 'watch-encoding.db');
      const p = spawnCli(args(db, 'watch', many), { env });
      try {
        await p.waitFor(/^indexing: \d+\/420 photos/);
        await stopWithin5s(p, 'SIGINT', 0);
      } finally {
        p.kill();
      }
      expect(checkConsistent(db).indexed).toBeLessThan(420);
    });

    it('while preparing tags in the background, then while reading text', async () => {
      const db = path.join(tmp, 'watch-background.db');
      // Tags: right after the first pass the tag prompts are being prepared (a new library has none).
      let p = spawnCli(args(db, 'watch', real), { env });
      try {
        const watching = await p.waitFor(/^watching /);
        expect(p.lines.slice(watching).some((l) => /tag vectors: encoded|tags: tagged/.test(l))).toBe(false);
        await stopWithin5s(p, 'SIGTERM', 0);
      } finally {
        p.kill();
      }
      checkConsistent(db);
      // Text: once the tags are ready the photos are still being read (50 real photos).
      p = spawnCli(args(db, 'watch'), { env });
      try {
        await p.waitFor(/tags: tagged \d+ photos/);
        expect(checkConsistent(db).read).toBeLessThan(realPhotos.length);
        await stopWithin5s(p, 'SIGINT', 0);
      } finally {
        p.kill();
      }
      checkConsistent(db);
    });
  });

  describe('serve', () => {
    /** `serve` with its URL and token, and a way to call its API. */
    async function startServe(db: string, home: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<{ p: CliProcess; api: <T>(method: string, body?: object) => Promise<T> }> {
      const p = spawnCli(args(db, 'serve'), { env: { ...env, SHIGUANG_HOME: home, ...extraEnv } });
      const i = await p.waitFor(/http:\/\/127\.0\.0\.1:\d+\/\?token=/);
      const url = new URL(/(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(p.lines[i]!)![1]!);
      const token = url.searchParams.get('token')!;
      const api = async <T>(method: string, body: object = {}): Promise<T> => {
        const res = await fetch(`${url.origin}/api/${method}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
        const json = (await res.json()) as T;
        if (!res.ok) throw new Error(`${method}: HTTP ${res.status} ${JSON.stringify(json)}`);
        return json;
      };
      return { p, api };
    }
    const until = async (probe: () => Promise<boolean>, what: string): Promise<void> => {
      const deadline = Date.now() + 120_000;
      while (!(await probe())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };

    it('while indexing a folder added in the page', async () => {
      const db = path.join(tmp, 'serve-encoding.db');
      const { p, api } = await startServe(db, path.join(tmp, 'home'));
      try {
        await api('addFolder', { path: many });
        await until(async () => (await api<{ progress: { running: boolean; done: number } }>('status')).progress.running, 'indexing to run');
        await stopWithin5s(p, 'SIGTERM', 0);
      } finally {
        p.kill();
      }
      expect(checkConsistent(db).indexed).toBeLessThan(420);
    });

    it('while downloading a model (a source that stalls half-way)', async () => {
      const stalled = new Set<http.ServerResponse>();
      const hub = http.createServer((req, res) => {
        // The size the catalogue expects for the file (a different size is refused as "not the expected file").
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(349_000_000) });
        if (req.method === 'HEAD') return void res.end();
        res.write(Buffer.alloc(1 << 20, 7)); // a first MiB, then nothing: a connection that stalls
        stalled.add(res);
      });
      await new Promise<void>((r) => hub.listen(0, '127.0.0.1', r));
      const base = `http://127.0.0.1:${(hub.address() as AddressInfo).port}`;
      const db = path.join(tmp, 'serve-download.db');
      const { p, api } = await startServe(db, path.join(tmp, 'home-download'), { SHIGUANG_MODEL_SOURCES: `hf:${base}` });
      try {
        await api('downloadModel', { id: 'cn-clip-vit-b-16' });
        await until(async () => (await api<{ state: string; bytes: number }[]>('modelDownloads')).some((d) => d.state === 'running' && d.bytes > 0), 'the download to be under way');
        await stopWithin5s(p, 'SIGINT', 0);
      } finally {
        p.kill();
        for (const r of stalled) r.destroy();
        await new Promise((r) => hub.close(r));
      }
      checkConsistent(db);
      // What was downloaded so far is kept for the next try (resumed, not started again).
      const partial = fs.readdirSync(path.join(tmp, 'home-download', 'models'), { recursive: true }).map(String);
      expect(partial.some((f) => /\.part$|\.partial$|download/.test(f))).toBe(true);
    });

    it('while making an int8 model', async () => {
      const home = path.join(tmp, 'home-int8');
      const db = path.join(tmp, 'serve-int8.db');
      const imported = await runCli(['--db', db, 'models', 'import', mini], { env: { ...env, SHIGUANG_HOME: home } });
      expect(imported.code, imported.stderr).toBe(0);
      expect((await runCli(args(db, 'index', '--no-ocr', real), { env: { ...env, SHIGUANG_HOME: home } })).code).toBe(0);
      const { p, api } = await startServe(db, home);
      try {
        await api('quantizeModel', { id: 'test-mini-clip' });
        await until(async () => (await api<{ state: string }[]>('modelQuantizations')).some((q) => q.state === 'running'), 'the int8 model to be in the making');
        await stopWithin5s(p, 'SIGTERM', 0);
      } finally {
        p.kill();
      }
      checkConsistent(db);
      // Nothing half-made is installed: the int8 model is either absent or complete.
      const list = JSON.parse((await runCli(['--db', db, 'models', 'list', '--json'], { env: { ...env, SHIGUANG_HOME: home } })).stdout) as { otherInstalled: { id: string; error: string | null }[] };
      expect(list.otherInstalled.filter((m) => m.error)).toEqual([]);
    });
  });
});
