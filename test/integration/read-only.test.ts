/**
 * The photos are read-only to the app: after `index`, `tags apply`, `watch` and `serve` (every
 * thumbnail and original fetched over HTTP), every file's bytes and mtime, every link and every
 * directory listing under the library root — and in a folder outside it that links point to —
 * are exactly as before. And under `watch`, links planted in the library (to a photo outside, to
 * a text file outside) are recorded as skipped, never encoded, never served.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeHostileCorpus, type HostileCorpus } from '../../scripts/fixtures/hostile-corpus.ts';
import { writeColourSet } from '../../scripts/fixtures/colour-photos.ts';
import { openLibrary } from '../../electron/engine/store/library.ts';
import { until } from '../support/wait.ts';

const run = promisify(execFile);
const models = process.env.SHIGUANG_TEST_MODELS ?? path.resolve('.cache/test-models');
const toy = path.join(models, 'toy-colors');

/** Everything observable about a tree, links not followed; names as raw bytes (hex). */
function snapshot(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: Buffer): void => {
    const names = fs.readdirSync(dir, { encoding: 'buffer' }).map((n) => Buffer.from(n));
    const st = fs.lstatSync(dir);
    out.set(dir.toString('hex'), `dir mtime=${st.mtimeMs} [${names.map((n) => n.toString('hex')).sort().join(',')}]`);
    for (const n of names) {
      const p = Buffer.concat([dir, Buffer.from(path.sep), n]);
      const s = fs.lstatSync(p);
      if (s.isSymbolicLink()) out.set(p.toString('hex'), `link -> ${fs.readlinkSync(p, { encoding: 'buffer' }).toString('hex')} mtime=${s.mtimeMs}`);
      else if (s.isDirectory()) walk(p);
      else if (s.isFile()) out.set(p.toString('hex'), `file ${s.size} mtime=${s.mtimeMs} mode=${s.mode} sha=${crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex')}`);
      else out.set(p.toString('hex'), `special mode=${s.mode} mtime=${s.mtimeMs}`);
    }
  };
  walk(Buffer.from(root));
  return out;
}

function diff(a: Map<string, string>, b: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [k, v] of a) if (b.get(k) !== v) out.push(`${Buffer.from(k, 'hex').toString()}: ${v} → ${b.get(k) ?? 'gone'}`);
  for (const k of b.keys()) if (!a.has(k)) out.push(`${Buffer.from(k, 'hex').toString()}: new`);
  return out;
}

/** Start a long-running CLI command and resolve once a line matching `ready` appears. */
function start(args: string[], env: NodeJS.ProcessEnv, ready: RegExp): Promise<{ child: ChildProcess; out: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'electron/cli/main.ts', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer): void => {
      text += d.toString();
      if (ready.test(text)) resolve({ child, out: () => text });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited ${code} before ready: ${text}`)));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGINT');
  await exited;
}

describe.skipIf(process.platform !== 'linux')('the photos are read-only to the app', () => {
  let tmp: string;
  let corpus: HostileCorpus;
  let db: string;
  let env: NodeJS.ProcessEnv;
  const base = (): string[] => ['--db', db, '--model', toy, '--threads', '1'];

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-ro-'));
    corpus = await writeHostileCorpus(tmp);
    await writeColourSet(path.join(corpus.root, 'colours'), ['red', 'blue'], 3);
    db = path.join(tmp, 'data', 'lib.db');
    const renderer = path.join(tmp, 'renderer');
    fs.mkdirSync(renderer);
    fs.writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>test</title>');
    env = { ...process.env, SHIGUANG_HOME: path.join(tmp, 'home'), SHIGUANG_LOG: 'warn', SHIGUANG_RENDERER_DIR: renderer };
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('index, tags apply, watch and serve change nothing under the root or outside it', async () => {
    const before = snapshot(corpus.root);
    const outsideBefore = snapshot(corpus.outside);

    await run(process.execPath, ['--import', 'tsx', 'electron/cli/main.ts', ...base(), 'index', corpus.root], { env });
    await run(process.execPath, ['--import', 'tsx', 'electron/cli/main.ts', ...base(), 'tags', 'apply'], { env });
    const watch = await start([...base(), 'watch'], env, /watching /);
    await new Promise((r) => setTimeout(r, 1500));
    await stop(watch.child);

    const serve = await start([...base(), 'serve'], env, /serving on (http:\/\/\S+)/);
    try {
      const url = new URL(/serving on (http:\/\/\S+)/.exec(serve.out())![1]);
      const token = url.searchParams.get('token')!;
      const lib = openLibrary(db);
      const ids = lib.photos.listPathsUnder(lib.folders.list()[0].id).map((r) => r.id);
      lib.close();
      let served = 0;
      for (const id of ids) {
        for (const kind of ['thumb', 'original']) {
          const res = await fetch(new URL(`/media/${kind}/${id}?token=${token}`, url));
          if (res.ok) served++;
          await res.arrayBuffer();
        }
      }
      expect(served).toBeGreaterThan(20);
    } finally {
      await stop(serve.child);
    }

    expect(diff(before, snapshot(corpus.root))).toEqual([]);
    expect(diff(outsideBefore, snapshot(corpus.outside))).toEqual([]);
  });

  it('under watch, links planted in the library are recorded as skipped, never encoded or served', async () => {
    const watch = await start([...base(), 'watch'], env, /watching /);
    try {
      const planted = path.join(corpus.root, 'planted');
      fs.mkdirSync(planted);
      fs.symlinkSync(path.join(corpus.outside, 'other.jpg'), path.join(planted, 'outside-photo.jpg'));
      fs.symlinkSync(path.join(corpus.outside, 'passwd.txt'), path.join(planted, 'passwd.jpg'));
      const rowsOf = (): { path: string; status: string; skipReason: string | null; hash: string | null }[] => {
        const lib = openLibrary(db);
        try {
          return lib.photos
            .listPathsUnder(lib.folders.list()[0].id)
            .filter((r) => r.path.startsWith(planted))
            .map((r) => lib.photos.get(r.id)!);
        } finally {
          lib.close();
        }
      };
      await until(() => rowsOf().length === 2, 'both planted links to be seen', 30_000);
      for (const r of rowsOf()) {
        expect(r.status).toBe('skipped');
        expect(r.skipReason).toMatch(/^symlink: a link to a file outside/);
        expect(r.hash).toBeNull();
      }
    } finally {
      await stop(watch.child);
    }
  });
});
