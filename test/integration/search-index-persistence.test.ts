/**
 * The vector index as a library sees it: built in the background while sqlite-vec answers, saved
 * beside the database and reopened without reading SQLite, kept in step through the change log
 * (also after a SIGKILL before it was saved), never trusted for another database, and paging
 * without a silent cap — the SQL fallback's limit is reported, not hidden.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VectorSearch, type PageCursor, type VectorPage } from '../../electron/engine/search/vector-search.ts';
import { indexDirFor, readSnapshotHeader } from '../../electron/engine/search/vector-index/persist.ts';
import { MAX_K } from '../../electron/engine/store/index.ts';
import { addPhotos, openTestLibrary, randomVector, rng, type TestLibrary } from './fixtures/vector-library.ts';

let tmp: string;
let db: string;
const open: (TestLibrary | VectorSearch)[] = [];

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-vsearch-'));
  db = path.join(tmp, 'lib.db');
});
afterEach(async () => {
  for (const o of open.splice(0).reverse()) {
    if (o instanceof VectorSearch) await o.close({ save: false });
    else o.lib.close();
  }
  fs.rmSync(tmp, { recursive: true, force: true });
});

function library(): TestLibrary {
  const t = openTestLibrary(db);
  open.push(t);
  return t;
}
function searchOn(t: TestLibrary, opts: Parameters<TestLibrary['search']>[0] = {}): VectorSearch {
  const s = t.search(opts);
  open.push(s);
  s.open();
  return s;
}
const query = randomVector(rng(4242));
/** sqlite-vec's own answer, in (distance, id) order. */
function sqlTop(t: TestLibrary, k: number): number[] {
  return t.vectors
    .knn(query, k)
    .map((h) => ({ id: h.photoId, d: Math.fround(1 - h.score) }))
    .sort((a, b) => a.d - b.d || a.id - b.id)
    .map((h) => h.id);
}
function pageAll(s: VectorSearch, limit: number): { pages: VectorPage[]; ids: number[] } {
  const pages: VectorPage[] = [];
  let after: PageCursor | undefined;
  for (;;) {
    const p = s.page(query, limit, {}, after);
    pages.push(p);
    if (!p.next) break;
    after = p.next;
  }
  return { pages, ids: pages.flatMap((p) => p.hits.map((h) => h.photoId)) };
}

describe('vector search over a library', () => {
  it('answers from sqlite-vec while it builds, then from the index with the same hits and scores', async () => {
    const t = library();
    addPhotos(t, 1500, 1);
    const s = searchOn(t, { syncBuild: 0 }); // as a large library would: built in the background
    expect(s.state).toBe('building');
    const during = s.page(query, 100);
    expect(during.path).toBe('sqlite');
    await s.whenIdle();
    const after = s.page(query, 100);
    expect(after.path).toBe('index');
    expect(after.hits).toEqual(during.hits);
    expect(after.hits.map((h) => h.photoId)).toEqual(sqlTop(t, 100));
  });

  it('opens its snapshot without a rebuild and catches up with changes made since through the log', async () => {
    const t = library();
    const ids = addPhotos(t, 1200, 2);
    const s1 = searchOn(t);
    await s1.whenIdle();
    const header = readSnapshotHeader(indexDirFor(db, t.vectors.table)!);
    expect(header?.size).toBe(1200); // saved right after the rebuild
    // Changes while no index is open: a new photo, a deleted one, a replaced vector, a new date.
    await s1.close({ save: false });
    addPhotos(t, 10, 3, 5000);
    t.lib.photos.delete(ids[0]!);
    t.vectors.upsert(ids[1]!, query);
    t.lib.photos.markIndexed(ids[2]!, { width: 1, height: 1, takenAt: Date.UTC(1999, 0, 1), takenAtSource: 'exif', cameraMake: null, cameraModel: null, gpsLat: null, gpsLon: null });
    const s2 = searchOn(t);
    expect(s2.state).toBe('ready'); // loaded, and the 13 changes applied synchronously
    const p = s2.page(query, 50);
    expect(p.path).toBe('index');
    expect(p.hits[0]!.photoId).toBe(ids[1]);
    expect(p.hits.map((h) => h.photoId)).toEqual(sqlTop(t, 50));
    expect(s2.indexStats().rows).toBe(1209);
    const old = s2.page(query, 10, { before: Date.UTC(2000, 0, 1) });
    expect(old.hits.map((h) => h.photoId)).toEqual([ids[2]]);
    // Writes while it is open are followed too.
    t.lib.photos.delete(ids[1]!);
    expect(s2.page(query, 1).hits[0]!.photoId).not.toBe(ids[1]);
  });

  it('after a SIGKILL before the snapshot was saved: sees the backlog, answers from sqlite-vec, rebuilds', async () => {
    const t = library();
    addPhotos(t, 1000, 5);
    t.lib.close();
    open.pop();
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/integration/fixtures/vector-library.ts', db, '2500'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise((r) => child.once('exit', r));
    try {
      const ready = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('\n')) resolve(out.trim());
        });
        child.once('exit', (code) => reject(new Error(`writer exited early (${code})`)));
      });
      expect(ready).toBe('ready ready');
    } finally {
      child.kill('SIGKILL'); // also when the test fails: the writer would wait forever
      await exited;
    }

    const t2 = library();
    const header = readSnapshotHeader(indexDirFor(db, t2.vectors.table)!)!;
    expect(header.size).toBe(1000); // the 2500 later vectors never reached a snapshot
    expect(t2.lib.vectorLog.state().seq).toBeGreaterThan(header.seq);
    const s = searchOn(t2); // 2500 changes > syncCatchUp (2000): rebuilt in the background
    expect(s.state).toBe('building');
    const during = s.page(query, 100);
    expect(during.path).toBe('sqlite');
    expect(during.hits.map((h) => h.photoId)).toEqual(sqlTop(t2, 100));
    await s.whenIdle();
    const p = s.page(query, 100);
    expect(p.path).toBe('index');
    expect(p.hits).toEqual(during.hits);
    expect(s.indexStats().rows).toBe(3500);
    expect(readSnapshotHeader(indexDirFor(db, t2.vectors.table)!)!.seq).toBe(t2.lib.vectorLog.state().seq);
  }, 60_000);

  it('never uses the snapshot of another database', async () => {
    const t = library();
    addPhotos(t, 300, 6);
    const s = searchOn(t);
    await s.whenIdle();
    await s.close();
    const dir = indexDirFor(db, t.vectors.table)!;
    const otherDb = path.join(tmp, 'other.db');
    const other = openTestLibrary(otherDb);
    open.push(other);
    addPhotos(other, 300, 7);
    fs.cpSync(dir, indexDirFor(otherDb, other.vectors.table)!, { recursive: true });
    const s2 = other.search({ syncBuild: 0 });
    open.push(s2);
    s2.open();
    expect(s2.state).toBe('building'); // epoch differs: rebuilt
    await s2.whenIdle();
    expect(s2.page(query, 20).hits.map((h) => h.photoId)).toEqual(
      other.vectors
        .knn(query, 20)
        .map((h) => ({ id: h.photoId, d: Math.fround(1 - h.score) }))
        .sort((a, b) => a.d - b.d || a.id - b.id)
        .map((h) => h.id),
    );
  });

  it('pages through every photo on the index; the SQL fallback stops at its KNN limit and says so', async () => {
    const t = library();
    addPhotos(t, MAX_K + 600, 8);
    const s = searchOn(t);
    await s.whenIdle();
    const all = pageAll(s, 1000);
    expect(all.ids.length).toBe(MAX_K + 600);
    expect(new Set(all.ids).size).toBe(MAX_K + 600);
    expect(all.pages.every((p) => p.path === 'index' && p.limit === undefined)).toBe(true);

    const fallback = searchOn(t, { mode: 'sqlite' });
    const capped = pageAll(fallback, 1000);
    expect(capped.ids).toEqual(all.ids.slice(0, MAX_K));
    expect(capped.pages.at(-1)!.limit).toEqual({ maxResults: MAX_K, reason: 'sqlite-only' });
    expect(capped.pages.slice(0, -1).every((p) => p.limit === undefined)).toBe(true);
  });

  it('a library indexed without the app trims a log too far behind the snapshot to help, and the index then rebuilds', async () => {
    const t = library();
    addPhotos(t, 200, 11);
    const s = searchOn(t);
    await s.close(); // snapshot at the current seq
    const cli = t.search({ mode: 'sqlite', syncCatchUp: 10 }); // as a CLI `index` run opens it
    addPhotos(t, 100, 12, 1000); // ~200 log entries: far more than 4 × 10
    await cli.close({ trimLog: true });
    const state = t.lib.vectorLog.state();
    expect(state.prunedThrough).toBe(state.seq);
    const again = searchOn(t, { syncBuild: 0 });
    expect(again.state).toBe('building'); // the snapshot is older than the trimmed log
    await again.whenIdle();
    expect(again.page(query, 30).hits.map((h) => h.photoId)).toEqual(sqlTop(t, 30));
    expect(again.indexStats().rows).toBe(300);
  });

  it('inside an open transaction answers from sqlite-vec, which sees the uncommitted rows', async () => {
    const t = library();
    addPhotos(t, 200, 9);
    const s = searchOn(t);
    await s.whenIdle();
    t.lib.transaction(() => {
      const [id] = addPhotos(t, 1, 10, 900);
      t.vectors.upsert(id!, query);
      const p = s.page(query, 1);
      expect(p.path).toBe('sqlite');
      expect(p.hits[0]!.photoId).toBe(id);
    });
  });
});
