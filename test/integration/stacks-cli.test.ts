/**
 * Stacks through the CLI as a person runs it, on real photos and the copies people make of them
 * (fixtures/stack-photos.ts), with the toy-colors model: `index` groups them before it exits,
 * `search --json` shows each moment once with its stack's size, `--stack` opens one or shows every
 * photo, `duplicates` lists each kind apart with the space the extra copies take and says that the
 * app deletes nothing, and a re-run after a rename keeps the stacks.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeStackLibrary, type StackLibrary } from './fixtures/stack-photos.ts';

const run = promisify(execFile);
const toy = path.join(process.env.SHIGUANG_TEST_MODELS ?? path.resolve('.cache/test-models'), 'toy-colors');

interface JsonHit {
  path: string;
  id: number;
  stack: { id: number; size: number; kind: string; coverId: number } | null;
}

interface JsonGroup {
  kind: string;
  id: string;
  size: number;
  paths: string[];
  cover: string;
  bytes: number;
  extraBytes: number;
  frames?: number;
}

describe('shiguang CLI with copies and bursts', () => {
  let tmp: string;
  let db: string;
  let lib: StackLibrary;
  const abs = (rel: string): string => path.join(lib.root, rel);
  const cli = (args: string[]) =>
    run(process.execPath, ['--import', 'tsx', 'electron/cli/main.ts', '--db', db, '--model', toy, '--threads', '1', '--lang', 'en', ...args], {
      env: { ...process.env, SHIGUANG_HOME: path.join(tmp, 'home'), SHIGUANG_LOG: 'warn' },
      maxBuffer: 64 << 20,
    });
  const search = async (...extra: string[]): Promise<JsonHit[]> => JSON.parse((await cli(['search', '鱼', '--mode', 'visual', '--limit', '100', '--json', '--all', ...extra])).stdout);

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-stacks-cli-'));
    db = path.join(tmp, 'lib.db');
    lib = await writeStackLibrary(path.join(tmp, 'library'));
  }, 120_000);
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('index groups copies and bursts before it exits; search --json shows each moment once with its size', async () => {
    const { stderr } = await cli(['index', lib.root, '--no-ocr']);
    expect(stderr).toMatch(new RegExp(`copies and bursts: ${lib.files.length}/${lib.files.length} photos`));
    const hits = await search();
    expect(hits).toHaveLength(lib.files.length - 2 - 2 - 1 - 3);
    const paths = new Set(hits.map((h) => h.path));
    // One of the tench's three copies is shown — a full-size one — with the stack's size.
    const tench = hits.filter((h) => [lib.tench.original, lib.tench.backup, lib.tench.wechat].map(abs).includes(h.path));
    expect(tench).toHaveLength(1);
    expect(tench[0]!.path).not.toBe(abs(lib.tench.wechat));
    expect(tench[0]!.stack).toMatchObject({ kind: 'near', size: 3, coverId: tench[0]!.id });
    // The burst once; another camera's photo in the middle of it on its own.
    const burst = hits.filter((h) => lib.burst.map(abs).includes(h.path));
    expect(burst).toHaveLength(1);
    expect(burst[0]!.stack).toMatchObject({ kind: 'burst', size: 4 });
    expect(hits.find((h) => h.path === abs(lib.otherCamera))?.stack).toBeNull();
    // No chaining: the sandpiper and one of its crops are a stack; the other crop is on its own.
    const crops = [lib.sandpiper.left, lib.sandpiper.right].map(abs).filter((p) => paths.has(p));
    expect(crops).toHaveLength(1);
    expect(hits.find((h) => h.path === crops[0])?.stack).toBeNull();

    // Every photo, and one stack's own photos.
    expect(await search('--stack', 'all')).toHaveLength(lib.files.length);
    const members = await search('--stack', String(tench[0]!.stack!.id));
    expect(members.map((h) => h.path).sort()).toEqual([lib.tench.original, lib.tench.backup, lib.tench.wechat].map(abs).sort());
    const bad = await cli(['search', '鱼', '--stack', 'some']).catch((e: { code: number }) => e);
    expect((bad as { code: number }).code).toBe(2);
    const plain = (await cli(['search', '鱼', '--mode', 'visual', '--limit', '100', '--all'])).stdout;
    expect(plain).toMatch(/\(a stack of 4: burst, stack \d+\)/);
  }, 300_000);

  it('duplicates --json lists each kind apart, the cover first, with the space the other copies take', async () => {
    const all = JSON.parse((await cli(['duplicates', '--json'])).stdout) as JsonGroup[];
    expect(all.map((g) => g.kind)).toEqual(['exact', 'exact', 'near', 'near', 'near', 'burst']);
    for (const g of all) {
      expect(g.paths[0]).toBe(g.cover);
      expect(g.size).toBe(g.paths.length);
      const sizes = g.paths.map((p) => fs.statSync(p).size);
      expect(g.extraBytes).toBe(sizes.slice(1).reduce((a, b) => a + b, 0));
    }
    const near = JSON.parse((await cli(['duplicates', '--kind', 'near', '--json'])).stdout) as JsonGroup[];
    expect(near).toEqual(all.filter((g) => g.kind === 'near'));
    // Most space to free first.
    expect(near.map((g) => g.extraBytes)).toEqual([...near.map((g) => g.extraBytes)].sort((a, b) => b - a));
    expect(near.find((g) => g.paths.includes(abs(lib.tench.wechat)))?.cover).not.toBe(abs(lib.tench.wechat));
    const bursts = JSON.parse((await cli(['duplicates', '--kind', 'burst', '--json'])).stdout) as JsonGroup[];
    expect(bursts).toEqual([expect.objectContaining({ size: 4, frames: 4 })]);
    const text = (await cli(['duplicates'])).stdout;
    expect(text).toMatch(/6 groups, [\d.]+ (KB|MB) in extra copies\. This app never deletes, moves or changes photos/);
    expect(text).toContain(`* ${all[0]!.cover}  (cover, keep this one)`);
    const wrong = await cli(['duplicates', '--kind', 'similar']).catch((e: { code: number }) => e);
    expect((wrong as { code: number }).code).toBe(2);
    // The photos were not touched.
    for (const f of lib.files) expect(fs.existsSync(abs(f))).toBe(true);
  }, 300_000);

  it('a re-run after renaming copies keeps the stacks (same content, same stack)', async () => {
    const before = JSON.parse((await cli(['duplicates', '--kind', 'near', '--json'])).stdout) as JsonGroup[];
    fs.renameSync(abs(lib.tench.wechat), abs('wechat/tench-from-chat.jpg'));
    fs.renameSync(abs(lib.ouzel.backup), abs('backup/ouzel-copy.JPEG'));
    const { stderr } = await cli(['index', lib.root, '--no-ocr']);
    expect(stderr).toMatch(/moved 2/);
    const after = JSON.parse((await cli(['duplicates', '--kind', 'near', '--json'])).stdout) as JsonGroup[];
    const rename = (p: string): string => p.replace(abs(lib.tench.wechat), abs('wechat/tench-from-chat.jpg')).replace(abs(lib.ouzel.backup), abs('backup/ouzel-copy.JPEG'));
    expect(after.map((g) => ({ id: g.id, paths: [...g.paths].sort() }))).toEqual(before.map((g) => ({ id: g.id, paths: g.paths.map(rename).sort() })));
  }, 300_000);
});
