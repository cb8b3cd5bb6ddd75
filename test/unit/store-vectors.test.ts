import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_K, openLibrary, subtreeRange, type Library, type VectorRepository } from '../../electron/engine/store/index.ts';
import { VectorSearch } from '../../electron/engine/search/vector-search.ts';

const ROOT = path.resolve('/lib');
const NEAR = path.join(ROOT, 'near');
const FAR = path.join(ROOT, 'far');
const Y2020 = Date.UTC(2020, 0, 1);
const Y2023 = Date.UTC(2023, 0, 1);

let lib: Library;
let vectors: VectorRepository;
/** Searches as the engine does (the in-memory index, falling back to sqlite-vec's KNN for large k). */
let search: VectorSearch;
let folderId: number;
beforeEach(() => {
  lib = openLibrary(':memory:');
  vectors = lib.vectors(lib.models.ensure('test-model', 4));
  search = new VectorSearch(vectors, lib.vectorLog);
  folderId = lib.folders.add(ROOT).id;
});
afterEach(() => lib.close());

/** A vector at cosine `c` from e0 (scaled, to show the metric normalises). */
const atCos = (c: number, scale = 1): Float32Array => Float32Array.from([c * scale, Math.sqrt(1 - c * c) * scale, 0, 0]);
const E0 = Float32Array.from([1, 0, 0, 0]);

function add(dir: string, name: string, vec: Float32Array, takenAt: number | null): number {
  const { row } = lib.photos.upsertDiscovered({ path: path.join(dir, name), folderId, size: 1, mtimeMs: 1 });
  lib.photos.markIndexed(row.id, {
    width: 1,
    height: 1,
    takenAt,
    takenAtSource: takenAt === null ? null : 'exif',
    cameraMake: null,
    cameraModel: null,
    gpsLat: null,
    gpsLon: null,
  });
  vectors.upsert(row.id, vec);
  return row.id;
}

/** The 3 global nearest live in NEAR (2020); the FAR subtree (2023) holds 4 weaker matches. */
function library() {
  const near = [0.99, 0.98, 0.97].map((c, i) => add(NEAR, `n${i}.jpg`, atCos(c), Y2020 + i));
  const far = [
    add(FAR, 'f0.jpg', atCos(0.9, 3), Y2023),
    add(path.join(FAR, 'sub'), 'f1.jpg', atCos(0.8), Y2023 + 1),
    add(path.join(FAR, 'sub', '深'), 'f2.jpg', atCos(0.7), Y2023 + 2),
    add(FAR, 'f3.jpg', atCos(0.1), Y2023 + 3),
  ];
  const sibling = add(FAR + '2', 's.jpg', atCos(0.95), Y2023); // shares the prefix "far" but is not under it
  return { near, far, sibling };
}

describe('vector search', () => {
  it('ranks by cosine similarity and scores 1 - cosine distance', () => {
    const ids = [1, 0.8, 0.6, 0, -1].map((c, i) => add(ROOT, `${i}.jpg`, atCos(c, 1 + i), null));
    const hits = search.search(E0, 10);
    expect(hits.map((h) => h.photoId)).toEqual(ids);
    [1, 0.8, 0.6, 0, -1].forEach((c, i) => expect(hits[i].score).toBeCloseTo(c, 5));
    expect(search.search(E0, 2).map((h) => h.photoId)).toEqual(ids.slice(0, 2));
  });

  it('applies a folder filter inside the KNN query (k results from the subtree only)', () => {
    const { far } = library();
    const hits = search.search(E0, 3, { dirPrefix: FAR });
    expect(hits.map((h) => h.photoId)).toEqual(far.slice(0, 3));
    expect(hits[0].score).toBeCloseTo(0.9, 5);
    // Trailing separator or not, same subtree; the sibling "far2" never leaks in.
    expect(search.search(E0, 10, { dirPrefix: FAR + path.sep }).map((h) => h.photoId)).toEqual(far);
    expect(search.search(E0, 10, { dirPrefix: path.join(FAR, 'sub') }).map((h) => h.photoId)).toEqual(far.slice(1, 3));
  });

  it('applies a date range inside the KNN query', () => {
    const { near, far, sibling } = library();
    const in2023 = search.search(E0, 3, { after: Y2023, before: Y2023 + 3 });
    expect(in2023.map((h) => h.photoId)).toEqual([sibling, far[0], far[1]]);
    expect(search.search(E0, 3, { before: Y2023 }).map((h) => h.photoId)).toEqual(near);
    // after is inclusive, before exclusive
    expect(search.search(E0, 10, { after: Y2023 + 3 }).map((h) => h.photoId)).toEqual([far[3]]);
    expect(search.search(E0, 10, { after: Y2020, before: Y2020 + 1 }).map((h) => h.photoId)).toEqual([near[0]]);
  });

  it('combines folder, date, id and tag filters', () => {
    const { near, far } = library();
    expect(search.search(E0, 3, { dirPrefix: FAR, after: Y2023 + 1 }).map((h) => h.photoId)).toEqual([far[1], far[2], far[3]]);
    expect(search.search(E0, 3, { photoIds: [far[3], near[2], far[1]] }).map((h) => h.photoId)).toEqual([
      near[2],
      far[1],
      far[3],
    ]);
    expect(search.search(E0, 3, { photoIds: [] })).toEqual([]);
    const tag = lib.tags.upsertTag({ name: '日落' });
    lib.tags.replaceTagAssignments(tag, [far[2], far[3], near[0]].map((photoId) => ({ photoId, score: 0.5 })));
    expect(search.search(E0, 2, { tag: '日落', dirPrefix: FAR }).map((h) => h.photoId)).toEqual([far[2], far[3]]);
    expect(search.search(E0, 2, { tag: '没有' })).toEqual([]);
  });

  it('treats photos without a date as outside every date range', () => {
    const undated = add(ROOT, 'undated.jpg', atCos(1), null);
    const dated = add(ROOT, 'dated.jpg', atCos(0.5), Y2020);
    expect(search.search(E0, 5).map((h) => h.photoId)).toEqual([undated, dated]);
    expect(search.search(E0, 5, { before: Y2023 }).map((h) => h.photoId)).toEqual([dated]);
    expect(search.search(E0, 5, { after: 0 }).map((h) => h.photoId)).toEqual([dated]);
  });

  it('follows a photo whose date changes after its vector was stored', () => {
    const id = add(ROOT, 'x.jpg', atCos(1), Y2020);
    expect(search.search(E0, 5, { after: Y2023 })).toEqual([]);
    lib.photos.markIndexed(id, { width: 1, height: 1, takenAt: Y2023, takenAtSource: 'mtime', cameraMake: null, cameraModel: null, gpsLat: null, gpsLon: null });
    expect(search.search(E0, 5, { after: Y2023 }).map((h) => h.photoId)).toEqual([id]);
  });

  it('a folder filter that covers the whole library returns everything', () => {
    const { near, far, sibling } = library();
    expect(search.search(E0, 20, { dirPrefix: ROOT })).toHaveLength(near.length + far.length + 1);
    expect(search.search(E0, 20, { dirPrefix: ROOT }).map((h) => h.photoId)).toContain(sibling);
  });

  it('validates k and dimensions', () => {
    library();
    expect(search.search(E0, 0)).toEqual([]);
    expect(search.search(E0, MAX_K + 10)).toHaveLength(8);
    expect(() => search.search(Float32Array.from([1, 0]), 3)).toThrow(/dimensions/);
    expect(() => vectors.upsert(1, Float32Array.from([1, 0, 0]))).toThrow(/dimensions/);
  });
});

describe('folder filters across watched roots', () => {
  /** Roots /x/a, /x/a/nested (a root inside a root) and /y, one photo in each place, all equally near. */
  function roots() {
    const X = path.resolve('/x');
    const dirs = {
      a: path.join(X, 'a'),
      aSub: path.join(X, 'a', 'sub'),
      nested: path.join(X, 'a', 'nested'),
      nestedDeep: path.join(X, 'a', 'nested', 'deep'),
      y: path.resolve('/y'),
    };
    const rootA = lib.folders.add(dirs.a).id;
    const rootNested = lib.folders.add(dirs.nested).id;
    const rootY = lib.folders.add(dirs.y).id;
    const put = (dir: string, root: number): number => {
      const { row } = lib.photos.upsertDiscovered({ path: path.join(dir, 'p.jpg'), folderId: root, size: 1, mtimeMs: 1 });
      vectors.upsert(row.id, E0);
      return row.id;
    };
    const ids = {
      a: put(dirs.a, rootA),
      aSub: put(dirs.aSub, rootA),
      nested: put(dirs.nested, rootNested),
      nestedDeep: put(dirs.nestedDeep, rootNested),
      y: put(dirs.y, rootY),
    };
    return { X, dirs, ids, rootA, rootY };
  }
  const under = (dirPrefix: string): number[] => search.search(E0, 50, { dirPrefix }).map((h) => h.photoId).sort((p, q) => p - q);
  const sorted = (...xs: number[]): number[] => xs.sort((p, q) => p - q);

  it('a root, a parent of roots, a folder inside a root, and a root inside a root', () => {
    const { X, dirs, ids } = roots();
    expect(under(dirs.a)).toEqual(sorted(ids.a, ids.aSub, ids.nested, ids.nestedDeep));
    expect(under(X)).toEqual(sorted(ids.a, ids.aSub, ids.nested, ids.nestedDeep));
    expect(under(dirs.y)).toEqual([ids.y]);
    expect(under(dirs.aSub)).toEqual([ids.aSub]);
    expect(under(dirs.nested)).toEqual(sorted(ids.nested, ids.nestedDeep));
    expect(under(dirs.nestedDeep)).toEqual([ids.nestedDeep]);
    expect(under(path.resolve('/nowhere'))).toEqual([]);
  });

  it('follows a photo moved to another root, together with a tag filter', () => {
    const { dirs, ids, rootY } = roots();
    lib.photos.move(ids.aSub, path.join(dirs.y, 'moved.jpg'), rootY);
    expect(under(dirs.y)).toEqual(sorted(ids.y, ids.aSub));
    expect(under(dirs.a)).not.toContain(ids.aSub);
    const tag = lib.tags.upsertTag({ name: '搬家' });
    lib.tags.replaceTagAssignments(tag, [{ photoId: ids.aSub, score: 1 }, { photoId: ids.a, score: 1 }]);
    expect(search.search(E0, 50, { dirPrefix: dirs.y, tag: '搬家' }).map((h) => h.photoId)).toEqual([ids.aSub]);
  });
});

describe('vector storage', () => {
  it('upsert replaces, get round-trips exactly, delete and count agree', () => {
    const id = add(ROOT, 'a.jpg', Float32Array.from([0.1, 0.2, 0.3, 0.4]), Y2020);
    expect(vectors.get(id)).toEqual(Float32Array.from([0.1, 0.2, 0.3, 0.4]));
    vectors.upsert(id, Float32Array.from([4, 3, 2, 1]));
    expect(vectors.get(id)).toEqual(Float32Array.from([4, 3, 2, 1]));
    expect(vectors.count()).toBe(1);
    expect(search.search(E0, 5, { after: Y2020 }).map((h) => h.photoId)).toEqual([id]); // metadata survived the replace
    expect(vectors.delete(id)).toBe(true);
    expect(vectors.delete(id)).toBe(false);
    expect(vectors.get(id)).toBeUndefined();
    expect(vectors.count()).toBe(0);
    expect(() => vectors.upsert(987, E0)).toThrow(/no photo/);
  });

  it('upsertMany is all or nothing', () => {
    const a = add(ROOT, 'a.jpg', E0, null);
    expect(() =>
      vectors.upsertMany([
        { photoId: a, vector: atCos(0) },
        { photoId: 999, vector: E0 },
      ]),
    ).toThrow();
    expect(vectors.get(a)).toEqual(E0);
  });

  it('iterate streams every vector in id order, and allows writes between batches', () => {
    const ids = Array.from({ length: 7 }, (_, i) => add(ROOT, `${i}.jpg`, Float32Array.from([i, i + 1, i + 2, i + 3]), null));
    vectors.delete(ids[3]);
    const tag = lib.tags.upsertTag({ name: '测试' });
    const seen: number[] = [];
    for (const batch of vectors.iterate(2)) {
      expect(batch.vectors.length).toBe(batch.ids.length * 4);
      batch.ids.forEach((id, i) => {
        const k = ids.indexOf(id);
        expect(Array.from(batch.vectors.subarray(i * 4, i * 4 + 4))).toEqual([k, k + 1, k + 2, k + 3]);
        seen.push(id);
        lib.tags.replacePhotoTags(id, [{ tagId: tag, score: 1 }]); // a tagging pass writes as it reads
      });
    }
    expect(seen).toEqual(ids.filter((_, i) => i !== 3));
    expect(lib.tags.photosByTag('测试', 100)).toHaveLength(6);
    expect([...vectors.iterate(100)]).toHaveLength(1);
  });
  it('iterate reads across vec0 chunks, also after re-upserts moved rows to a later chunk', () => {
    // More rows than one vec0 chunk (1024 slots), so pages span chunks.
    const n = 1300;
    const vecOf = (id: number, gen: number): Float32Array => Float32Array.from([id, gen, -id, 0.5]);
    const ids = lib.transaction(() =>
      Array.from({ length: n }, (_, i) => {
        const id = lib.photos.upsertDiscovered({ path: path.join(ROOT, `${i}.jpg`), folderId, size: 1, mtimeMs: 1 }).row.id;
        vectors.upsert(id, vecOf(id, 0));
        return id;
      }),
    );
    const moved = ids.filter((_, i) => i % 97 === 0);
    lib.transaction(() => moved.forEach((id) => vectors.upsert(id, vecOf(id, 1))));
    vectors.delete(ids[5]);
    const expected = new Map(ids.filter((_, i) => i !== 5).map((id) => [id, vecOf(id, moved.includes(id) ? 1 : 0)]));

    const seen: number[] = [];
    for (const batch of vectors.iterate(500)) {
      batch.ids.forEach((id, i) => {
        expect(batch.vectors.subarray(i * 4, i * 4 + 4)).toEqual(expected.get(id));
        seen.push(id);
      });
    }
    expect(seen).toEqual([...expected.keys()]);
    expect(vectors.count()).toBe(n - 1);
  });
});

describe('subtreeRange', () => {
  it('brackets exactly the directories under a folder', () => {
    const { lo, hi } = subtreeRange(path.join(ROOT, 'x'));
    const inside = [lo, lo + 'y' + path.sep, lo + '中文' + path.sep];
    const outside = [path.join(ROOT, 'x2') + path.sep, path.join(ROOT, 'x y') + path.sep, ROOT + path.sep, path.join(ROOT, 'w') + path.sep];
    const within = (d: string) => Buffer.compare(Buffer.from(d), Buffer.from(lo)) >= 0 && Buffer.compare(Buffer.from(d), Buffer.from(hi)) < 0;
    expect(inside.every(within)).toBe(true);
    expect(outside.some(within)).toBe(false);
  });
});

describe('background sample (VectorRepository.sample)', () => {
  it('reads up to n stored vectors, the same ones each time, spread over the ids, keeping its photos as the library grows', () => {
    const ids: number[] = [];
    for (let i = 0; i < 300; i++) ids.push(add(ROOT, `p${i}.jpg`, atCos(((i % 200) - 100) / 101), null));
    const a = vectors.sample(50);
    expect(a.ids.length).toBe(50);
    expect(a.vectors.length).toBe(50 * 4);
    expect(Array.from(vectors.sample(50).ids)).toEqual(Array.from(a.ids));
    // Each sampled row's vector is that photo's.
    a.ids.forEach((id, i) => expect(Array.from(a.vectors.subarray(i * 4, i * 4 + 4))).toEqual(Array.from(vectors.get(id)!)));
    // Spread: not the first photos (the first folders) — some from each third of the ids.
    const sorted = [...a.ids].sort((x, y) => x - y);
    for (const [lo, hi] of [[ids[0]!, ids[99]!], [ids[100]!, ids[199]!], [ids[200]!, ids[299]!]]) {
      expect(sorted.filter((id) => id >= lo! && id <= hi!).length).toBeGreaterThan(5);
    }
    // A smaller library is sampled whole.
    expect(vectors.sample(1000).ids.length).toBe(300);
    // Growing the library keeps the photos of the old sample that still rank (a hash of the id, not a fresh draw).
    for (let i = 0; i < 30; i++) add(ROOT, `q${i}.jpg`, atCos(0.5), null);
    const b = new Set(vectors.sample(50).ids);
    expect([...a.ids].filter((id) => b.has(id)).length).toBeGreaterThan(40);
  });
});
