/**
 * BENCH_ONLY=paging: paging through a query's results as the UI's "load more" does, the pager on
 * main before it was made exact (baseline/sign-code-pager.ts) against today's
 * (electron/engine/search/vector-index/searcher.ts), on the same codes index, interleaved query by
 * query so that machine noise hits both alike.
 *
 * Per library size (BENCH_PAGING_SIZES=100000; CLIP-like 512-d photos, test/bench/search/vectors.ts)
 * and query (BENCH_PAGING_QUERIES=3), pages of UI_PAGE_SIZE (500):
 *   firstPageMs        a first page from a searcher that has not seen the query (3 runs a query)
 *   freshNextPageMs    page 2 from a searcher that has not seen the query: a cursor from another
 *                      process, or after other queries evicted what the first page kept
 *   walk               (sizes ≤ BENCH_PAGING_WALK_MAX, default 200 000) every page to the end with
 *                      one searcher: ms a page, the share of the library returned, photos returned
 *                      twice, out of order, and positions that differ from brute force (sqlite-vec's
 *                      float32 formula over every row)
 * and the ratios after / before of each time. Nothing is asserted; JSON under `paging`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UI_PAGE_SIZE } from '../../../electron/shared/paging.ts';
import { CodesIndex } from '../../../electron/engine/search/vector-index/codes-index.ts';
import { cosineDistance, ExactVectors } from '../../../electron/engine/search/vector-index/exact-vectors.ts';
import { Searcher, type IndexHit, type PageCursor } from '../../../electron/engine/search/vector-index/searcher.ts';
import { Searcher as SignCodePager } from './baseline/sign-code-pager.ts';
import { makeQueries, makeVectors } from './vectors.ts';

const DIM = 512;
const CHUNK = 100_000;
const log = (msg: string): void => void process.stderr.write(`[bench] ${msg}\n`);
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round((s[s.length >> 1] ?? NaN) * 100) / 100;
};

interface Pager {
  page(q: Float32Array, limit: number, filter?: object, after?: PageCursor): { hits: IndexHit[]; next: PageCursor | null };
}

interface Side {
  firstPageMs: number[];
  freshNextPageMs: number[];
  walkMsPerPage: number[];
  coverage: number[];
  repeated: number;
  outOfOrder: number;
  differFromExact: number;
}

export async function benchPaging(): Promise<unknown> {
  const sizes = (process.env.BENCH_PAGING_SIZES ?? '100000').split(',').map(Number);
  const nQueries = Number(process.env.BENCH_PAGING_QUERIES ?? 3);
  const walkMax = Number(process.env.BENCH_PAGING_WALK_MAX ?? 200_000);
  const out: Record<string, unknown> = { pageSize: UI_PAGE_SIZE, dim: DIM, queries: nQueries };
  for (const n of sizes) {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-paging-bench-'));
    const exact = ExactVectors.open(path.join(tmp, 'vectors.f32'), DIM);
    try {
      log(`paging: building ${n} CLIP-like ${DIM}-d rows…`);
      const index = new CodesIndex(DIM);
      const walk = n <= walkMax;
      const chunks: Float32Array[] = [];
      index.beginBulk();
      for (let c = 0; c < n; c += CHUNK) {
        const m = Math.min(CHUNK, n - c);
        const vecs = makeVectors('clip-like', m, DIM, 1 + c / CHUNK);
        for (let i = 0; i < m; i++) index.set(c + i + 1, vecs.subarray(i * DIM, (i + 1) * DIM), { takenAt: c + i, folderId: 1 });
        exact.writeRun(c + 1, vecs);
        if (walk) chunks.push(vecs);
      }
      index.endBulk();
      const pagers: Record<'before' | 'after', () => Pager> = { before: () => new SignCodePager(index, exact), after: () => new Searcher(index, exact) };
      const sides: Record<'before' | 'after', Side> = {
        before: { firstPageMs: [], freshNextPageMs: [], walkMsPerPage: [], coverage: [], repeated: 0, outOfOrder: 0, differFromExact: 0 },
        after: { firstPageMs: [], freshNextPageMs: [], walkMsPerPage: [], coverage: [], repeated: 0, outOfOrder: 0, differFromExact: 0 },
      };
      for (const [qi, q] of makeQueries('clip-like', nQueries, DIM, 1).entries()) {
        const truth = walk ? bruteForce(q, chunks, n) : null;
        // Timed calls alternate between the two, so that a collection or a busy moment hits both.
        const firsts = { before: pagers.before().page(q, UI_PAGE_SIZE), after: pagers.after().page(q, UI_PAGE_SIZE) };
        for (let rep = 0; rep < 3; rep++) {
          for (const side of ['before', 'after'] as const) sides[side].firstPageMs.push(timed(() => pagers[side]().page(q, UI_PAGE_SIZE)));
          for (const side of ['before', 'after'] as const) sides[side].freshNextPageMs.push(timed(() => pagers[side]().page(q, UI_PAGE_SIZE, {}, firsts[side].next ?? undefined)));
        }
        for (const side of ['before', 'after'] as const) {
          const s = sides[side];
          const make = pagers[side];
          if (!truth) continue;
          const pager = make();
          const got: IndexHit[] = [];
          let pages = 0;
          let after: PageCursor | undefined;
          const t0 = performance.now();
          for (;;) {
            const p = pager.page(q, UI_PAGE_SIZE, {}, after);
            pages++;
            got.push(...p.hits);
            if (!p.next) break;
            after = p.next;
          }
          s.walkMsPerPage.push((performance.now() - t0) / pages);
          const ids = new Set(got.map((h) => h.photoId));
          s.coverage.push(ids.size / n);
          s.repeated += got.length - ids.size;
          for (let i = 1; i < got.length; i++) if (got[i]!.distance < got[i - 1]!.distance) s.outOfOrder++;
          for (let i = 0; i < n; i++) if (got[i]?.photoId !== truth[i]) s.differFromExact++;
          log(`paging ${n}, query ${qi + 1}, ${side}: ${pages} pages, ${(100 * ids.size / n).toFixed(2)}% of the photos, ${(s.walkMsPerPage.at(-1)!).toFixed(2)} ms a page`);
        }
      }
      const summary = (s: Side) => ({
        firstPageMs: median(s.firstPageMs),
        freshNextPageMs: median(s.freshNextPageMs),
        ...(walk ? { walkMsPerPage: median(s.walkMsPerPage), coverage: s.coverage.map((c) => Math.round(c * 1e4) / 1e4), repeated: s.repeated, outOfOrder: s.outOfOrder, differFromExact: s.differFromExact } : {}),
      });
      const [b, a] = [summary(sides.before), summary(sides.after)];
      const ratio = (x: number | undefined, y: number | undefined): number | null => (x && y ? Math.round((x / y) * 100) / 100 : null);
      out[String(n)] = {
        before: b,
        after: a,
        ratioAfterToBefore: { firstPage: ratio(a.firstPageMs, b.firstPageMs), freshNextPage: ratio(a.freshNextPageMs, b.freshNextPageMs), walkPerPage: ratio(a.walkMsPerPage, b.walkMsPerPage) },
      };
      log(`paging ${n}: ${JSON.stringify(out[String(n)])}`);
    } finally {
      exact.close();
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
  return out;
}

function timed(f: () => unknown): number {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
}

/** Photo ids in (distance, id) order over every row. */
function bruteForce(q: Float32Array, chunks: Float32Array[], n: number): Int32Array {
  const dist = new Float64Array(n + 1);
  let id = 1;
  for (const v of chunks) for (let i = 0; i < v.length / DIM; i++, id++) dist[id] = cosineDistance(q, v.subarray(i * DIM, (i + 1) * DIM));
  return Int32Array.from({ length: n }, (_, i) => i + 1).sort((a, b) => dist[a]! - dist[b]! || a - b);
}
