/**
 * One page of nearest neighbours from the codes index:
 *
 *   filter → mask (inside the query: every row considered is drawn from the filtered rows)
 *   first page: the sign codes' best candidates (stage 1), int8-scored, read exactly — fast and
 *           approximate (≥ 0.99 of the true page; first-page.ts)
 *   next pages: int8 scores of every filtered row, each with an error bound (codes-index.ts,
 *           stage 2): an interval the row's exact distance lies in; the rows whose interval
 *           reaches the page are read exactly (float32, sqlite-vec's formula) in order of their
 *           smallest possible distance until no remaining row can enter it
 *
 * Pages are keyset pages: a cursor is the (distance, photo id) of the last hit returned, and a
 * next page is the best `limit` strictly after it in (distance, id) order — exactly, among every
 * filtered row. A page after an approximate first page first returns, in (distance, id) order,
 * the rows the first page missed (exact distance at or before the cursor, not among its
 * candidates): the cursor carries the first page's sign-code threshold and the codes' identity
 * (first-page.ts), from which the next page recomputes its candidates — no state between requests.
 * So walking the pages returns every photo once: the first page is the best of its candidates,
 * the second starts with the few it missed (slightly better than the first page's last), and
 * from there on the order is exact. A cursor that ends among those returned rows (a caller cut
 * the page there) keeps the mark, with the last of them, so the rest come on the page after.
 *
 * Every page before the last one of the walk needs a bound for every row: a page drawn from the
 * sign codes' best C rows missed the rows the sign codes ranked too low (at 100k clip-like photos
 * the exact top 1000 reached down to the sign codes' 25 000th row), and the cursor moved past
 * them for good — 5–18% of a library never came back when paging to the end in pages of 500.
 * Writes between pages (indexing goes on while a person scrolls) neither repeat nor skip a photo
 * that stays put; photos added before the cursor are not shown, those after it are. The cursor
 * also carries how many hits came before (the SQL fallback sizes its KNN with it).
 *
 * What one query learnt (every row's interval, the exact distances read) is kept for its next
 * pages while the index and filter stay the same (query-rows.ts). It is only a cache: a cursor
 * from another process, or after other queries, gives the same page.
 */
import type { ExactVectors } from './exact-vectors.ts';
import { EXACT_BATCH, EXACT_ROWS } from './kernel.ts';
import type { CodesIndex, IndexFilter } from './codes-index.ts';
import { CandidateList } from './candidates.ts';
import { RowArrays } from './row-arrays.ts';
import { kthSmallest, QueryRows, type PageRange } from './query-rows.ts';
import { MinHeap, pushWorst, replaceWorst } from './page-heaps.ts';
import { codesIdentity, firstPageThreshold, stage1Scores, type FirstPageMark } from './first-page.ts';
import { madeFor, NextPagePrep, type PreparedRows } from './next-page-prep.ts';

export type { FirstPageMark } from './first-page.ts';

export interface PageCursor {
  /** Exact cosine distance of the last hit returned (float32 value). */
  distance: number;
  photoId: number;
  /** Hits returned before and including it. */
  depth: number;
  /** Present while an approximate first page may owe rows to the pages after it (first-page.ts). */
  first?: FirstPageMark;
}

/** Where a cursor after a hit stands when that is not simply the hit's own (distance, id). */
export interface Resume {
  distance: number;
  photoId: number;
  first: FirstPageMark;
}

export interface IndexHit {
  photoId: number;
  /** sqlite-vec's cosine distance, float32. */
  distance: number;
  /** Set on the hits of an approximate first page and on the rows it missed (see the file comment). */
  resume?: Resume;
}

export interface IndexPage {
  hits: IndexHit[];
  /** Rows passing the filter. */
  matched: number;
  /** Cursor for the next page; null when no filtered row is left. */
  next: PageCursor | null;
  /**
   * The mark a cursor placed before this page's first hit carries (a merged list's video segment
   * shown first): set when the page is an approximate first page or begins with rows it owed.
   */
  lead?: FirstPageMark;
  /**
   * How the page was found (benchmarks, tests): rows whose interval reached the page (the
   * candidates on an approximate first page), exact vectors read for it, whether it scored every
   * filtered row (int8) first (a new query, filter or index version), and on a page after an
   * approximate first page how many rows that page missed were returned here.
   */
  stats: { candidates: number; exactReads: number; scoredRows: boolean; approximate?: boolean; owed?: number };
}

/** (distance, id) order: a before b. */
const before = (da: number, ia: number, db: number, ib: number): boolean => da < db || (da === db && ia < ib);
const byKey = (a: IndexHit, b: IndexHit): number => a.distance - b.distance || a.photoId - b.photoId;

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
  /** Page 2's int8 pass, made while page 1 is read (next-page-prep.ts). */
  private readonly prep: NextPagePrep;
  /** The dropped state's per-row arrays, for the next query's (row-arrays.ts). */
  private readonly arrays = new RowArrays();

  constructor(
    private readonly index: CodesIndex,
    private readonly exact: ExactVectors,
  ) {
    this.prep = new NextPagePrep(index, this.arrays, (r) => this.keep(r));
  }

  /** Resolves when no next page is being prepared in the background (tests, benchmarks). */
  whenPrepared(): Promise<void> {
    return this.prep.idle();
  }

  page(query: Float32Array, limit: number, filter: IndexFilter = {}, after?: PageCursor): IndexPage {
    if (query.length !== this.index.dim) throw new Error(`query has ${query.length} dimensions; the index uses ${this.index.dim}`);
    if (!after) {
      const first = this.firstPage(query, limit, filter);
      if (first) return first;
    }
    const scoredRows = !this.current(query, filter);
    const st = this.stateFor(query, filter);
    const stats: IndexPage['stats'] = { candidates: 0, exactReads: 0, scoredRows };
    if (!(limit >= 1) || st.matched === 0) return { hits: [], matched: st.matched, next: null, stats };
    const owed = after?.first ? this.owedRows(query, st, after, after.first) : null;
    const depth = after?.depth ?? 0;
    const hits: IndexHit[] = [];
    let more: boolean;
    if (owed) {
      const { mark } = owed;
      for (const h of owed.rows.slice(0, limit)) {
        hits.push({ ...h, resume: { distance: after!.distance, photoId: after!.photoId, first: { ...mark, missed: { distance: h.distance, photoId: h.photoId } } } });
      }
      stats.owed = hits.length;
      stats.exactReads += owed.exactReads;
      more = owed.rows.length > limit || st.matched > owed.upToCursor;
    } else more = false;
    if (hits.length < limit) {
      const rest = limit - hits.length;
      const range = st.rows.range(after, rest);
      const p = this.exactPage(query, st.rows, range, rest, after);
      stats.candidates = range.count;
      stats.exactReads += p.exactReads;
      hits.push(...p.hits);
      more = p.more;
    }
    const last = hits[hits.length - 1];
    const next = last && more ? { ...(last.resume ?? { distance: last.distance, photoId: last.photoId }), depth: depth + hits.length } : null;
    const page: IndexPage = { hits, matched: st.matched, next, stats };
    if (owed && stats.owed! > 0) page.lead = owed.mark;
    return page;
  }

  /**
   * The fast first page (first-page.ts): the best `limit` of the sign codes' candidates, each hit
   * with the mark its cursor carries; undefined when the first page scores every filtered row
   * (small libraries, selective filters, large pages: then it is exact and owes nothing).
   */
  private firstPage(query: Float32Array, limit: number, filter: IndexFilter): IndexPage | undefined {
    if (!(limit >= 1)) return undefined;
    const index = this.index;
    const { masked, count } = index.applyFilter(filter);
    const from = count > 0 ? firstPageThreshold(index, query, masked, count, limit) : null;
    if (from === null) return undefined;
    const c = new CandidateList();
    index.stage2(query, index.collect(masked, from, 1 << 16), c);
    const rows = new QueryRows(c);
    const range = rows.range(undefined, limit);
    const p = this.exactPage(query, rows, range, limit, undefined);
    const lead: FirstPageMark = { threshold: from, codes: codesIdentity(index) };
    const hits = p.hits.map((h): IndexHit => ({ ...h, resume: { distance: h.distance, photoId: h.photoId, first: lead } }));
    const last = hits[hits.length - 1];
    const next = last && hits.length === limit && count > limit ? { ...last.resume!, depth: hits.length } : null;
    const stats = { candidates: c.size, exactReads: p.exactReads, scoredRows: false, approximate: true };
    if (next && !this.current(query, filter)) this.prep.start(query, filter, this.filterKey(filter), { masked, count });
    return { hits, matched: count, next, lead, stats };
  }

  /**
   * The rows an approximate first page missed at or before the cursor (exact distance there, sign-code
   * score below its threshold), in (distance, id) order after mark.missed; null when it owes none,
   * or when the codes were recentred since (first-page.ts: the page then continues after the cursor).
   */
  private owedRows(query: Float32Array, st: QueryState, after: PageCursor, mark: FirstPageMark): { rows: IndexHit[]; upToCursor: number; exactReads: number; mark: FirstPageMark } | null {
    const index = this.index;
    if (codesIdentity(index) !== mark.codes) return null;
    const rows = st.rows;
    const { hi, exact, known, slots } = rows;
    const { positions, count: n } = rows.upTo(after.distance);
    index.scan(query);
    const scores = stage1Scores(index);
    const missedBy = (p: number): boolean => scores[slots[p]!]! < mark.threshold;
    // Exact distances: for the rows that may be on either side of the cursor, and the missed ones (shown now).
    const read: number[] = [];
    for (let j = 0; j < n; j++) {
      const p = positions[j]!;
      if (!known[p] && (hi[p]! >= after.distance || missedBy(p))) read.push(p);
    }
    const exactReads = this.readExact(query, rows, read);
    const ids = index.ids;
    let upToCursor = 0;
    const missed: IndexHit[] = [];
    for (let j = 0; j < n; j++) {
      const p = positions[j]!;
      const id = ids[slots[p]!]!;
      if (known[p] && before(after.distance, after.photoId, exact[p]!, id)) continue; // after the cursor
      upToCursor++;
      if (missedBy(p) && (!mark.missed || before(mark.missed.distance, mark.missed.photoId, exact[p]!, id))) missed.push({ photoId: id, distance: exact[p]! });
    }
    if (missed.length === 0) return null;
    missed.sort(byKey);
    return { rows: missed, upToCursor, exactReads, mark: { threshold: mark.threshold, codes: mark.codes, ...(mark.missed ? { missed: mark.missed } : {}) } };
  }

  /** Exact distances of these positions (not known yet) into the query's rows; returns how many were read. */
  private readExact(query: Float32Array, rows: QueryRows, positions: readonly number[]): number {
    const mem = this.index.mem;
    const ids = this.index.ids;
    new Float32Array(mem.memory.buffer, mem.queryF32Off, this.index.dim).set(query);
    const batch = new Int32Array(EXACT_ROWS);
    for (let s = 0; s < positions.length; s += EXACT_ROWS) {
      const b = Math.min(EXACT_ROWS, positions.length - s);
      for (let k = 0; k < b; k++) batch[k] = ids[rows.slots[positions[s + k]!]!]!;
      this.exact.readRows(batch, b, mem.sharedBuffer(), mem.exactOff);
      mem.cosineRows(b);
      const dist = new Float32Array(mem.memory.buffer, mem.exactOutOff, b);
      for (let k = 0; k < b; k++) {
        const p = positions[s + k]!;
        rows.exact[p] = rows.lo[p] = rows.hi[p] = dist[k]!;
        rows.known[p] = 1;
      }
    }
    return positions.length;
  }

  /** Drops what is kept of the last query (after the index changed in bulk), and any preparation. */
  reset(): void {
    this.dropState();
    this.prep.cancel();
  }

  /**
   * Forgets the kept state and gives its arrays back. Safe: page() runs start to end without
   * waiting, so nothing reads a dropped state's rows.
   */
  private dropState(): void {
    if (this.state) this.arrays.give(...this.state.rows.arrays());
    this.state = undefined;
  }

  private current(query: Float32Array, filter: IndexFilter): boolean {
    const st = this.state;
    return !!st && madeFor(st, query, this.filterKey(filter), this.index.version);
  }

  private stateFor(query: Float32Array, filter: IndexFilter): QueryState {
    if (this.current(query, filter)) return this.state!;
    // Prepared in the background after its first page: finish what is left of it.
    if (this.prep.finishNow(query, this.filterKey(filter)) && this.current(query, filter)) return this.state!;
    this.prep.cancel();
    this.dropState(); // its memory is the next one's
    const index = this.index;
    const { masked, count } = index.applyFilter(filter);
    const c = new CandidateList(this.arrays);
    c.reserve(count);
    index.stage2(query, index.allRows(masked), c);
    return this.keep({ query: query.slice(), filterKey: this.filterKey(filter), version: index.version, matched: count, candidates: c });
  }

  /** Keeps a query's scored rows (made by the request or prepared in the background) as its state, in place of the last. */
  private keep(r: PreparedRows): QueryState {
    this.dropState();
    return (this.state = { query: r.query, filterKey: r.filterKey, version: r.version, matched: r.matched, rows: new QueryRows(r.candidates, this.arrays) });
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
