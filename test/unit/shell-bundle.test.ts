/**
 * scripts/build-electron.ts produces bundles that load: externals are only builtins, electron and
 * runtime dependencies; the preload is one sandbox-safe CommonJS file; and the bundled engine
 * process really starts, indexes, searches (through the bundled encoder worker) and serves media
 * paths the media guard accepts. Electron cannot run here, so the engine bundle runs under Node
 * with a stand-in for Electron's process.parentPort.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildElectron, NODE_BUILTINS, preloadRequires } from '../../scripts/build-electron.ts';
import { engineEnv, resolveAppPaths } from '../../electron/main/paths.ts';
import { isServablePath } from '../../electron/transport/media-guard.ts';
import { ENGINE_MEDIA_FILE, ENGINE_THUMBNAIL_ROOTS, type EngineResponse } from '../../electron/shared/ipc.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const deps = Object.keys((JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies);

let work: string;
let out: string;

/** Bare specifiers a bundle imports (static, dynamic, require). */
function specifiers(code: string): string[] {
  const re = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\(\s*)["']([^"'./][^"']*)["']/g;
  return [...new Set([...code.matchAll(re)].map((m) => m[1]))];
}

function packageOf(spec: string): string {
  return spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
}

beforeAll(async () => {
  // Inside the repo (ignored .cache/) so the bundles resolve node_modules as they will in the app.
  fs.mkdirSync(path.join(ROOT, '.cache'), { recursive: true });
  work = fs.mkdtempSync(path.join(ROOT, '.cache', 'shell-bundle-'));
  out = path.join(work, 'out');
  await buildElectron({ outDir: out });
}, 120_000);

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('bundles', () => {
  it('writes the six entries', () => {
    for (const f of ['main/index.js', 'main/engine-process.js', 'main/encoder-worker.js', 'main/graph-worker.js', 'main/ocr-worker.js', 'preload/index.cjs']) {
      expect(fs.existsSync(path.join(out, f)), f).toBe(true);
    }
  });

  it('leaves only builtins, electron (main only) and runtime dependencies external', () => {
    for (const f of ['main/index.js', 'main/engine-process.js', 'main/encoder-worker.js', 'main/graph-worker.js', 'main/ocr-worker.js']) {
      const specs = specifiers(fs.readFileSync(path.join(out, f), 'utf8'));
      const allowed = (s: string) => NODE_BUILTINS.has(s) || deps.includes(packageOf(s)) || (s === 'electron' && f === 'main/index.js');
      expect(specs.filter((s) => !allowed(s)), f).toEqual([]);
      expect(specs.some((s) => s.endsWith('.ts')), f).toBe(false);
    }
    // The main process must not pull the engine (native modules) into its own process.
    const main = specifiers(fs.readFileSync(path.join(out, 'main/index.js'), 'utf8'));
    for (const heavy of ['better-sqlite3', 'onnxruntime-node', 'sharp', 'sqlite-vec']) expect(main).not.toContain(heavy);
  });

  it('makes the preload one file that only requires electron', () => {
    const code = fs.readFileSync(path.join(out, 'preload/index.cjs'), 'utf8');
    expect(preloadRequires(code)).toEqual(['electron']);
    expect(code).toContain('exposeInMainWorld');
    expect(code).not.toMatch(/\bimport\s/);
  });
});

describe('the bundled engine process', () => {
  let child: ChildProcess;
  let home: string;
  let photos: string;
  const pending = new Map<number, (r: EngineResponse) => void>();
  const lifecycle: unknown[] = [];
  let nextId = 1;

  function call(method: string, payload: unknown): Promise<EngineResponse> {
    const id = nextId++;
    return new Promise((resolve) => {
      pending.set(id, resolve);
      child.send({ id, method, payload });
    });
  }

  async function ok<T>(method: string, payload: unknown): Promise<T> {
    const r = await call(method, payload);
    if (!r.ok) throw new Error(`${method}: ${r.error.code} ${r.error.message}`);
    return r.result as T;
  }

  beforeAll(async () => {
    home = path.join(work, 'home');
    photos = path.join(work, 'photos');
    fs.mkdirSync(photos, { recursive: true });
    for (const [name, rgb] of [['red.jpg', { r: 220, g: 20, b: 20 }], ['blue.jpg', { r: 20, g: 40, b: 220 }]] as const) {
      await sharp({ create: { width: 96, height: 64, channels: 3, background: rgb } }).jpeg().toFile(path.join(photos, name));
    }
    // Electron's utility process gets process.parentPort; under Node, emulate it over fork IPC.
    const shim = path.join(work, 'parent-port-shim.mjs');
    fs.writeFileSync(
      shim,
      `process.parentPort = {
  postMessage: (m) => process.send(m),
  on: (ev, cb) => { if (ev === 'message') process.on('message', (data) => cb({ data })); },
};\n`,
    );
    const models = process.env.SHIGUANG_TEST_MODELS ?? path.join(ROOT, '.cache', 'test-models');
    const paths = resolveAppPaths({ isPackaged: false, resourcesPath: '', appPath: ROOT });
    const base: NodeJS.ProcessEnv = { ...process.env, SHIGUANG_HOME: home, SHIGUANG_MODEL: path.join(models, 'tiny') };
    delete base.SHIGUANG_DB; // the database must come from SHIGUANG_HOME, as in the app
    child = fork(path.join(out, 'main/engine-process.js'), [], {
      execArgv: ['--import', shim],
      env: engineEnv(paths, base),
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('message', (m: unknown) => {
      const r = m as EngineResponse;
      if (typeof r.id === 'number') pending.get(r.id)?.(r);
      else lifecycle.push(m);
    });
    await new Promise<void>((resolve, reject) => {
      child.on('message', (m: { type?: string; error?: { message: string } }) => {
        if (m.type === 'ready') resolve();
        if (m.type === 'fatal') reject(new Error(`engine failed: ${m.error?.message}\n${stderr}`));
      });
      child.on('exit', (code) => reject(new Error(`engine exited with ${code}\n${stderr}`)));
    });
  }, 120_000);

  afterAll(() => {
    if (child && child.exitCode === null) child.kill();
  });

  it('answers status with the model it opened', async () => {
    const status = await ok<{ model: { id: string } }>('status', {});
    expect(status.model.id).toBe('test-tiny');
  });

  it('indexes a folder and searches it through the bundled encoder worker', async () => {
    await ok('addFolder', { path: photos });
    await expect
      .poll(async () => (await ok<{ counts: { indexed: number } }>('status', {})).counts.indexed, { timeout: 60_000, interval: 200 })
      .toBe(2);
    const res = await ok<{ hits: { id: number; fileName: string }[] }>('search', { query: '红色的照片', all: true });
    expect(res.hits.map((h) => h.fileName).sort()).toEqual(['blue.jpg', 'red.jpg']);

    // A thumbnail path from the engine lies inside the roots the media guard is given.
    const id = res.hits[0].id;
    const thumb = await ok<string>(ENGINE_MEDIA_FILE, { photoId: id, kind: 'thumb' });
    const roots = await ok<string[]>(ENGINE_THUMBNAIL_ROOTS, {});
    const realRoots = roots.map((r) => fs.realpathSync(r));
    expect(isServablePath(fs.realpathSync(thumb), realRoots)).toBe(true);
  }, 90_000);

  it('refuses invalid requests with BAD_REQUEST', async () => {
    expect(await call('search', { query: '' })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  });

  it('shuts down cleanly on request', async () => {
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.send({ type: 'shutdown' });
    expect(await exited).toBe(0);
  }, 30_000);
});
