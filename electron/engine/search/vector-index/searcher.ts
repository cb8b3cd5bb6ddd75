/**
 * One page of exact nearest neighbours from the codes index:
 *
 *   filter → mask (inside the query: every row considered is drawn from the filtered rows)
 *   bounds: int8 scores of every filtered row, each with an error bound (codes-index.ts, stage 2):
 *           an interval the row's exact distance lies in
 *   exact:  the rows whose interval reaches the page, in order of their smallest possible
 *           distance; float32 distance (sqlite-vec's formula) until no remaining row can enter it
 *
 * Pages are keyset pages: a cursor is the (distance, photo id) of the last hit returned, and the
 * next page is the best `limit` strictly after it in (distance, id) order — exactly, among every
 * filtered row, so walking the pages returns every photo once, in order. That needs a bound for
 * every row: a page drawn from the sign codes' best C rows (stage 1) missed the rows the sign codes
 * ranked too low (at 100k clip-like photos the exact top 1000 reached down to the sign codes'
 * 25 000th row), and the cursor then moved past them for good — 5–18% of a library never came
 * back when paging to the end in pages of 500. Writes between pages (indexing goes on while a
 * person scrolls) neither repeat nor skip a photo that stays put; photos added before the cursor
 * are not shown, those after it are. The cursor also carries how many hits came before (the SQL
 * fallback sizes its KNN with it).
 *
 * What one query learnt (every row's interval, the exact distances read) is kept for its next
 * pages while the index and filter stay the same (query-rows.ts). It is only a cache: a cursor
 * from another process, or after other queries, gives the same page.
 */
import type { ExactVectors } from './exact-vectors.ts';
import { EXACT_BATCH, EXACT_ROWS } from './kernel.ts';
import type { CodesIndex, IndexFilter } from './codes-index.ts';
import { CandidateList } from './candidates.ts';
import { kthSmallest, QueryRows, type PageRange } from './query-rows.ts';

export interface PageCursor {
  /** Exact cosine distance of the last hit returned (float32 value). */
  distance: number;
  photoId: number;
  /** Hits returned before and including it. */
  depth: number;
}

export interface IndexHit {
  photoId: number;
  /** sqlite-vec's cosine distance, float32. */
  distance: number;
}

export interface IndexPage {
  hits: IndexHit[];
  /** Rows passing the filter. */
  matched: number;
  /** Cursor for the next page; null when no filtered row is left. */
  next: PageCursor | null;
  /**
   * How the page was found (benchmarks, tests): rows whose interval reached the page, exact
   * vectors read for it, and whether it scored every filtered row (int8) first (a new query,
   * filter or index version).
   */
  stats: { candidates: number; exactReads: number; scoredRows: boolean };
}

/** (distance, id) order: a before b. */
const before = (da: number, ia: number, db: number, ib: number): boolean => da < db || (da === db && ia < ib);

/** What is kept of the last query, so that its next pages only read what the first did not. */
interface QueryState {
  query: Float32Array;
  filterKey: string;
  version: number;
  matched: number;
  rows: QueryRows;
}

export class Searcher {
  private state: QueryState | undefined;
  private readonly listIds = new WeakMap<object, number>();
  private nextListId = 1;

  constructor(
    private readonly index: CodesIndex,
    private readonly exact: ExactVectors,
  ) {}

  page(query: Float32Array, limit: number, filter: IndexFilter = {}, after?: PageCursor): IndexPage {
    if (query.length !== this.index.dim) throw new Error(`query has ${query.length} dimensions; the index uses ${this.index.dim}`);
    const scoredRows = !this.current(query, filter);
    const st = this.stateFor(query, filter);
    const stats = { candidates: 0, exactReads: 0, scoredRows };
    if (!(limit >= 1) || st.matched === 0) return { hits: [], matched: st.matched, next: null, stats };
    const range = st.rows.range(after, limit);
    const { hits, exactReads, more } = this.exactPage(query, st.rows, range, limit, after);
    stats.candidates = range.count;
    stats.exactReads = exactReads;
    const last = hits[hits.length - 1];
    const next = last && more ? { distance: last.distance, photoId: last.photoId, depth: (after?.depth ?? 0) + hits.length } : null;
    return { hits, matched: st.matched, next, stats };
  }

  /** Drops what is kept of the last query (after the index changed in bulk). */
  reset(): void {
    this.state = undefined;
  }

  private current(query: Float32Array, filter: IndexFilter): boolean {
    const st = this.state;
    return !!st && st.version === this.index.version && st.filterKey === this.filterKey(filter) && sameVector(st.query, query);
  }

  private stateFor(query: Float32Array, filter: IndexFilter): QueryState {
    if (this.current(query, filter)) return this.state!;
    this.state = undefined; // its memory can go before the next one is built
    const index = this.index;
    const { masked, count } = index.applyFilter(filter);
    const c = new CandidateList();
    c.reserve(count);
    index.stage2(query, index.allRows(masked), c);
    const rows = new QueryRows(c);
    return (this.state = { query: query.slice(), filterKey: this.filterKey(filter), version: index.version, matched: count, rows });
  }

  private filterKey(f: IndexFilter): string {
    const lists = (f.allow ?? []).map((l) => {
      let id = this.listIds.get(l);
      if (id === undefined) this.listIds.set(l, (id = this.nextListId++));
      return id;
    });
    return JSON.stringify([f.after ?? null, f.before ?? null, f.folderIds ?? null, lists]);
  }

  /**
   * The best `limit` rows strictly after the cursor among the range, exactly, and whether any
   * filtered row is left after the last of them.
   */
  private exactPage(query: Float32Array, rows: QueryRows, range: PageRange, limit: number, after: PageCursor | undefined): { hits: IndexHit[]; exactReads: number; more: boolean } {
    const ids = this.index.ids;
    const { lo, hi, exact, known, slots } = rows;
    const n = range.count;
    const key = new Float64Array(n);
    const idx = new Int32Array(n);
    const centre = new Float64Array(n);
    let certain = 0;
    for (let j = 0; j < n; j++) {
      const p = range.positions[j]!;
      key[j] = lo[p]!;
      idx[j] = p;
      // Distance estimates of the rows certainly after the cursor: where the page will end.
      if (!after || lo[p]! > after.distance) centre[certain++] = (lo[p]! + hi[p]!) / 2;
    }
    // First wave: every row that can be nearer than the estimated end of the page, read in one go;
    // then the few whose interval still reaches past the page's exact worst.
    let wave = certain >= limit ? kthSmallest(centre, limit - 1, certain) : Infinity;
    const heap = new MinHeap(key, idx, n);
    // The page so far, worst (largest distance, then id) kept at the top of a max-heap.
    const pd: number[] = [];
    const pi: number[] = [];
    let displaced = 0;
    const consider = (d: number, id: number): void => {
      if (after && !before(after.distance, after.photoId, d, id)) return;
      if (pd.length < limit) pushWorst(pd, pi, d, id);
      else {
        displaced++; // one row after the cursor does not fit: there is a next page
        if (before(d, id, pd[0]!, pi[0]!)) replaceWorst(pd, pi, d, id);
      }
    };
    let exactReads = 0;
    // Exact distances in waves: the rows read (from several threads when the file is not cached)
    // into the kernel's memory, scored in one call.
    const mem = this.index.mem;
    const dim = this.index.dim;
    new Float32Array(mem.memory.buffer, mem.queryF32Off, dim).set(query);
    const batch = new Int32Array(EXACT_ROWS);
    const batchPos = new Int32Array(EXACT_ROWS);
    for (;;) {
      const full = pd.length === limit;
      if (full && (heap.size === 0 || heap.topKey() > pd[0]!)) break;
      // Full: everything that can still beat the worst. Filling: the first wave, then at least
      // what is missing (rows before the cursor or past an estimate that fell short).
      const least = full ? 0 : Math.max(EXACT_BATCH, limit - pd.length);
      let b = 0;
      let popped = 0;
      while (b < EXACT_ROWS && heap.size > 0 && (b < least || heap.topKey() <= (pd.length === limit ? pd[0]! : wave))) {
        const p = heap.pop();
        popped++;
        if (known[p]) consider(exact[p]!, ids[slots[p]!]!);
        else {
          batchPos[b] = p;
          batch[b++] = ids[slots[p]!]!;
        }
      }
      if (popped === 0) break;
      wave = -Infinity;
      if (b === 0) continue;
      this.exact.readRows(batch, b, mem.sharedBuffer(), mem.exactOff);
      mem.cosineRows(b);
      exactReads += b;
      const dist = new Float32Array(mem.memory.buffer, mem.exactOutOff, b);
      for (let k = 0; k < b; k++) {
        const d = dist[k]!;
        const p = batchPos[k]!;
        exact[p] = lo[p] = hi[p] = d;
        known[p] = 1;
        consider(d, batch[k]!);
      }
    }
    const order = pd.map((_, i) => i).sort((a, b) => pd[a]! - pd[b]! || pi[a]! - pi[b]!);
    const hits = order.map((i) => ({ photoId: pi[i]!, distance: pd[i]! }));
    // Rows left in the heap are certainly after the worst hit; so are displaced ones and rows past the range.
    const more = hits.length === limit && (range.beyond || heap.size > 0 || displaced > 0);
    return { hits, exactReads, more };
  }
}

function sameVector(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** Min-heap over positions 0..size-1 of (key, idx), built in O(n). */
class MinHeap {
  constructor(
    private readonly key: Float64Array,
    private readonly idx: Int32Array,
    public size: number,
  ) {
    for (let i = (size >> 1) - 1; i >= 0; i--) this.down(i);
  }
  topKey(): number {
    return this.key[0]!;
  }
  pop(): number {
    const top = this.idx[0]!;
    this.size--;
    if (this.size > 0) {
      this.key[0] = this.key[this.size]!;
      this.idx[0] = this.idx[this.size]!;
      this.down(0);
    }
    return top;
  }
  private down(i: number): void {
    const { key, idx, size } = this;
    const k = key[i]!;
    const v = idx[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= size) break;
      const c = l + 1 < size && key[l + 1]! < key[l]! ? l + 1 : l;
      if (key[c]! >= k) break;
      key[i] = key[c]!;
      idx[i] = idx[c]!;
      i = c;
    }
    key[i] = k;
    idx[i] = v;
  }
}

/** Max-heap by (distance, id) in two parallel arrays. */
function pushWorst(d: number[], id: number[], dist: number, photoId: number): void {
  let i = d.length;
  d.push(dist);
  id.push(photoId);
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (!before(d[p]!, id[p]!, dist, photoId)) break;
    d[i] = d[p]!;
    id[i] = id[p]!;
    i = p;
  }
  d[i] = dist;
  id[i] = photoId;
}

function replaceWorst(d: number[], id: number[], dist: number, photoId: number): void {
  const n = d.length;
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= n) break;
    const c = l + 1 < n && before(d[l]!, id[l]!, d[l + 1]!, id[l + 1]!) ? l + 1 : l;
    if (!before(dist, photoId, d[c]!, id[c]!)) break;
    d[i] = d[c]!;
    id[i] = id[c]!;
    i = c;
  }
  d[i] = dist;
  id[i] = photoId;
}
