/**
 * BENCHMARK BASELINE ONLY — the pager of the codes index before paging was made exact
 * (electron/engine/search/vector-index/searcher.ts), moved here unchanged but for its imports so
 * that the paging benchmark (../paging.bench.ts) can measure it against today's in the same run.
 * Nothing in electron/ imports it.
 *
 * Why it was replaced: it took each page's candidates from the sign codes' best C rows (stage 1)
 * and moved the keyset cursor past every row the sign codes ranked too low, so those rows never
 * came back — walking a 100k library to the end in pages of 500 returned 82–95% of it.
 *
 * One page of exact nearest neighbours from the codes index:
 *
 *   filter → mask (inside the query: every candidate is drawn from the filtered rows)
 *   stage 1: sign-code scores of every row, the best C by a histogram threshold (no sort)
 *   stage 2: int8 scores of those C, each with an error bound
 *   exact:   candidates in order of their best possible distance; float32 distance (sqlite-vec's
 *            formula) until no remaining candidate can enter the page
 *
 * Pages are keyset pages: a cursor is the (distance, photo id) of the last hit returned, and the
 * next page is the best `limit` strictly after it in (distance, id) order. Writes between pages
 * (indexing goes on while a person scrolls) neither repeat nor skip a photo that stays put. The
 * cursor also carries how many hits came before, which sizes C: deeper pages need more candidates.
 * There is no cap: past a certain depth C covers every filtered row and the page is exact.
 */
import type { ExactVectors } from '../../../../electron/engine/search/vector-index/exact-vectors.ts';
import { EXACT_BATCH, EXACT_ROWS } from '../../../../electron/engine/search/vector-index/kernel.ts';
import type { CodesIndex, IndexFilter } from '../../../../electron/engine/search/vector-index/codes-index.ts';
import { CandidateList } from '../../../../electron/engine/search/vector-index/candidates.ts';
// The heaps and the quickselect are today's, unchanged since this pager was replaced.
import { MinHeap, pushWorst, replaceWorst } from '../../../../electron/engine/search/vector-index/page-heaps.ts';
import { kthSmallest } from '../../../../electron/engine/search/vector-index/query-rows.ts';

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
  /** How the page was found (benchmarks, tests). */
  stats: { candidates: number; exactReads: number; scannedCodes: boolean };
}

/**
 * Stage-1 candidates for a page ending at `depth` among `matched` filtered rows:
 * CANDIDATE_SCALE × depth^0.43 × matched^0.63 (at least MIN_CANDIDATES). The sign codes' ranking
 * error grows with both the depth asked for and the number of rows competing. Fitted on CLIP-like
 * vectors (test/bench/search/): at 1M rows the recall ≥ 0.995 points were ~30k candidates for
 * depth 500 and ~60k for depth 2500, at 100k ~7k for depth 500; the scale carries a margin of ~1.5×
 * over that fit. Examples: 1M rows, first page of 500 → ~44k; page 5 (depth 2500) → ~87k; 200k
 * filtered rows → ~16k; 100k → ~10k. The benchmarks report the recall these give.
 */
export const CANDIDATE_SCALE = 0.5;
/** Score every filtered row (exact pages) when there are at most this many… */
export const EXACT_UP_TO = 20_000;
/** …or when the candidates would be more than 1 / ALL_ROWS_FRACTION of them. */
const ALL_ROWS_FRACTION = 4;
const MIN_CANDIDATES = 2048;

export function candidatesFor(depth: number, matched: number): number {
  return Math.ceil(Math.max(MIN_CANDIDATES, CANDIDATE_SCALE * Math.pow(depth, 0.43) * Math.pow(matched, 0.63)));
}

/** (distance, id) order: a before b. */
const before = (da: number, ia: number, db: number, ib: number): boolean => da < db || (da === db && ia < ib);

/** What is kept of the last query, so that its next pages only score what the first did not. */
interface QueryState {
  key: string;
  version: number;
  masked: boolean;
  matched: number;
  hist: { hist: Uint32Array; shift: number } | undefined;
  /** Every row with a stage-1 score >= this is in cand (65536: none yet). */
  collectedFrom: number;
  /** Every filtered row is in cand. */
  all: boolean;
  cand: CandidateList;
}

const NONE_COLLECTED = 65536;

export class Searcher {
  private state: QueryState | undefined;
  /** The state whose stage-1 scores the kernel's score array holds. */
  private scoresOf: QueryState | undefined;
  private readonly listIds = new WeakMap<object, number>();
  private nextListId = 1;

  constructor(
    private readonly index: CodesIndex,
    private readonly exact: ExactVectors,
  ) {}

  page(query: Float32Array, limit: number, filter: IndexFilter = {}, after?: PageCursor): IndexPage {
    if (query.length !== this.index.dim) throw new Error(`query has ${query.length} dimensions; the index uses ${this.index.dim}`);
    const st = this.stateFor(query, filter);
    const stats = { candidates: 0, exactReads: 0, scannedCodes: false };
    if (!(limit >= 1) || st.matched === 0) return { hits: [], matched: st.matched, next: null, stats };
    const depth = after?.depth ?? 0;
    let want = candidatesFor(depth + limit, st.matched);
    for (;;) {
      stats.scannedCodes = this.ensureCandidates(st, query, want) || stats.scannedCodes;
      const { hits, exactReads } = this.exactPage(query, st.cand, limit, after);
      stats.exactReads += exactReads;
      stats.candidates = st.cand.size;
      if (hits.length === limit || st.all) {
        const last = hits[hits.length - 1];
        const seen = depth + hits.length;
        const next = last && seen < st.matched ? { distance: last.distance, photoId: last.photoId, depth: seen } : null;
        return { hits, matched: st.matched, next, stats };
      }
      want = Math.max(want * 4, st.cand.size * 4); // the cursor's depth was too small a hint (rows were added before it): widen
    }
  }

  /** Drops what is kept of the last query (after the index changed in bulk). */
  reset(): void {
    this.state = undefined;
    this.scoresOf = undefined;
  }

  private stateFor(query: Float32Array, filter: IndexFilter): QueryState {
    const key = `${hashVector(query)}|${this.filterKey(filter)}`;
    const st = this.state;
    if (st && st.key === key && st.version === this.index.version) return st;
    const { masked, count } = this.index.applyFilter(filter);
    this.scoresOf = undefined;
    return (this.state = { key, version: this.index.version, masked, matched: count, hist: undefined, collectedFrom: NONE_COLLECTED, all: false, cand: new CandidateList() });
  }

  /** Brings at least `want` candidates (or every filtered row) into st.cand; true if it ran the stage-1 scan. */
  private ensureCandidates(st: QueryState, query: Float32Array, want: number): boolean {
    if (st.all || st.cand.size >= want) return false;
    const index = this.index;
    if ((want * ALL_ROWS_FRACTION >= st.matched || st.matched <= EXACT_UP_TO) && st.collectedFrom === NONE_COLLECTED) {
      // Scoring every filtered row costs little more than scanning for a large part of them, and
      // makes the page exact: small libraries and selective filters always get exact pages.
      index.stage2(query, index.allRows(st.masked), st.cand);
      st.all = true;
      return false;
    }
    let scanned = false;
    if (this.scoresOf !== st) {
      index.scan(query);
      this.scoresOf = st;
      scanned = true;
    }
    st.hist ??= index.scoreHistogram(st.masked);
    const { hist, shift } = st.hist;
    let acc = 0;
    let b = hist.length - 1;
    for (; b > 0; b--) {
      acc += hist[b]!;
      if (acc >= want) break;
    }
    const from = b << shift;
    if (from < st.collectedFrom) {
      index.stage2(query, index.collect(st.masked, b === 0 ? 0 : from, st.collectedFrom), st.cand);
      st.collectedFrom = b === 0 ? 0 : from;
    }
    if (st.collectedFrom === 0) st.all = true;
    return scanned;
  }

  private filterKey(f: IndexFilter): string {
    const lists = (f.allow ?? []).map((l) => {
      let id = this.listIds.get(l);
      if (id === undefined) this.listIds.set(l, (id = this.nextListId++));
      return id;
    });
    return JSON.stringify([f.after ?? null, f.before ?? null, f.folderIds ?? null, lists]);
  }

  private exactPage(query: Float32Array, c: CandidateList, limit: number, after: PageCursor | undefined): { hits: IndexHit[]; exactReads: number } {
    const ids = this.index.ids;
    // Candidates that might come after the cursor, keyed by the smallest distance they can have.
    const n = c.size;
    const key = new Float64Array(n);
    const idx = new Int32Array(n);
    const centre = new Float64Array(n);
    let m = 0;
    let certain = 0;
    for (let j = 0; j < n; j++) {
      const a = c.approx[j]!;
      const e = c.margin[j]!;
      if (after && 1 - a + e < after.distance) continue; // certainly before the cursor
      key[m] = 1 - a - e;
      // Distance estimates of the candidates certainly after the cursor: where the page will end.
      if (!after || key[m]! > after.distance) centre[certain++] = 1 - a;
      idx[m++] = j;
    }
    // First wave: every candidate that can be nearer than the estimated end of the page, read in
    // one go; then the few whose band still reaches past the page's exact worst.
    let wave = certain >= limit ? kthSmallest(centre.subarray(0, certain), limit - 1, certain) : Infinity;
    const heap = new MinHeap(key, idx, m);
    // The page so far, worst (largest distance, then id) kept at the top of a max-heap.
    const pd: number[] = [];
    const pi: number[] = [];
    let exactReads = 0;
    // Exact distances in waves: the rows read (from several threads when the file is not cached)
    // into the kernel's memory, scored in one call.
    const mem = this.index.mem;
    const dim = this.index.dim;
    new Float32Array(mem.memory.buffer, mem.queryF32Off, dim).set(query);
    const batch = new Int32Array(EXACT_ROWS);
    for (;;) {
      const full = pd.length === limit;
      if (full && (heap.size === 0 || heap.topKey() > pd[0]!)) break;
      // Full: everything that can still beat the worst. Filling: the first wave, then at least
      // what is missing (rows before the cursor or past an estimate that fell short).
      const bound = full ? pd[0]! : wave;
      const least = full ? 0 : Math.max(EXACT_BATCH, limit - pd.length);
      let b = 0;
      while (b < EXACT_ROWS && heap.size > 0 && (b < least || heap.topKey() <= bound)) batch[b++] = ids[c.slots[heap.pop()]!]!;
      if (b === 0) break;
      wave = -Infinity;
      this.exact.readRows(batch, b, mem.sharedBuffer(), mem.exactOff);
      mem.cosineRows(b);
      exactReads += b;
      const dist = new Float32Array(mem.memory.buffer, mem.exactOutOff, b);
      for (let k = 0; k < b; k++) {
        const d = dist[k]!;
        const id = batch[k]!;
        if (after && !before(after.distance, after.photoId, d, id)) continue;
        if (pd.length < limit) pushWorst(pd, pi, d, id);
        else if (before(d, id, pd[0]!, pi[0]!)) replaceWorst(pd, pi, d, id);
      }
    }
    const order = pd.map((_, i) => i).sort((a, b) => pd[a]! - pd[b]! || pi[a]! - pi[b]!);
    return { hits: order.map((i) => ({ photoId: pi[i]!, distance: pd[i]! })), exactReads };
  }
}

/** FNV-1a over the float bits: identifies a query vector for the next-page cache. */
function hashVector(v: Float32Array): string {
  const w = new Int32Array(v.buffer, v.byteOffset, v.length);
  let h = 0x811c9dc5;
  for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w[i]!, 0x01000193);
  return `${v.length}:${(h >>> 0).toString(16)}`;
}
