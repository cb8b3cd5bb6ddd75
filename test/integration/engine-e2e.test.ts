/**
 * The whole pipeline for real with the toy-colors ONNX model: index coloured photos plus the
 * real photos in ../shared/photos, search in Chinese, then follow adds, renames, changes and
 * deletes under `watch`, and skip malformed files with their reasons.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../electron/engine/engine.ts';
import { writeColourPhoto, writeColourSet } from '../../scripts/fixtures/colour-photos.ts';
import { createLogger } from '../../electron/engine/util/log.ts';
import { until } from '../support/wait.ts';

const models = process.env.SHIGUANG_TEST_MODELS ?? path.resolve('.cache/test-models');
const sharedPhotos = path.resolve('../shared/photos');

describe('engine end to end (toy-colors model)', () => {
  let tmp: string;
  let lib: string;
  let engine: Engine;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-e2e-'));
    lib = path.join(tmp, 'library');
    await writeColourSet(path.join(lib, 'colours'), ['red', 'blue', 'green', 'yellow'], 3);
    fs.mkdirSync(path.join(lib, 'real'));
    for (const f of fs.readdirSync(sharedPhotos).filter((f) => f.endsWith('.JPEG'))) fs.copyFileSync(path.join(sharedPhotos, f), path.join(lib, 'real', f));
    // Malformed files that must be skipped with a reason, never stop the rest.
    const bad = path.join(lib, 'bad');
    fs.mkdirSync(bad);
    const jpeg = fs.readFileSync(path.join(lib, 'colours', 'red-1.jpg'));
    fs.writeFileSync(path.join(bad, 'truncated.jpg'), jpeg.subarray(0, Math.floor(jpeg.length / 2)));
    fs.writeFileSync(path.join(bad, 'zero.jpg'), Buffer.alloc(0));
    fs.writeFileSync(path.join(bad, 'notes.jpg'), '这不是照片 — just text\n');
    engine = await Engine.open({
      dbPath: path.join(tmp, 'db', 'library.db'),
      modelDir: path.join(models, 'toy-colors'),
      session: { threads: 1 },
      watcher: { debounceMs: 150, removalGraceMs: 4000, writeStableMs: 200 },
      logger: createLogger('test', 'warn'),
    });
  });

  afterAll(async () => {
    await engine?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('indexes everything, skipping malformed files with reasons', async () => {
    const s = await engine.indexFolders([lib]);
    const realCount = fs.readdirSync(path.join(lib, 'real')).length;
    expect(s.encoded).toBe(12 + realCount);
    expect(s.skipped).toBe(3);
    expect(engine.lib.photos.counts()).toEqual({ indexed: 12 + realCount, pending: 0, skipped: 3 });
    const skipped = Object.fromEntries(engine.lib.photos.listSkipped(10, 0).map((x) => [path.basename(x.path), x.reason]));
    expect(skipped['zero.jpg']).toMatch(/^empty-file/);
    expect(skipped['truncated.jpg']).toMatch(/^truncated/);
    expect(skipped['notes.jpg']).toMatch(/^not-an-image/);
  });

  it('a second pass over an unchanged library encodes nothing', async () => {
    const s = await engine.indexFolders([lib]);
    expect(s).toMatchObject({ added: 0, changed: 0, moved: 0, removed: 0, encoded: 0 });
  });

  it('"红色" finds the red photos first, with scores, best first', async () => {
    const res = await engine.search.text('红色', 5);
    const names = res.hits.map((h) => h.fileName);
    expect(names.slice(0, 3).sort()).toEqual(['red-1.jpg', 'red-2.jpg', 'red-3.jpg']);
    const scores = res.hits.map((h) => h.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    const blue = await engine.search.text('一片蓝色的海', 3);
    expect(blue.hits.map((h) => h.fileName).sort()).toEqual(['blue-1.jpg', 'blue-2.jpg', 'blue-3.jpg']);
  });

  it('filters by folder and date inside the vector query', async () => {
    const inReal = await engine.search.text('红色', 5, { folder: path.join(lib, 'real') });
    expect(inReal.hits).toHaveLength(5);
    expect(inReal.hits.every((h) => h.path.startsWith(path.join(lib, 'real') + path.sep))).toBe(true);
    // Colour photos carry EXIF dates in July 2023; the real photos have none (file time is used).
    const july = await engine.search.text('红色', 20, { after: '2023-07-01', before: '2023-07-31' }, undefined, 'all', { all: true });
    expect(july.hits.length).toBe(12);
    expect(july.hits.slice(0, 3).every((h) => h.fileName.startsWith('red-'))).toBe(true);
  });

  it('similar photos: a red photo finds the other reds', async () => {
    const red1 = engine.lib.photos.getByPath(path.join(lib, 'colours', 'red-1.jpg'))!;
    const res = await engine.search.similar(red1.id, 2);
    expect(res.hits.map((h) => h.fileName).sort()).toEqual(['red-2.jpg', 'red-3.jpg']);
  });

  it('follows adds, renames, changes and deletes under watch', async () => {
    await engine.watch();
    const colours = path.join(lib, 'colours');
    const redOf = async (): Promise<string[]> => (await engine.search.text('红色', 4)).hits.map((h) => h.fileName);

    // add
    await writeColourPhoto(path.join(colours, 'new-red.jpg'), 'red', 991);
    await until(async () => (await redOf()).includes('new-red.jpg'), 'the added photo to be searchable', 20_000);

    // rename: same id, same vector, nothing re-encoded
    const before = engine.lib.photos.getByPath(path.join(colours, 'blue-1.jpg'))!;
    const vecBefore = engine.vectors.get(before.id)!;
    fs.renameSync(path.join(colours, 'blue-1.jpg'), path.join(colours, 'blue-renamed.jpg'));
    await until(() => engine.lib.photos.getByPath(path.join(colours, 'blue-renamed.jpg')) !== undefined, 'the rename to be followed', 20_000);
    const after = engine.lib.photos.getByPath(path.join(colours, 'blue-renamed.jpg'))!;
    expect(after.id).toBe(before.id);
    expect(engine.lib.photos.getByPath(path.join(colours, 'blue-1.jpg'))).toBeUndefined();
    expect(Array.from(engine.vectors.get(after.id)!)).toEqual(Array.from(vecBefore));

    // move into another folder of the library keeps the vector too, and folder filters follow
    fs.mkdirSync(path.join(lib, 'moved'));
    fs.renameSync(path.join(colours, 'blue-2.jpg'), path.join(lib, 'moved', 'blue-2.jpg'));
    await until(() => engine.lib.photos.getByPath(path.join(lib, 'moved', 'blue-2.jpg')) !== undefined, 'the move to be followed', 20_000);
    const moved = await engine.search.text('蓝色', 3, { folder: path.join(lib, 'moved') });
    expect(moved.hits.map((h) => h.fileName)).toEqual(['blue-2.jpg']);

    // change: green-1 is overwritten with a red picture → re-encoded, now found by 红色
    await writeColourPhoto(path.join(colours, 'green-1.tmp.jpg'), 'red', 992);
    fs.renameSync(path.join(colours, 'green-1.tmp.jpg'), path.join(colours, 'green-1.jpg'));
    await until(async () => (await engine.search.text('红色', 5)).hits.some((h) => h.fileName === 'green-1.jpg'), 'the changed photo to be re-encoded', 20_000);

    // delete: leaves the index with its vector
    const gone = engine.lib.photos.getByPath(path.join(colours, 'red-2.jpg'))!;
    fs.unlinkSync(path.join(colours, 'red-2.jpg'));
    await until(() => engine.lib.photos.get(gone.id) === undefined, 'the deletion to be followed', 20_000);
    expect(engine.vectors.get(gone.id)).toBeUndefined();
    expect((await redOf())).not.toContain('red-2.jpg');
  });
});
