/**
 * The codes index and its pager, without a database: pages equal the exact (distance, id) order
 * (small libraries here; 25 000 rows walked to the end in search-paging-complete.test.ts),
 * filters are applied inside the query (k results from the filtered set, however selective), and
 * keyset cursors neither repeat nor skip photos when the index changes between pages.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CodesIndex, type IndexFilter } from '../../electron/engine/search/vector-index/codes-index.ts';
import { cosineDistance, ExactVectors } from '../../electron/engine/search/vector-index/exact-vectors.ts';
import { Searcher, type PageCursor } from '../../electron/engine/search/vector-index/searcher.ts';
import { makeQueries, makeVectors } from '../bench/search/vectors.ts';

const DIM = 64;
let tmp: string;
let exact: ExactVectors;

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-codes-'));
  exact = ExactVectors.open(path.join(tmp, 'vectors.f32'), DIM);
});
afterEach(() => {
  exact.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const row = (v: Float32Array, i: number): Float32Array => v.subarray(i * DIM, (i + 1) * DIM);
const meta = (i: number) => ({ takenAt: 1000 * i, folderId: 1 + (i % 4) });

function build(n: number, seed = 1): { index: CodesIndex; vecs: Float32Array } {
  const vecs = makeVectors('clip-like', n, DIM, seed);
  const index = new CodesIndex(DIM);
  index.beginBulk();
  for (let i = 0; i < n; i++) index.set(i + 1, row(vecs, i), meta(i));
  index.endBulk();
  exact.writeRun(1, vecs);
  return { index, vecs };
}

/** Brute force over the rows that pass `keep`, in (distance, id) order. */
function truth(q: Float32Array, vecs: Float32Array, n: number, keep: (i: number) => boolean = () => true): { photoId: number; distance: number }[] {
  const out: { photoId: number; distance: number }[] = [];
  for (let i = 0; i < n; i++) if (keep(i)) out.push({ photoId: i + 1, distance: cosineDistance(q, row(vecs, i)) });
  return out.sort((a, b) => a.distance - b.distance || a.photoId - b.photoId);
}

function allPages(s: Searcher, q: Float32Array, limit: number, filter: IndexFilter = {}): { photoId: number; distance: number }[][] {
  const pages = [];
  let after: PageCursor | undefined;
  for (let guard = 0; guard < 1000; guard++) {
    const p = s.page(q, limit, filter, after);
    pages.push(p.hits);
    if (!p.next) return pages;
    after = p.next;
  }
  throw new Error('no end');
}

describe('codes index pages', () => {
  it('equal the exact order across every page, with and without filters', () => {
    const n = 1500;
    const { index, vecs } = build(n);
    const s = new Searcher(index, exact);
    const [q] = makeQueries('clip-like', 1, DIM);
    const cases: [IndexFilter, (i: number) => boolean][] = [
      [{}, () => true],
      [{ after: 200_000, before: 900_000 }, (i) => 1000 * i >= 200_000 && 1000 * i < 900_000],
      [{ folderIds: [2, 4] }, (i) => [2, 4].includes(1 + (i % 4))],
      [{ allow: [[...Array(n).keys()].filter((i) => i % 7 === 0).map((i) => i + 1)], folderIds: [1] }, (i) => i % 7 === 0 && i % 4 === 0],
    ];
    for (const [filter, keep] of cases) {
      const want = truth(q!, vecs, n, keep);
      const pages = allPages(s, q!, 128, filter);
      expect(pages.flat()).toEqual(want);
      expect(pages.slice(0, -1).every((p) => p.length === 128)).toBe(true);
    }
  });

  it('gives a fast first page (≥ 0.99 of the exact one) at the real embedding size; the next pages complete it exactly and reuse what they scored', () => {
    const dim = 512;
    const n = 40_000;
    const vecs = makeVectors('clip-like', n, dim, 2);
    const index = new CodesIndex(dim);
    index.beginBulk();
    for (let i = 0; i < n; i++) index.set(i + 1, vecs.subarray(i * dim, (i + 1) * dim), meta(i));
    index.endBulk();
    const wide = ExactVectors.open(path.join(tmp, 'wide.f32'), dim);
    wide.writeRun(1, vecs);
    const s = new Searcher(index, wide);
    const at = (i: number): Float32Array => vecs.subarray(i * dim, (i + 1) * dim);
    const byKey = (a: { distance: number; photoId: number }, b: { distance: number; photoId: number }): number => a.distance - b.distance || a.photoId - b.photoId;
    for (const q of makeQueries('clip-like', 4, dim, 2)) {
      const want = [...Array(n).keys()].map((i) => ({ photoId: i + 1, distance: cosineDistance(q, at(i)) })).sort(byKey);
      const first = s.page(q, 200);
      expect(first.stats.approximate).toBe(true); // the sign codes' candidates, not every row
      expect(first.stats.candidates).toBeLessThan(n / 2);
      const top = new Set(want.slice(0, 200).map((h) => h.photoId));
      expect(first.hits.filter((h) => top.has(h.photoId)).length).toBeGreaterThanOrEqual(198);
      const second = s.page(q, 200, {}, first.next!);
      expect(second.stats.scoredRows).toBe(true); // every filtered row bounded once for this query
      expect(second.stats.exactReads).toBeLessThan(n / 10); // and only the rows near the page read exactly
      const third = s.page(q, 200, {}, second.next!);
      expect(third.stats.scoredRows).toBe(false);
      // Pages 1 and 2 hold the exact best 400 (page 2 starts with what page 1 missed); page 3 goes on exactly.
      const strip = (h: { distance: number; photoId: number }) => ({ photoId: h.photoId, distance: h.distance });
      expect([...first.hits, ...second.hits].map(strip).sort(byKey)).toEqual(want.slice(0, 400));
      expect(third.hits.map(strip)).toEqual(want.slice(400, 600));
    }
    wide.close();
  });

  it('answers a filter matching 0.1% of the rows with exactly those rows', () => {
    const n = 20_000;
    const { index, vecs } = build(n, 3);
    const s = new Searcher(index, exact);
    const chosen = [...Array(n).keys()].filter((i) => i % 1000 === 17);
    const [q] = makeQueries('clip-like', 1, DIM, 3);
    const p = s.page(q!, 500, { allow: [chosen.map((i) => i + 1)] });
    expect(p.matched).toBe(20);
    expect(p.hits).toEqual(truth(q!, vecs, n, (i) => i % 1000 === 17));
    expect(p.next).toBeNull();
    // Date range inside a folder: still only from the filtered set, however few.
    const d = s.page(q!, 500, { after: 1000 * 19_990, before: 1000 * 20_000, folderIds: [3] });
    expect(d.hits.map((h) => h.photoId)).toEqual(truth(q!, vecs, n, (i) => i >= 19_990 && 1 + (i % 4) === 3).map((h) => h.photoId));
  });

  it('follows removals, replacements and metadata changes, and a cursor survives writes between pages', () => {
    const n = 1000;
    const { index, vecs } = build(n, 4);
    const s = new Searcher(index, exact);
    const [q] = makeQueries('clip-like', 1, DIM, 4);
    const first = s.page(q!, 50);
    const best = first.hits[0]!.photoId;
    index.remove(best);
    expect(s.page(q!, 50).hits.map((h) => h.photoId)).not.toContain(best);
    // A photo that now matches the query exactly comes first; one moved out of the date range leaves it.
    const moved = first.hits[5]!.photoId;
    index.set(777, q!, meta(776));
    exact.write(777, q!);
    index.setMeta(moved, { takenAt: -1, folderId: 1 });
    const again = s.page(q!, 50, { after: 0 });
    expect(again.hits[0]).toEqual({ photoId: 777, distance: cosineDistance(q!, q!) });
    expect(again.hits.map((h) => h.photoId)).not.toContain(moved);
    // Inserting a better match before the cursor does not shift the next page.
    const p1 = s.page(q!, 100);
    index.set(5000, q!, meta(1));
    exact.write(5000, q!);
    const p2 = s.page(q!, 100, {}, p1.next!);
    const rest = truth(q!, vecs, n, (i) => i + 1 !== best && i + 1 !== 777).filter((h) => h.distance > p1.next!.distance || (h.distance === p1.next!.distance && h.photoId > p1.next!.photoId));
    expect(p2.hits.map((h) => h.photoId)).toEqual(rest.slice(0, 100).map((h) => h.photoId));
  });

  it('stays correct while it recentres as a new library grows one photo at a time', () => {
    const n = 3000;
    const vecs = makeVectors('clip-like', n, DIM, 5);
    const index = new CodesIndex(DIM);
    for (let i = 0; i < n; i++) index.set(i + 1, row(vecs, i), meta(i));
    exact.writeRun(1, vecs);
    const s = new Searcher(index, exact);
    const [q] = makeQueries('clip-like', 1, DIM, 5);
    expect(s.page(q!, 100).hits).toEqual(truth(q!, vecs, n).slice(0, 100));
    expect(index.centeredSize).toBeGreaterThanOrEqual(2048);
  });
});
