import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openLibrary, type Library, type PhotoRow } from '../../electron/engine/store/index.ts';
import { VectorSearch } from '../../electron/engine/search/vector-search.ts';

const ROOT = path.resolve('/photos');
const A = path.join(ROOT, 'a');
const B = path.join(ROOT, 'b');

let lib: Library;
beforeEach(() => {
  lib = openLibrary(':memory:');
});
afterEach(() => lib.close());

const unit = (...xs: number[]): Float32Array => Float32Array.from(xs);
const meta = (takenAt: number | null) => ({
  width: 640,
  height: 480,
  takenAt,
  takenAtSource: takenAt === null ? null : ('exif' as const),
  cameraMake: 'Canon',
  cameraModel: 'EOS',
  gpsLat: 31.2,
  gpsLon: 121.5,
});

function addIndexed(folderId: number, file: string, takenAt: number | null = 1_600_000_000_000): PhotoRow {
  const { row } = lib.photos.upsertDiscovered({ path: file, folderId, size: 100, mtimeMs: 1_000 });
  lib.photos.markIndexed(row.id, meta(takenAt));
  return lib.photos.get(row.id)!;
}

describe('folders', () => {
  it('adds idempotently and counts non-skipped photos', () => {
    const f = lib.folders.add(ROOT);
    expect(lib.folders.add(ROOT).id).toBe(f.id);
    expect(lib.folders.byPath(ROOT)?.id).toBe(f.id);
    addIndexed(f.id, path.join(A, '1.jpg'));
    const skipped = addIndexed(f.id, path.join(A, '2.jpg'));
    lib.photos.markSkipped(skipped.id, 'corrupt');
    lib.photos.upsertDiscovered({ path: path.join(A, '3.jpg'), folderId: f.id, size: 1, mtimeMs: 1 });
    expect(lib.folders.list()).toEqual([{ id: f.id, path: ROOT, photoCount: 2, offline: null }]);
  });

  it('removing a root removes its photos, their vectors and their tags', () => {
    const keep = lib.folders.add(path.resolve('/other'));
    const gone = lib.folders.add(ROOT);
    const vectors = lib.vectors(lib.models.ensure('m', 2));
    const p1 = addIndexed(gone.id, path.join(A, '1.jpg'));
    const p2 = addIndexed(keep.id, path.join(path.resolve('/other'), '2.jpg'));
    vectors.upsert(p1.id, unit(1, 0));
    vectors.upsert(p2.id, unit(0, 1));
    const tag = lib.tags.upsertTag({ name: '猫' });
    lib.tags.replacePhotoTags(p1.id, [{ tagId: tag, score: 0.9 }]);

    expect(lib.folders.remove(gone.id)).toBe(true);
    expect(lib.folders.remove(gone.id)).toBe(false);
    expect(lib.photos.get(p1.id)).toBeUndefined();
    expect(vectors.get(p1.id)).toBeUndefined();
    expect(vectors.count()).toBe(1);
    expect(lib.tags.photosByTag('猫', 10)).toEqual([]);
    expect(lib.photos.get(p2.id)).toBeDefined();
  });
});

describe('photos', () => {
  it('tells new, unchanged and changed files apart', () => {
    const f = lib.folders.add(ROOT);
    const file = path.join(A, '照片.jpg');
    const first = lib.photos.upsertDiscovered({ path: file, folderId: f.id, size: 100, mtimeMs: 1_700_000_000_123.75 });
    expect(first.change).toBe('new');
    expect(first.row).toMatchObject({ path: file, dir: A + path.sep, status: 'pending', mtimeMs: 1_700_000_000_123 });

    lib.photos.setHash(first.row.id, 'h1');
    lib.photos.markIndexed(first.row.id, meta(5));
    const same = lib.photos.upsertDiscovered({ path: file, folderId: f.id, size: 100, mtimeMs: 1_700_000_000_123.9 });
    expect(same.change).toBe('unchanged');
    expect(same.row).toMatchObject({ id: first.row.id, status: 'indexed', hash: 'h1' });

    const changed = lib.photos.upsertDiscovered({ path: file, folderId: f.id, size: 101, mtimeMs: 1_700_000_000_123 });
    expect(changed.change).toBe('changed');
    expect(changed.row).toMatchObject({ id: first.row.id, status: 'pending', hash: null, size: 101 });

    lib.photos.markSkipped(first.row.id, 'bad');
    const touched = lib.photos.upsertDiscovered({ path: file, folderId: f.id, size: 101, mtimeMs: 1_800_000_000_000 });
    expect(touched.change).toBe('changed');
    expect(touched.row).toMatchObject({ status: 'pending', skipReason: null });
  });

  it('stores indexing metadata and tracks status counts', () => {
    const f = lib.folders.add(ROOT);
    const p = addIndexed(f.id, path.join(A, '1.jpg'), 1_234_567.6);
    expect(p).toMatchObject({
      status: 'indexed',
      width: 640,
      height: 480,
      takenAt: 1_234_568,
      takenAtSource: 'exif',
      cameraMake: 'Canon',
      gpsLat: 31.2,
    });
    expect(p.indexedAt).toBeTypeOf('number');
    const q = lib.photos.upsertDiscovered({ path: path.join(A, '2.jpg'), folderId: f.id, size: 1, mtimeMs: 1 }).row;
    const r = lib.photos.upsertDiscovered({ path: path.join(A, '3.jpg'), folderId: f.id, size: 1, mtimeMs: 1 }).row;
    lib.photos.markSkipped(r.id, 'unsupported format');
    expect(lib.photos.counts()).toEqual({ indexed: 1, pending: 1, skipped: 1 });
    expect(lib.photos.listSkipped(10, 0)).toEqual([{ path: r.path, reason: 'unsupported format' }]);
    expect(lib.photos.listPending(10).map((x) => x.id)).toEqual([q.id]);
    lib.photos.markPending(r.id);
    expect(lib.photos.listPending(10).map((x) => x.id)).toEqual([q.id, r.id]);
    expect(lib.photos.listPending(10, q.id).map((x) => x.id)).toEqual([r.id]);
    expect(lib.photos.listPending(Number.MAX_SAFE_INTEGER)).toHaveLength(2);
  });

  it('finds duplicates by hash and lists a root for reconciliation', () => {
    const f = lib.folders.add(ROOT);
    const p1 = addIndexed(f.id, path.join(A, '1.jpg'));
    const p2 = addIndexed(f.id, path.join(B, '1-copy.jpg'));
    lib.photos.setHash(p1.id, 'same');
    lib.photos.setHash(p2.id, 'same');
    expect(lib.photos.findByHash('same').map((p) => p.id)).toEqual([p1.id, p2.id]);
    expect(lib.photos.findByHash('other')).toEqual([]);
    expect(lib.photos.listPathsUnder(f.id)).toEqual([
      { id: p1.id, path: p1.path, size: 100, mtimeMs: 1_000 },
      { id: p2.id, path: p2.path, size: 100, mtimeMs: 1_000 },
    ]);
    expect(lib.photos.getMany([p2.id, 999, p1.id]).map((p) => p.id).sort()).toEqual([p1.id, p2.id].sort());
    expect(lib.photos.getMany([])).toEqual([]);
  });

  it('move keeps the vector and tags, and the folder filter follows the new directory', () => {
    const f = lib.folders.add(ROOT);
    const vectors = lib.vectors(lib.models.ensure('m', 2));
    const search = new VectorSearch(vectors, lib.vectorLog); // the in-memory index path, kept in step by the change feed
    const p = addIndexed(f.id, path.join(A, '1.jpg'));
    vectors.upsert(p.id, unit(1, 0));
    const tag = lib.tags.upsertTag({ name: '海边' });
    lib.tags.replacePhotoTags(p.id, [{ tagId: tag, score: 0.7 }]);
    expect(search.search(unit(1, 0), 5, { dirPrefix: A }).map((h) => h.photoId)).toEqual([p.id]);

    const moved = path.join(B, 'deep', '1.jpg');
    lib.photos.move(p.id, moved, f.id);
    expect(lib.photos.get(p.id)).toMatchObject({ path: moved, dir: path.join(B, 'deep') + path.sep });
    expect(vectors.get(p.id)).toEqual(unit(1, 0));
    expect(search.search(unit(1, 0), 5, { dirPrefix: A })).toEqual([]);
    expect(search.search(unit(1, 0), 5, { dirPrefix: B }).map((h) => h.photoId)).toEqual([p.id]);
    expect(lib.tags.photoTags(p.id)).toEqual([{ name: '海边', score: 0.7 }]);
  });

  it('move onto a path a stale row still claims replaces that row', () => {
    const f = lib.folders.add(ROOT);
    const p = addIndexed(f.id, path.join(A, '1.jpg'));
    const stale = addIndexed(f.id, path.join(B, '1.jpg'));
    lib.photos.move(p.id, stale.path, f.id);
    expect(lib.photos.get(stale.id)).toBeUndefined();
    expect(lib.photos.getByPath(stale.path)?.id).toBe(p.id);
    expect(() => lib.photos.move(12345, path.join(B, 'x.jpg'), f.id)).toThrow(/no photo/);
  });

  it('delete removes the photo, its vector in every model table and its tags', () => {
    const f = lib.folders.add(ROOT);
    const v1 = lib.vectors(lib.models.ensure('m1', 2));
    const v2 = lib.vectors(lib.models.ensure('m2', 3));
    const p = addIndexed(f.id, path.join(A, '1.jpg'));
    const other = addIndexed(f.id, path.join(A, '2.jpg'));
    v1.upsert(p.id, unit(1, 0));
    v2.upsert(p.id, unit(1, 0, 0));
    v1.upsert(other.id, unit(0, 1));
    const search1 = new VectorSearch(v1, lib.vectorLog);
    lib.tags.replacePhotoTags(p.id, [{ tagId: lib.tags.upsertTag({ name: '狗' }), score: 0.5 }]);

    expect(lib.photos.delete(p.id)).toBe(true);
    expect(lib.photos.delete(p.id)).toBe(false);
    expect(v1.get(p.id)).toBeUndefined();
    expect(v2.get(p.id)).toBeUndefined();
    expect(v1.count()).toBe(1);
    expect(v2.count()).toBe(0);
    expect(search1.search(unit(1, 0), 10).map((h) => h.photoId)).toEqual([other.id]);
    expect(lib.tags.photosByTag('狗', 10)).toEqual([]);
  });

  it('skipping a photo drops its vectors; missingVectors lists indexed photos without one', () => {
    const f = lib.folders.add(ROOT);
    const model = lib.models.ensure('m', 2);
    const vectors = lib.vectors(model);
    const p1 = addIndexed(f.id, path.join(A, '1.jpg'));
    const p2 = addIndexed(f.id, path.join(A, '2.jpg'));
    lib.photos.upsertDiscovered({ path: path.join(A, '3.jpg'), folderId: f.id, size: 1, mtimeMs: 1 }); // pending
    expect(lib.photos.missingVectors(model.id, 10).map((p) => p.id)).toEqual([p1.id, p2.id]);
    vectors.upsert(p1.id, unit(1, 0));
    expect(lib.photos.missingVectors(model.id, 10).map((p) => p.id)).toEqual([p2.id]);
    expect(lib.photos.missingVectors(model.id, 0)).toEqual([]);
    expect(lib.photos.missingVectors(model.id, Number.MAX_SAFE_INTEGER).map((p) => p.id)).toEqual([p2.id]);

    lib.photos.markSkipped(p1.id, 'now unreadable');
    expect(vectors.get(p1.id)).toBeUndefined();
    expect(lib.photos.missingVectors(model.id, 10).map((p) => p.id)).toEqual([p2.id]);
  });

  it('copies indexed metadata to a byte-identical twin and updates file stats', () => {
    const f = lib.folders.add(ROOT);
    const src = addIndexed(f.id, path.join(A, '1.jpg'), 42);
    const copy = lib.photos.upsertDiscovered({ path: path.join(B, '1.jpg'), folderId: f.id, size: 100, mtimeMs: 5 }).row;
    lib.photos.copyIndexedMetadata(src.id, copy.id);
    expect(lib.photos.get(copy.id)).toMatchObject({ status: 'indexed', takenAt: 42, width: 640, cameraModel: 'EOS' });
    lib.photos.update(copy.id, { mtimeMs: 777.5 });
    expect(lib.photos.get(copy.id)).toMatchObject({ mtimeMs: 777, size: 100, status: 'indexed' });
  });
});
