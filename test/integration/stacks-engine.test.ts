/**
 * Stacks through the engine as the app drives it, on real photos and the copies people make of
 * them (fixtures/stack-photos.ts), with the toy-colors model: the stacks pass after indexing, each
 * stack shown once in search and browsing with its size, a stack's own photos, the person's
 * decisions — "not the same" and a chosen cover — kept across a rename, a re-run and a grouping
 * from scratch, and a photo that changes or goes leaving its stack.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../electron/engine/engine.ts';
import { createLogger } from '../../electron/engine/util/log.ts';
import type { PhotoHit } from '../../electron/shared/api.ts';
import { writeStackLibrary, type StackLibrary } from './fixtures/stack-photos.ts';

const models = process.env.SHIGUANG_TEST_MODELS ?? path.resolve('.cache/test-models');

describe('stacks through the engine (real photos, their copies, a burst)', () => {
  let tmp: string;
  let lib: StackLibrary;
  let engine: Engine;
  const abs = (rel: string): string => path.join(lib.root, rel);

  const everything = async (filter = {}): Promise<PhotoHit[]> => (await engine.library.browse(filter, 1000)).hits;
  const stackOf = async (rel: string): Promise<PhotoHit['stack']> => (await everything({ stack: 'all' })).find((h) => h.path === abs(rel))!.stack ?? null;
  const reindex = async (): Promise<void> => {
    await engine.indexFolders([lib.root]);
    await engine.passes.runAll();
  };

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-stacks-'));
    lib = await writeStackLibrary(path.join(tmp, 'library'));
    engine = await Engine.open({
      dbPath: path.join(tmp, 'db', 'library.db'),
      modelDir: path.join(models, 'toy-colors'),
      session: { threads: 1 },
      logger: createLogger('test', 'warn'),
    });
    await reindex();
  }, 240_000);

  afterAll(async () => {
    await engine?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('groups copies and the burst, and shows each stack once, as its cover, with its size', async () => {
    const all = await everything({ stack: 'all' });
    expect(all).toHaveLength(lib.files.length);
    expect(await stackOf(lib.tench.wechat)).toMatchObject({ kind: 'near', size: 3 });
    expect(await stackOf(lib.ouzel.wechat)).toMatchObject({ kind: 'near', size: 3 });
    expect(await stackOf(lib.burst[0]!)).toMatchObject({ kind: 'burst', size: 4 });
    // Another camera in the middle of the burst is not part of it.
    expect(await stackOf(lib.otherCamera)).toBeNull();
    // No chaining: each crop is near the original, not the other crop; never all three.
    const crops = [lib.sandpiper.left, lib.sandpiper.right].map((c) => all.find((h) => h.path === abs(c))!.stack);
    expect(crops.filter((s) => s !== null)).toHaveLength(1);
    expect((await stackOf(lib.sandpiper.original))?.size).toBe(2);

    const shown = await everything();
    // 20 photos: the tench's and the ouzel's stacks (3 each), the sandpiper's (2) and the burst (4) once each.
    expect(shown).toHaveLength(lib.files.length - 2 - 2 - 1 - 3);
    const stackIds = shown.filter((h) => h.stack).map((h) => h.stack!.id);
    expect(new Set(stackIds).size).toBe(stackIds.length);
    for (const h of shown.filter((x) => x.stack)) expect(h.stack!.coverId).toBe(h.id);
    // The cover of the tench's stack is a full-size copy, never the halved WeChat one.
    const tench = shown.find((h) => h.stack?.id === (all.find((x) => x.path === abs(lib.tench.wechat))!.stack!.id))!;
    expect([abs(lib.tench.original), abs(lib.tench.backup)]).toContain(tench.path);
    // Opening a stack lists its photos.
    expect((await everything({ stack: tench.stack!.id })).map((h) => h.path).sort()).toEqual([lib.tench.backup, lib.tench.original, lib.tench.wechat].map(abs).sort());
    // Search shows each stack once too, with the same badge.
    const found = await engine.search.text('鱼', 1000, {}, undefined, 'visual', { all: true });
    expect(found.hits).toHaveLength(shown.length);
    expect(found.matched).toBe(shown.length);
    expect(found.hits.find((h) => h.id === tench.id)?.stack).toEqual(tench.stack);
  });

  it('under a filter that leaves the cover out, the next photo of the stack stands in', async () => {
    const wechat = await everything({ folder: abs('wechat') });
    expect(wechat.map((h) => path.basename(h.path)).sort()).toEqual(['mmexport1672545600000.jpg', '微信图片_20230101120000.jpg']);
    expect(wechat.every((h) => h.stack !== null)).toBe(true);
  });

  it('the duplicates report lists each kind apart, the cover first, and the space the other copies take', () => {
    const exact = engine.stacks.duplicates('exact', 10).groups;
    expect(exact.map((g) => g.size)).toEqual([2, 2]);
    const near = engine.stacks.duplicates('near', 10);
    expect(near.totals).toMatchObject({ exact: { groups: 2 }, near: { groups: 3 }, burst: { groups: 1 } });
    for (const g of near.groups) {
      expect(g.paths[0]).toBe(g.cover);
      const sizes = g.paths.map((p) => fs.statSync(p).size);
      expect(g.bytes).toBe(sizes.reduce((a, b) => a + b, 0));
      expect(g.extraBytes).toBe(g.bytes - sizes[0]!);
      expect(g.photos.filter((p) => p.cover).map((p) => p.path)).toEqual([g.cover]);
    }
    expect(engine.stacks.duplicates('burst', 10).groups[0]).toMatchObject({ kind: 'burst', size: 4, frames: 4 });
  });

  it('"not the same" and a chosen cover stay through a rename, a re-run and a grouping from scratch', async () => {
    const all = await everything({ stack: 'all' });
    const id = (rel: string): number => all.find((h) => h.path === abs(rel))!.id;
    // The WeChat copy of the ouzel is "not the same"; the tench's WeChat copy is chosen as its cover.
    expect(engine.stacks.separate(id(lib.ouzel.wechat)).left).toBe(2);
    expect(await stackOf(lib.ouzel.wechat)).toBeNull();
    expect(engine.stacks.chooseCover(id(lib.tench.wechat)).coverId).toBe(id(lib.tench.wechat));
    expect((await everything()).some((h) => h.path === abs(lib.tench.wechat))).toBe(true);
    // Byte-identical copies are one photo: nothing to separate.
    expect(() => engine.stacks.separate(id(lib.ouzel.backup))).toThrow(/byte-identical/);

    // The pass regroups under the decision: the ouzel and its backup are now byte-identical copies only.
    await engine.passes.runAll();
    expect(await stackOf(lib.ouzel.original)).toMatchObject({ kind: 'exact', size: 2 });

    // Renamed (same content): the decisions follow the content.
    const renamedOuzel = path.join('wechat', 'ouzel-from-chat.jpg');
    const renamedTench = path.join('wechat', 'tench-from-chat.jpg');
    fs.renameSync(abs(lib.ouzel.wechat), abs(renamedOuzel));
    fs.renameSync(abs(lib.tench.wechat), abs(renamedTench));
    await reindex();
    expect(await stackOf(renamedOuzel)).toBeNull();
    expect((await everything()).some((h) => h.path === abs(renamedTench))).toBe(true);

    // Grouped again from scratch (as after new thresholds or another model): still kept.
    engine.lib.settings.set('stacks.groupedWith', 'an older grouping');
    engine.lib.passState.forget('stacks');
    await engine.close();
    engine = await Engine.open({ dbPath: path.join(tmp, 'db', 'library.db'), modelDir: path.join(models, 'toy-colors'), session: { threads: 1 }, logger: createLogger('test', 'warn') });
    await engine.passes.runAll();
    expect(await stackOf(renamedOuzel)).toBeNull();
    expect(await stackOf(lib.ouzel.original)).toMatchObject({ kind: 'exact', size: 2 });
    const tenchStack = await stackOf(renamedTench);
    expect(tenchStack).toMatchObject({ kind: 'near', size: 3 });
    expect(tenchStack!.coverId).toBe((await everything({ stack: 'all' })).find((h) => h.path === abs(renamedTench))!.id);
    lib.ouzel.wechat = renamedOuzel;
    lib.tench.wechat = renamedTench;
  }, 240_000);

  it('a photo that changes or goes leaves its stack', async () => {
    // The tench's WeChat copy is overwritten with another picture; the burst loses a frame.
    fs.copyFileSync(path.resolve('../shared/photos/n02444819_otter.JPEG'), abs(lib.tench.wechat));
    for (const f of lib.burst.slice(1, 3)) fs.rmSync(abs(f));
    await reindex();
    expect(await stackOf(lib.tench.wechat)).toBeNull();
    expect(await stackOf(lib.tench.original)).toMatchObject({ kind: 'exact', size: 2 });
    expect(await stackOf(lib.burst[0]!)).toMatchObject({ kind: 'burst', size: 2 });
    fs.rmSync(abs(lib.burst[3]!));
    await reindex();
    expect(await stackOf(lib.burst[0]!)).toBeNull();
    // Left: the tench's and the ouzel's byte-identical pairs and the sandpiper with one crop, once each.
    expect((await everything()).length).toBe((await everything({ stack: 'all' })).length - 3);
  }, 240_000);
});
