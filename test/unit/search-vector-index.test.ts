import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openLibrary, type Library, type PhotoQuery, type VectorRepository } from '../../electron/engine/store/index.ts';
import { VectorSearch } from '../../electron/engine/search/vector-search.ts';
import { mulberry32 as rng } from '../../scripts/random.ts';

const DIM = 64;
const N = 3000;
const ROOT_A = path.resolve('/photos/a');
const ROOT_B = path.resolve('/photos/b');
const ROOT_NESTED = path.join(ROOT_A, 'nested'); // a watched root inside another
const Y2015 = Date.UTC(2015, 0, 1);
const YEAR = 365 * 86400e3;

const rnd = rng(7);
const randomVec = (): Float32Array => Float32Array.from({ length: DIM }, () => rnd() * 2 - 1);

let lib: Library;
let vectors: VectorRepository;
let vs: VectorSearch;
let roots: { a: number; b: number; nested: number };
let ids: number[];

function addPhoto(file: string, folderId: number, takenAt: number | null, vec: Float32Array): number {
  const { row } = lib.photos.upsertDiscovered({ path: file, folderId, size: 1, mtimeMs: 1 });
  lib.photos.markIndexed(row.id, { width: 1, height: 1, takenAt, takenAtSource: takenAt === null ? null : 'exif', cameraMake: null, cameraModel: null, gpsLat: null, gpsLon: null });
  vectors.upsert(row.id, vec);
  return row.id;
}

beforeEach(() => {
  lib = openLibrary(':memory:');
  vectors = lib.vectors(lib.models.ensure('test-model', DIM));
  vs = new VectorSearch(vectors, lib.vectorLog);
  roots = { a: lib.folders.add(ROOT_A).id, b: lib.folders.add(ROOT_B).id, nested: lib.folders.add(ROOT_NESTED).id };
  ids = lib.transaction(() =>
    Array.from({ length: N }, (_, i) => {
      const where = i % 5;
      const [dir, folderId] =
        where === 0 ? [ROOT_B, roots.b] : where === 1 ? [path.join(ROOT_NESTED, `s${i % 3}`), roots.nested] : [path.join(ROOT_A, `y${2015 + (i % 7)}`, `m${i % 4}`), roots.a];
      const takenAt = i % 11 === 0 ? null : Y2015 + Math.floor(rnd() * 8 * YEAR);
      return addPhoto(path.join(dir, `p${i}.jpg`), folderId, takenAt, randomVec());
    }),
  );
  const tag = lib.tags.upsertTag({ name: '海边' });
  lib.tags.replaceTagAssignments(tag, ids.filter((_, i) => i % 3 === 0).map((photoId) => ({ photoId, score: 0.5 })));
});
afterEach(() => lib.close());

function search(mode: 'index' | 'sqlite', q: Float32Array, k: number, filter?: PhotoQuery) {
  vs.mode = mode;
  const hits = vs.search(q, k, filter);
  expect(vs.lastSearchPath).toBe(mode === 'sqlite' ? 'sqlite' : 'index');
  return hits;
}

/** The index path must give the sqlite-vec path's ids, in order, with its scores. */
function expectSameAsSql(q: Float32Array, k: number, filter?: PhotoQuery): number[] {
  const want = search('sqlite', q, k, filter);
  const got = search('index', q, k, filter);
  expect(got.map((h) => h.photoId)).toEqual(want.map((h) => h.photoId));
  got.forEach((h, i) => expect(Math.abs(h.score - want[i]!.score)).toBeLessThan(1e-5));
  return got.map((h) => h.photoId);
}

const FILTERS: [string, PhotoQuery | undefined][] = [
  ['none', undefined],
  ['after', { after: Y2015 + 3 * YEAR }],
  ['before', { before: Y2015 + 2 * YEAR }],
  ['date range', { after: Y2015 + YEAR, before: Y2015 + 2 * YEAR }],
  ['root (folder_id)', { dirPrefix: ROOT_B }],
  ['root with a nested root', { dirPrefix: ROOT_A }],
  ['parent of all roots', { dirPrefix: path.resolve('/photos') }],
  ['folder inside a root (dir range)', { dirPrefix: path.join(ROOT_A, 'y2017') }],
  ['nested root', { dirPrefix: ROOT_NESTED }],
  ['photoIds', { photoIds: Array.from({ length: 400 }, (_, i) => i * 7 + 1) }],
  ['tag', { tag: '海边' }],
  ['tag + folder range + date', { tag: '海边', dirPrefix: path.join(ROOT_A, 'y2016'), after: Y2015 + YEAR }],
  ['unknown tag', { tag: '没有' }],
  ['nowhere', { dirPrefix: path.resolve('/elsewhere') }],
];

describe('in-memory vector index vs sqlite-vec', () => {
  it.each(FILTERS)('same top-k with filter: %s', (_, filter) => {
    for (let i = 0; i < 4; i++) {
      const q = randomVec();
      for (const k of [1, 10, 50, 500]) {
        const got = expectSameAsSql(q, k, filter);
        if (filter === undefined) expect(got).toHaveLength(k);
      }
    }
  });

  it('loads lazily and keeps sign codes and int8 rows (about dim / 8 + dim + 4 bytes a photo, plus per-row metadata)', () => {
    expect(vs.indexStats().loaded).toBe(false);
    search('index', randomVec(), 5);
    const stats = vs.indexStats();
    expect(stats).toMatchObject({ loaded: true, rows: N });
    expect(stats.bytes).toBeLessThan(N * (DIM + 4 + 4 + 8 + 4 + 4 + 40 + 8) * 1.5 + 2 * 65536);
  });

  it('large k stays on the index (no cap on k); searches inside a transaction take the SQL path', () => {
    vs.mode = 'index';
    expect(vs.search(randomVec(), 1000)).toHaveLength(1000);
    expect(vs.lastSearchPath).toBe('index');
    expectSameAsSql(randomVec(), 2500);
    lib.transaction(() => vs.search(randomVec(), 5));
    expect(vs.lastSearchPath).toBe('sqlite');
  });
});

describe('the index follows changes made through the store', () => {
  /** A query equal to the photo's own vector finds it first. */
  const own = (id: number): Float32Array => vectors.get(id)!;
  const top = (id: number, filter?: PhotoQuery): number[] => search('index', own(id), 5, filter).map((h) => h.photoId);

  it('a deleted, skipped, or folder-removed photo disappears without VectorRepository.delete', () => {
    const [deleted, skipped] = [ids[10]!, ids[11]!];
    const inB = ids[15]!; // i % 5 === 0: root B
    expect(top(deleted)[0]).toBe(deleted);
    expect(top(skipped)[0]).toBe(skipped);
    expect(top(inB)[0]).toBe(inB);
    const qDeleted = own(deleted);
    const qSkipped = own(skipped);
    const qB = own(inB);

    lib.photos.delete(deleted);
    lib.photos.markSkipped(skipped, 'unreadable');
    lib.folders.remove(roots.b);
    for (const [q, gone] of [
      [qDeleted, deleted],
      [qSkipped, skipped],
      [qB, inB],
    ] as const) {
      expect(search('index', q, 50).map((h) => h.photoId)).not.toContain(gone);
      expectSameAsSql(q, 50);
    }
    expect(vs.indexStats().rows).toBe(vectors.count());
    expect(search('index', qB, 50, { dirPrefix: ROOT_B })).toEqual([]);
  });

  it('a photo moved to another root is found by the new folder filter', () => {
    const id = ids[3]!; // root A
    expect(top(id, { dirPrefix: ROOT_A })[0]).toBe(id);
    lib.photos.move(id, path.join(ROOT_B, 'moved.jpg'), roots.b);
    expect(top(id, { dirPrefix: ROOT_B })[0]).toBe(id);
    expect(top(id, { dirPrefix: ROOT_A })).not.toContain(id);
    expectSameAsSql(own(id), 10, { dirPrefix: ROOT_B });
    // Moving onto another photo's path drops that photo (and its vector).
    const victim = ids[8]!;
    const victimPath = lib.photos.get(victim)!.path;
    const qVictim = own(victim);
    lib.photos.move(ids[13]!, victimPath, roots.a);
    expect(search('index', qVictim, 10).map((h) => h.photoId)).not.toContain(victim);
  });

  it('a rediscovered photo that changed root follows the folder filter', () => {
    const id = ids[2]!;
    const p = lib.photos.get(id)!;
    lib.photos.upsertDiscovered({ path: p.path, folderId: roots.b, size: 1, mtimeMs: 1 });
    expect(top(id, { dirPrefix: ROOT_B })[0]).toBe(id);
  });

  it('taken_at updates are honoured by date filters', () => {
    const id = ids[22]!; // i % 11 === 0: no date
    const later = Y2015 + 20 * YEAR;
    expect(top(id, { after: Y2015 })).not.toContain(id);
    lib.photos.markIndexed(id, { width: 1, height: 1, takenAt: later, takenAtSource: 'mtime', cameraMake: null, cameraModel: null, gpsLat: null, gpsLon: null });
    expect(top(id, { after: later })).toEqual([id]);
    expect(top(id, { before: later })).not.toContain(id);
    lib.photos.copyIndexedMetadata(ids[1]!, id);
    expect(top(id, { after: later })).toEqual([]);
    expectSameAsSql(own(id), 10, { after: Y2015 + 2 * YEAR });
  });

  it('upsert replaces, delete removes, and a rolled-back write leaves no trace', () => {
    const id = ids[5]!;
    const fresh = randomVec();
    search('index', fresh, 1); // loaded before the writes
    vectors.upsert(id, fresh);
    const hit = search('index', fresh, 1)[0]!;
    expect(hit.photoId).toBe(id);
    expect(hit.score).toBeCloseTo(1, 5);
    expect(vs.indexStats().rows).toBe(N);

    const other = randomVec();
    expect(() =>
      lib.transaction(() => {
        vectors.upsert(id, other);
        vectors.delete(ids[6]!);
        lib.photos.delete(ids[7]!);
        throw new Error('rollback');
      }),
    ).toThrow('rollback');
    expect(search('index', fresh, 1)[0]!.photoId).toBe(id);
    for (const kept of [ids[6]!, ids[7]!]) expect(top(kept)[0]).toBe(kept);

    vectors.upsertMany([{ photoId: id, vector: other }]);
    expect(search('index', other, 1)[0]!.photoId).toBe(id);
    expect(vectors.delete(id)).toBe(true);
    expect(search('index', other, 50).map((h) => h.photoId)).not.toContain(id);
    expect(vs.indexStats().rows).toBe(N - 1);
  });

  it('writes committed inside a caller transaction are picked up', () => {
    search('index', randomVec(), 1);
    const fresh = randomVec();
    lib.transaction(() => {
      vectors.upsert(ids[9]!, fresh);
      lib.photos.markSkipped(ids[12]!, 'x');
    });
    expect(search('index', fresh, 1)[0]!.photoId).toBe(ids[9]);
    expectSameAsSql(fresh, 50);
  });

  it('a retired and revived model starts from an empty index', () => {
    search('index', randomVec(), 1);
    lib.models.ensure('other-model', DIM);
    lib.models.activate('other-model');
    const revived = lib.models.ensure('test-model', DIM);
    const again = new VectorSearch(lib.vectors(revived), lib.vectorLog);
    expect(again.search(randomVec(), 5)).toEqual([]);
    expect(vs.search(randomVec(), 5)).toEqual([]);
  });
});

describe('changes from another connection', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vecidx-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('are noticed (the change log carries them) and the index catches up', () => {
    const file = path.join(dir, 'lib.db');
    const a = openLibrary(file);
    const b = openLibrary(file);
    try {
      const va = a.vectors(a.models.ensure('m', 8));
      const folder = a.folders.add(ROOT_A).id;
      const vec = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
      const { row } = a.photos.upsertDiscovered({ path: path.join(ROOT_A, 'x.jpg'), folderId: folder, size: 1, mtimeMs: 1 });
      va.upsert(row.id, vec);
      const sa = new VectorSearch(va, a.vectorLog);
      expect(sa.search(vec, 3).map((h) => h.photoId)).toEqual([row.id]);
      b.photos.delete(row.id);
      expect(sa.search(vec, 3)).toEqual([]);
      expect(sa.lastSearchPath).toBe('index');
    } finally {
      b.close();
      a.close();
    }
  });
});
