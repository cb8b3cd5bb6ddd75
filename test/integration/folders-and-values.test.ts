/**
 * Folders and values as a person types them into the app (through the API router, as the web mode
 * and the desktop app call it) and the CLI (issue 21):
 * - addFolder: ~ expanded; a relative path, a missing folder and a file refused, each with its
 *   reason and path; a subfolder of a library folder reported as included (it used to end in
 *   "UNIQUE constraint failed: photos.path" and 0 photos for ever); a parent of library folders
 *   takes them over with their photos' rows, vectors, tags and text — nothing encoded again;
 * - updateSettings: threads outside 1…the logical cores and unknown providers refused (999 used to
 *   start about 3,000 threads); the CLI's --threads likewise;
 * - a first `index` that fails leaves no library file behind.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShiguangApp } from '../../electron/engine/app/app.ts';
import type { DataPaths } from '../../electron/engine/app/paths.ts';
import { createLogger } from '../../electron/engine/util/log.ts';
import { ApiError, type ApiMethod, type ApiRequest, type ApiResponse } from '../../electron/shared/api.ts';
import { ApiRouter } from '../../electron/shared/router.ts';
import { runCli } from './helpers/cli-process.ts';
import { until } from '../support/wait.ts';
import { rejectionOf } from '../support/rejection.ts';

const testModels = process.env.SHIGUANG_TEST_MODELS ?? path.resolve('.cache/test-models');
const toy = path.join(testModels, 'toy-colors');
const shared = path.resolve('../shared/photos');
const realPhotos = fs.existsSync(shared) ? fs.readdirSync(shared).filter((f) => f.endsWith('.JPEG')).sort() : [];

const refusal = (p: Promise<unknown>): Promise<ApiError> => rejectionOf(p, ApiError);

/** Polls `probe` until it returns true: a state, not an interval. */
describe.skipIf(realPhotos.length < 12)('folders as people type them, and settings values', () => {
  let tmp: string;
  let home: string;
  let pictures: string;
  let host: ShiguangApp;
  let router: ApiRouter;
  const call = <M extends ApiMethod>(method: M, req: ApiRequest<M>): Promise<ApiResponse<M>> => router.invoke(method, req);
  const homeBefore = process.env.HOME;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-folders-'));
    home = path.join(tmp, 'me');
    pictures = path.join(home, 'Pictures');
    for (const [dir, files] of [
      ['2023', realPhotos.slice(0, 6)],
      ['2024', realPhotos.slice(6, 12)],
    ] as const) {
      fs.mkdirSync(path.join(pictures, dir), { recursive: true });
      for (const f of files) fs.copyFileSync(path.join(shared, f), path.join(pictures, dir, f));
    }
    fs.writeFileSync(path.join(home, 'notes.txt'), 'not a folder');
    process.env.HOME = home; // what ~ stands for (os.homedir())
    const dataHome = path.join(tmp, 'data');
    const paths: DataPaths = { home: dataHome, db: path.join(dataHome, 'library.db'), models: path.join(dataHome, 'models'), cache: path.join(dataHome, 'cache'), config: path.join(dataHome, 'config.json') };
    host = await ShiguangApp.open({ config: { paths, dbPath: paths.db, modelDir: toy, sessionOverrides: { threads: 1 } }, logger: createLogger('test', 'error'), engine: { autoTag: false } });
    router = new ApiRouter('http').registerAll(host.services());
  });

  afterAll(async () => {
    process.env.HOME = homeBefore;
    await host?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const indexed = async (): Promise<number> => (await call('status', {})).counts.indexed;
  const idle = async (): Promise<boolean> => !(await call('status', {})).progress.running;

  it('refuses a relative path, a missing folder and a file — three reasons, each with the path', async () => {
    expect((await refusal(call('addFolder', { path: 'Pictures/2023' })))).toMatchObject({ code: 'BAD_REQUEST', detail: { reason: 'folder-relative', path: 'Pictures/2023' } });
    expect(await refusal(call('addFolder', { path: '~/Pictures/nope' }))).toMatchObject({ code: 'NOT_FOUND', detail: { reason: 'folder-missing', path: path.join(pictures, 'nope') } });
    expect(await refusal(call('addFolder', { path: '~/notes.txt' }))).toMatchObject({ code: 'BAD_REQUEST', detail: { reason: 'folder-not-a-folder', path: path.join(home, 'notes.txt') } });
    expect(await call('listFolders', {})).toEqual([]);
  });

  it('adds ~/Pictures/2023 as typed (~ expanded) and indexes it', async () => {
    const f = await call('addFolder', { path: '~/Pictures/2023' });
    expect(f.path).toBe(path.join(pictures, '2023'));
    await until(async () => (await indexed()) === 6 && (await idle()), '6 photos indexed');
  });

  it('a subfolder of a library folder is reported as already included; nothing breaks', async () => {
    fs.mkdirSync(path.join(pictures, '2023', 'beach'));
    const err = await refusal(call('addFolder', { path: path.join(pictures, '2023', 'beach') }));
    expect(err).toMatchObject({ code: 'BAD_REQUEST', detail: { reason: 'folder-inside-library', root: path.join(pictures, '2023') } });
    expect((await call('listFolders', {})).map((f) => f.path)).toEqual([path.join(pictures, '2023')]);
    expect(await indexed()).toBe(6);
  });

  it('a parent of library folders takes them over: their photos keep their rows and vectors, nothing is encoded again', async () => {
    await call('addFolder', { path: path.join(pictures, '2024') });
    await until(async () => (await indexed()) === 12 && (await idle()), '12 photos indexed');
    const lib = host.engine!.lib;
    const rows = (): { id: number; path: string; indexedAt: number | null }[] =>
      lib.photos.getMany(Array.from({ length: 100 }, (_, i) => i + 1)).map((r) => ({ id: r.id, path: r.path, indexedAt: r.indexedAt }));
    const before = rows();
    expect(before).toHaveLength(12);

    const generation = (await call('status', {})).libraryGeneration!;
    const f = await call('addFolder', { path: '~/Pictures' });
    expect(f).toMatchObject({ path: pictures, photoCount: 12 });
    // Its first pass has run (the status' generation moves after every pass).
    await until(async () => (await call('status', {})).libraryGeneration! > generation && (await idle()), 'the pass over the parent');
    expect(await call('listFolders', {})).toEqual([{ id: f.id, path: pictures, photoCount: 12, offline: null }]);
    expect(rows()).toEqual(before); // same ids, same paths, not encoded again
    expect(host.engine!.vectors.count()).toBe(12);
    expect((await call('search', { query: '红色', limit: 20, all: true })).hits).toHaveLength(12);
  });

  it('threads outside 1…the logical cores and unknown providers are refused, with what is allowed', async () => {
    const cores = os.availableParallelism();
    for (const threads of [999, cores + 1]) {
      const err = await refusal(call('updateSettings', { threads }));
      expect(err).toMatchObject({ code: 'BAD_REQUEST', detail: { reason: 'threads-range', max: String(cores) }, message: expect.stringMatching(`from 1 to ${cores}`) });
    }
    expect(await refusal(call('updateSettings', { provider: 'warp' }))).toMatchObject({ code: 'BAD_REQUEST', detail: { reason: 'provider-unknown' } });
    expect((await call('settings', {})).threads).toBe(1); // unchanged
    expect((await call('updateSettings', { threads: cores })).threads).toBe(cores);
    expect((await call('search', { query: '蓝色', limit: 5 })).hits.length).toBeGreaterThan(0); // reopened, answering
  });
});

describe('the CLI', () => {
  let tmp: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-firstrun-'));
    env = { ...process.env, SHIGUANG_HOME: path.join(tmp, 'home'), SHIGUANG_LOG: 'warn' };
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('a first `index` that fails leaves no library file behind; one that works makes it', async () => {
    const db = path.join(tmp, 'library.db');
    const missing = await runCli(['--db', db, '--model', toy, '--threads', '1', 'index', path.join(tmp, 'not-there')], { env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/error: folder not found: .*not-there/);
    expect(fs.readdirSync(tmp).filter((f) => f.startsWith('library.db'))).toEqual([]);

    fs.mkdirSync(path.join(tmp, 'photos'));
    if (realPhotos.length) fs.copyFileSync(path.join(shared, realPhotos[0]!), path.join(tmp, 'photos', realPhotos[0]!));
    // Relative to the working folder, as a shell would.
    const ok = await runCli(['--db', db, '--model', toy, '--threads', '1', 'index', '--no-ocr', 'photos'], { env, cwd: tmp });
    expect(ok.code, ok.stderr).toBe(0);
    expect(fs.existsSync(db)).toBe(true);
  });

  it('--threads outside 1…the logical cores is bad usage (exit code 2), with what is allowed', async () => {
    const r = await runCli(['--db', path.join(tmp, 'x.db'), '--model', toy, '--threads', '999', 'status'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`--threads must be a whole number from 1 to ${os.availableParallelism()}`));
    expect(fs.existsSync(path.join(tmp, 'x.db'))).toBe(false);
  });

  it('says the refusals in the CLI’s language (the reason and the path, worded by its catalogue)', async () => {
    const zh = { ...env, SHIGUANG_LANG: 'zh-CN' };
    const missing = await runCli(['--db', path.join(tmp, 'zh.db'), '--model', toy, 'index', path.join(tmp, 'nope')], { env: zh });
    expect(missing.stderr).toContain(`错误：找不到文件夹 ${path.join(tmp, 'nope')}。请检查路径是否拼写正确`);
    const threads = await runCli(['--db', path.join(tmp, 'zh.db'), '--model', toy, '--threads', '999', 'status'], { env: zh });
    expect(threads.code).toBe(2);
    expect(threads.stderr).toContain(`线程数必须是 1 到 ${os.availableParallelism()} 之间的整数`);
  });
});
