/**
 * Page 2's int8 pass is made in the background while page 1 is read (vector-index/next-page-prep.ts):
 * the page after a fast first page is the same whether it comes after the preparation finished,
 * while it is half done (it finishes the rest), or from a searcher that never prepared anything;
 * it no longer scores every row itself once prepared; another query or a filter given as id lists
 * is not confused with the prepared one; and the slices give way to other requests between them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CodesIndex, type IndexFilter } from '../../electron/engine/search/vector-index/codes-index.ts';
import { ExactVectors } from '../../electron/engine/search/vector-index/exact-vectors.ts';
import { Searcher } from '../../electron/engine/search/vector-index/searcher.ts';
import { SLICE_ROWS } from '../../electron/engine/search/vector-index/next-page-prep.ts';
import { RowArrays } from '../../electron/engine/search/vector-index/row-arrays.ts';
import { makeQueries, makeVectors } from '../bench/search/vectors.ts';

const N = 60_000; // several slices, and enough rows for an approximate first page
const DIM = 128;
const PAGE = 200;

let tmp: string;
let index: CodesIndex;
let exact: ExactVectors;
let queries: Float32Array[];

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-prep-'));
  const vecs = makeVectors('clip-like', N, DIM, 7);
  index = new CodesIndex(DIM);
  index.beginBulk();
  for (let i = 0; i < N; i++) index.set(i + 1, vecs.subarray(i * DIM, (i + 1) * DIM), { takenAt: 1000 * i, folderId: 1 + (i % 3) });
  index.endBulk();
  exact = ExactVectors.open(path.join(tmp, 'vectors.f32'), DIM);
  exact.writeRun(1, vecs);
  queries = makeQueries('clip-like', 2, DIM, 7);
});
afterAll(() => {
  exact.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const ids = (p: { hits: { photoId: number; distance: number }[] }): string[] => p.hits.map((h) => `${h.photoId}:${h.distance}`);
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Page 1 then page 2 on a searcher that prepares nothing in between (page 2 right away, no event-loop turn). */
function reference(q: Float32Array, filter: IndexFilter = {}) {
  const s = new Searcher(index, exact);
  const p1 = s.page(q, PAGE, filter);
  const p2 = s.page(q, PAGE, filter, p1.next!);
  s.reset();
  return { p1, p2 };
}

describe('the next page prepared in the background', () => {
  it('gives the same page 2 after the preparation, without scoring every row again', async () => {
    expect(N).toBeGreaterThan(2 * SLICE_ROWS);
    for (const filter of [{}, { after: 0, before: 45_000_000 }] as IndexFilter[]) {
      const ref = reference(queries[0]!, filter);
      expect(ref.p1.stats.approximate).toBe(true);
      expect(ref.p2.stats.scoredRows).toBe(true);
      const s = new Searcher(index, exact);
      const p1 = s.page(queries[0]!, PAGE, filter);
      expect(ids(p1)).toEqual(ids(ref.p1));
      await s.whenPrepared();
      const p2 = s.page(queries[0]!, PAGE, filter, p1.next!);
      expect(p2.stats.scoredRows).toBe(false); // the pass was made before the request
      expect(ids(p2)).toEqual(ids(ref.p2));
      expect(p2.next).toEqual(ref.p2.next);
    }
  });

  it('finishes a half-done preparation when page 2 comes early, with the same page', async () => {
    const ref = reference(queries[0]!);
    const s = new Searcher(index, exact);
    const p1 = s.page(queries[0]!, PAGE);
    await turn(); // one slice, not all of them
    const p2 = s.page(queries[0]!, PAGE, {}, p1.next!);
    expect(ids(p2)).toEqual(ids(ref.p2));
    await s.whenPrepared(); // nothing left running
  });

  it('gives way between slices: another query answered meanwhile is right, and drops the first one', async () => {
    const s = new Searcher(index, exact);
    const p1 = s.page(queries[0]!, PAGE);
    await turn();
    const other = s.page(queries[1]!, PAGE);
    expect(ids(other)).toEqual(ids(reference(queries[1]!).p1));
    await s.whenPrepared();
    // The first query's page 2 is still right (made by the request itself now).
    const p2 = s.page(queries[0]!, PAGE, {}, p1.next!);
    expect(p2.stats.scoredRows).toBe(true);
    expect(ids(p2)).toEqual(ids(reference(queries[0]!).p2));
  });

  it('does not prepare filters given as id lists (a new list object each request)', async () => {
    const allow = [Array.from({ length: N / 2 }, (_, i) => 2 * i + 1)];
    const s = new Searcher(index, exact);
    const p1 = s.page(queries[0]!, PAGE, { allow });
    await s.whenPrepared();
    const p2 = s.page(queries[0]!, PAGE, { allow: [allow[0]!.slice()] }, p1.next!);
    expect(p2.stats.scoredRows).toBe(true);
    expect(ids(p2)).toEqual(ids(reference(queries[0]!, { allow }).p2));
  });
});

describe("a dropped query's arrays, reused by the next (row-arrays.ts)", () => {
  it('hands out views of exactly the size asked, the smallest kept buffer that fits, each buffer once', () => {
    const a = new RowArrays();
    const big = new Float64Array(1000);
    const small = new Int32Array(100);
    a.give(big, small, new Uint8Array(0));
    expect(a.keptBytes).toBe(8000 + 400);
    const x = a.take(Int32Array, 50);
    expect([x.length, x.buffer]).toEqual([50, small.buffer]);
    const y = a.take(Float32Array, 300);
    expect([y.length, y.buffer]).toEqual([300, big.buffer]);
    expect(a.keptBytes).toBe(0);
    const z = a.take(Float64Array, 10);
    expect(z.buffer).not.toBe(big.buffer);
    expect(z.buffer).not.toBe(small.buffer);
  });

  it('gives every page of a query after another the same as a fresh searcher, reusing the first query\'s memory', async () => {
    const s = new Searcher(index, exact);
    const arrays = (s as unknown as { arrays: RowArrays }).arrays;
    /** The first four pages of a query from `on`; `prepared`: page 2 asked once its preparation is done. */
    const walk = async (on: Searcher, q: Float32Array, filter: IndexFilter, prepared: boolean): Promise<string[][]> => {
      const out: string[][] = [];
      let p = on.page(q, PAGE, filter);
      if (prepared) await on.whenPrepared();
      for (let i = 0; i < 4 && p.next; i++) {
        out.push(ids(p));
        p = on.page(q, PAGE, filter, p.next);
      }
      return out;
    };
    const pagesOf = (q: Float32Array, filter: IndexFilter): Promise<string[][]> => walk(s, q, filter, true);
    /** The same pages from a searcher of their own that prepares nothing. */
    const fresh = async (q: Float32Array, filter: IndexFilter): Promise<string[][]> => {
      const f = new Searcher(index, exact);
      const out = await walk(f, q, filter, false);
      f.reset();
      return out;
    };
    const dated: IndexFilter = { after: 0, before: 45_000_000 };
    const stateBuffers = (): ArrayBufferLike[] => (s as unknown as { state: { rows: { arrays(): { buffer: ArrayBufferLike }[] } } }).state.rows.arrays().map((a) => a.buffer);
    expect(await pagesOf(queries[0]!, {})).toEqual(await fresh(queries[0]!, {}));
    const first = new Set(stateBuffers());
    // The second query's state is made from the first one's arrays (given back when it was dropped).
    expect(await pagesOf(queries[1]!, dated)).toEqual(await fresh(queries[1]!, dated));
    expect(stateBuffers().filter((b) => first.has(b)).length).toBeGreaterThanOrEqual(4);
    expect(await pagesOf(queries[0]!, dated)).toEqual(await fresh(queries[0]!, dated));
    expect(await pagesOf(queries[1]!, {})).toEqual(await fresh(queries[1]!, {}));
    s.reset();
    expect(arrays.keptBytes).toBeGreaterThan(N * 8);
  });
});
