/**
 * The int8 pass a query's second page needs, made in the background after its first page.
 *
 * Why: a fast first page is approximate (first-page.ts); the page after it must find what it
 * missed and then page exactly, which needs every filtered row's int8 interval (searcher.ts
 * `stateFor`): at a million photos 168 ms of CPU, paid by the request for page 2 (its p95 went
 * from ~15 to ~180–210 ms). A person reads page 1 before scrolling to page 2, so the pass is made
 * in that time instead: in slices of SLICE_ROWS rows, each a separate turn of the event loop, so a
 * new query or any other request waits at most one slice (~2 ms at 1M, 512-d).
 *
 * The slices read the rows in slot order into one candidate list, as the one-shot pass does, so the
 * state is the same. Page 2 arriving before the last slice finishes the rest itself. A different
 * query, a changed index (version) or reset() drops the work. Filters given as id lists are not
 * prepared: their lists are new objects on every request, so page 2 could not tell it is the same
 * filter (searcher.ts filterKey).
 */
import { CandidateList } from './candidates.ts';
import type { RowArrays } from './row-arrays.ts';
import type { CodesIndex, IndexFilter } from './codes-index.ts';

/** Rows a slice scores (~3 ms of CPU at 512-d). */
export const SLICE_ROWS = 16_384;

export interface PreparedRows {
  query: Float32Array;
  filterKey: string;
  version: number;
  matched: number;
  candidates: CandidateList;
}

export class NextPagePrep {
  private job: (PreparedRows & { mask: Uint8Array | null; next: number }) | undefined;
  private waiters: (() => void)[] = [];

  constructor(
    private readonly index: CodesIndex,
    /** Where the candidate lists' arrays come from (the searcher's, reused across queries). */
    private readonly arrays: RowArrays,
    /** Called with the finished rows (the searcher keeps them as its query state). */
    private readonly done: (rows: PreparedRows) => void,
  ) {}

  /**
   * Starts preparing the query's rows after the current turn (replacing any other query's), right
   * after its first page applied `filter` (its mask is still in the kernel's memory: copied, not
   * made again).
   */
  start(query: Float32Array, filter: IndexFilter, filterKey: string, applied: { masked: boolean; count: number }): void {
    this.cancel();
    if (filter.allow) return;
    const candidates = new CandidateList(this.arrays); // sized by the first slice, not in page 1's request (~20 MB at 1M)
    const mask = applied.masked ? this.index.maskCopy() : null;
    this.job = { query: query.slice(), filterKey, version: this.index.version, matched: applied.count, candidates, mask, next: 0 };
    this.schedule(this.job);
  }

  /** Finishes now the preparation of this query if one is in progress (its rows go to `done`); false when none is. */
  finishNow(query: Float32Array, filterKey: string): boolean {
    const job = this.job;
    if (!job || !madeFor(job, query, filterKey, this.index.version)) return false;
    while (job.next < this.index.size) this.slice(job);
    this.finish(job);
    return true;
  }

  /** Drops work in progress. */
  cancel(): void {
    this.job = undefined;
    this.wake();
  }

  /** Resolves when no preparation is in progress (tests, benchmarks). */
  idle(): Promise<void> {
    return this.job ? new Promise((resolve) => this.waiters.push(resolve)) : Promise.resolve();
  }

  private schedule(job: NonNullable<NextPagePrep['job']>): void {
    setImmediate(() => {
      if (this.job !== job) return;
      if (job.version !== this.index.version) return this.cancel();
      this.slice(job);
      if (job.next >= this.index.size) this.finish(job);
      else this.schedule(job);
    });
  }

  private slice(job: NonNullable<NextPagePrep['job']>): void {
    if (job.next === 0) job.candidates.reserve(job.matched);
    const to = Math.min(this.index.size, job.next + SLICE_ROWS);
    const n = this.index.rowsOf(job.mask, job.next, to);
    if (n > 0) this.index.stage2(job.query, n, job.candidates);
    job.next = to;
  }

  private finish(job: NonNullable<NextPagePrep['job']>): void {
    if (this.job !== job) return;
    this.job = undefined;
    this.done(job);
    this.wake();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

/** Whether rows (the searcher's kept state, or a preparation) were made for this query, filter and index version. */
export function madeFor(rows: { query: Float32Array; filterKey: string; version: number }, query: Float32Array, filterKey: string, version: number): boolean {
  return rows.version === version && rows.filterKey === filterKey && sameVector(rows.query, query);
}

function sameVector(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}
