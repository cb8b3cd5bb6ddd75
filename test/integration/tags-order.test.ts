/**
 * Tags whatever the order of the commands a person runs (the tags pass, tags/tags-pass.ts): as soon
 * as the tag prompts exist, every photo is tagged and custom tags apply to every photo —
 *  1. `index` (no --tags), then `tags add 红色`: the prompts are prepared then and every photo is
 *     tagged first (this printed "added 红色: 0 photos" before the tags became a pass);
 *  2. `index`, then the app (`serve`): the app prepares the prompts in the background and tags
 *     the library; a custom tag added in the UI then counts every photo;
 *  3. `watch` on a new library: indexed, then tagged in the background.
 * The toy-colors model, whose text tower maps 红/蓝/绿/白 to the photos' dominant colours.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShiguangApp } from '../../electron/engine/app/app.ts';
import type { DataPaths } from '../../electron/engine/app/paths.ts';
import { createLogger } from '../../electron/engine/util/log.ts';
import type { ApiMethod, ApiRequest, ApiResponse } from '../../electron/shared/api.ts';
import { ApiRouter } from '../../electron/shared/router.ts';
import { writeColourSet } from '../../scripts/fixtures/colour-photos.ts';
import { untilValue } from '../support/wait.ts';

const run = promisify(execFile);
const toy = path.join(process.env.SHIGUANG_TEST_MODELS ?? path.resolve('.cache/test-models'), 'toy-colors');

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-tags-order-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A library of its own: photos (3 red, 3 blue, 2 white) and a data directory. */
async function library(name: string): Promise<{ photos: string; paths: DataPaths }> {
  const home = path.join(tmp, name, 'home');
  const photos = path.join(tmp, name, 'photos');
  await writeColourSet(photos, ['red', 'blue'], 3);
  await writeColourSet(path.join(photos, 'more'), ['white'], 2, 60);
  const paths: DataPaths = { home, db: path.join(home, 'library.db'), models: path.join(home, 'models'), cache: path.join(home, 'cache'), config: path.join(home, 'config.json') };
  return { photos, paths };
}

function cli(paths: DataPaths, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, ['--import', 'tsx', 'electron/cli/main.ts', '--db', paths.db, '--model', toy, '--threads', '1', ...args], {
    env: { ...process.env, SHIGUANG_HOME: paths.home, SHIGUANG_LOG: 'warn' },
    maxBuffer: 64 << 20,
  });
}

async function openApp(paths: DataPaths, watch: boolean): Promise<{ app: ShiguangApp; call: <M extends ApiMethod>(m: M, r: ApiRequest<M>) => Promise<ApiResponse<M>> }> {
  const app = await ShiguangApp.open({
    config: { paths, dbPath: paths.db, modelDir: toy, sessionOverrides: { threads: 1 } },
    logger: createLogger('test', 'error'),
    watch,
    catchUp: watch,
  });
  const router = new ApiRouter('http').registerAll(app.services());
  return { app, call: (m, r) => router.invoke(m, r) };
}

const redNames = ['red-1.jpg', 'red-2.jpg', 'red-3.jpg'];

describe('tags whatever the order', () => {
  it('index, then tags add: the prompts are prepared and every photo tagged before the tag is judged', async () => {
    const { photos, paths } = await library('index-then-add');
    const indexed = await cli(paths, ['index', photos]);
    expect(indexed.stderr).toMatch(/tags: not prepared for this model yet/);
    const added = await cli(paths, ['tags', 'add', '红色']);
    expect(added.stdout).toMatch(/added 红色: 3 photos/);
    const mine = await cli(paths, ['tags', 'add', '红红的东西']);
    expect(mine.stdout).toMatch(/added 红红的东西: 3 photos/);
    const tagsOfRed = JSON.parse((await cli(paths, ['tags', 'photo', path.join(photos, 'red-1.jpg'), '--json'])).stdout) as { name: string }[];
    expect(tagsOfRed.map((t) => t.name)).toEqual(expect.arrayContaining(['红色', '红红的东西']));
    const list = JSON.parse((await cli(paths, ['tags', 'list', '--json'])).stdout) as { name: string; photoCount: number }[];
    expect(list.find((t) => t.name === '红色')?.photoCount).toBe(3);
    expect(list.find((t) => t.name === '白色')?.photoCount).toBe(2);
    // Prompts ready now: a later index tags what it adds on the way, without --tags.
    await writeColourSet(path.join(photos, 'later'), ['red'], 1, 80);
    const later = await cli(paths, ['index', photos]);
    expect(later.stderr).not.toMatch(/not prepared/);
    const laterTags = JSON.parse((await cli(paths, ['tags', 'photo', path.join(photos, 'later', 'red-1.jpg'), '--json'])).stdout) as { name: string }[];
    expect(laterTags.map((t) => t.name)).toContain('红色');
  }, 300_000);

  it('index, then the app: tagged in the background; a custom tag added in the UI counts every photo', async () => {
    const { photos, paths } = await library('index-then-app');
    await cli(paths, ['index', photos]);
    const { app, call } = await openApp(paths, true);
    try {
      const red = await untilValue('the library tagged in the background', async () => {
        const s = await call('status', {});
        const tags = s.passes.find((p) => p.name === 'tags');
        if (!tags || tags.pending > 0 || tags.done < 8) return undefined;
        return (await call('listTags', {})).find((t) => t.name === '红色');
      });
      expect(red.photoCount).toBe(3);
      expect((await call('albums', {})).length).toBeGreaterThan(0);
      const custom = await call('addCustomTag', { name: '我的红色照片' });
      expect(custom.photoCount).toBe(3);
      const browsed = await call('browse', { filter: { tag: '我的红色照片' } });
      expect(browsed.hits.map((h) => h.fileName).sort()).toEqual(redNames);
    } finally {
      await app.close();
    }
  }, 300_000);

  it('watch on a new library: indexed, then tagged in the background', async () => {
    const { photos, paths } = await library('watch');
    const { app, call } = await openApp(paths, true);
    try {
      await call('addFolder', { path: photos });
      await untilValue('8 photos indexed and tagged', async () => {
        const s = await call('status', {});
        const tags = s.passes.find((p) => p.name === 'tags');
        return s.counts.indexed === 8 && tags?.pending === 0 && tags.done === 8 ? true : undefined;
      });
      const browsed = await call('browse', { filter: { tag: '红色' } });
      expect(browsed.hits.map((h) => h.fileName).sort()).toEqual(redNames);
    } finally {
      await app.close();
    }
  }, 300_000);
});
