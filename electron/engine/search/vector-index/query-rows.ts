/**
 * What one query knows about every filtered row, kept between its pages (searcher.ts):
 *
 * - the interval its exact distance lies in, from the int8 stage (1 − approx ± margin) — for
 *   every filtered row, which is what makes a page provably exact: a row is left unread only
 *   when its interval says it cannot be in the page;
 * - the rows in order of the interval's low end, by bucket (a counting sort, O(rows)), so a page
 *   looks only at the rows whose interval reaches its own span of distances, not at all of them;
 * - the exact distances read so far: the rows around a page's end are read once, not again by
 *   the next page.
 */
import type { CandidateList } from './candidates.ts';
import { RowArrays, type Typed } from './row-arrays.ts';

/** Keyset position: the exact distance and photo id of the last row shown. */
export interface KeysetPosition {
  distance: number;
  photoId: number;
}

/** Rows a page may hold: positions into QueryRows, and whether every row past them is certainly after the page. */
export interface PageRange {
  positions: Int32Array;
  count: number;
  /** Rows in buckets past the range exist (all certainly after anything the page can hold). */
  beyond: boolean;
}

export class QueryRows {
  readonly size: number;
  /** Slot in the codes index of each position. */
  readonly slots: Int32Array;
  /** Smallest and largest distance each row can have; equal once its exact distance is known. */
  readonly lo: Float64Array;
  readonly hi: Float64Array;
  /** Exact distance (float32, sqlite-vec's formula) where known[p]. */
  readonly exact: Float32Array;
  readonly known: Uint8Array;
  /** Positions ordered by bucket of lo: bucket b holds order[start[b] .. start[b + 1]). */
  private readonly order: Int32Array;
  private readonly start: Int32Array;
  private readonly base: number;
  private readonly width: number;
  private readonly buckets: number;
  /** The widest interval: a row at or after distance d has lo ≥ d − span. */
  private readonly span: number;
  private rangeBuf = new Int32Array(0);
  private hiBuf = new Float64Array(0);

  /**
   * Takes the stage-2 results of every filtered row (slots, approximate cosine, margin); the list's
   * slots become its own. With `arrays`, its arrays come from there, and the list's other two go
   * back there once read (the list is not used after this).
   */
  constructor(c: CandidateList, arrays?: RowArrays) {
    const n = (this.size = c.size);
    this.slots = c.slots.subarray(0, n);
    this.lo = RowArrays.take(arrays, Float64Array, n);
    this.hi = RowArrays.take(arrays, Float64Array, n);
    this.exact = RowArrays.take(arrays, Float32Array, n);
    this.known = RowArrays.take(arrays, Uint8Array, n).fill(0);
    let min = Infinity;
    let max = -Infinity;
    let span = 0;
    for (let p = 0; p < n; p++) {
      const d = 1 - c.approx[p]!;
      const e = c.margin[p]!;
      const lo = (this.lo[p] = d - e);
      this.hi[p] = d + e;
      if (lo < min) min = lo;
      if (lo > max) max = lo;
      if (2 * e > span) span = 2 * e;
    }
    this.span = span;
    // ~8 rows a bucket: a page's walk costs about the rows in its span of distances.
    this.buckets = Math.max(1, Math.min(1 << 16, n >> 3));
    this.base = n > 0 ? min : 0;
    this.width = max > min ? (max - min) / this.buckets : 1;
    const bucketOf = RowArrays.take(arrays, Int32Array, n);
    this.start = new Int32Array(this.buckets + 1);
    for (let p = 0; p < n; p++) this.start[(bucketOf[p] = this.bucket(this.lo[p]!)) + 1]!++;
    for (let b = 0; b < this.buckets; b++) this.start[b + 1]! += this.start[b]!;
    const fill = this.start.slice(0, this.buckets);
    this.order = RowArrays.take(arrays, Int32Array, n);
    for (let p = 0; p < n; p++) this.order[fill[bucketOf[p]!]!++] = p;
    arrays?.give(bucketOf, c.approx, c.margin);
  }

  /** Its per-row arrays, for RowArrays.give once nothing uses these rows any more. */
  arrays(): Typed[] {
    return [this.slots, this.lo, this.hi, this.exact, this.known, this.order, this.rangeBuf];
  }

  /** Monotone in x (so lo ≤ x ⇔ … ≤ bucket(x) holds for every row of a bucket), clamped to the buckets. */
  private bucket(x: number): number {
    const b = Math.floor((x - this.base) / this.width);
    return b < 0 ? 0 : b >= this.buckets ? this.buckets - 1 : b;
  }

  /**
   * The rows that can be among the first `limit` strictly after `after` (all of them on the first
   * page): every row whose interval reaches past the cursor, up to the distance W by which at
   * least `limit` rows certainly after the cursor are certainly done. Rows before the range are
   * certainly at or before the cursor; rows past it are certainly after W, hence after the page.
   */
  range(after: KeysetPosition | undefined, limit: number): PageRange {
    if (this.rangeBuf.length < this.size) this.rangeBuf = new Int32Array(this.size);
    if (this.hiBuf.length < limit) this.hiBuf = new Float64Array(limit);
    const out = this.rangeBuf;
    const his = this.hiBuf;
    const { lo, hi, order, start } = this;
    const cut = after ? after.distance : -Infinity;
    let count = 0;
    let certain = 0;
    let last = this.buckets - 1; // the last bucket that can hold a row of the page
    let b = after ? this.bucket(after.distance - this.span) : 0;
    for (; b <= last; b++) {
      for (let k = start[b]!; k < start[b + 1]!; k++) {
        const p = order[k]!;
        if (hi[p]! < cut) continue; // certainly before the cursor
        out[count++] = p;
        if (certain < limit && lo[p]! > cut) {
          his[certain++] = hi[p]!;
          // `limit` rows certainly after the cursor and certainly at most W: the page ends by W.
          if (certain === limit) last = Math.min(last, this.bucket(kthSmallest(his, limit - 1)));
        }
      }
    }
    return { positions: out, count, beyond: b < this.buckets };
  }
  /** The rows whose interval reaches down to `distance` or below (lo ≤ distance): every row that can be at or before it. */
  upTo(distance: number): { positions: Int32Array; count: number } {
    let buf = new Int32Array(64);
    let count = 0;
    const { lo, order, start } = this;
    const last = this.bucket(distance);
    for (let k = 0; k < start[last + 1]!; k++) {
      const p = order[k]!;
      if (lo[p]! > distance) continue;
      if (count === buf.length) {
        const grown = new Int32Array(buf.length * 2);
        grown.set(buf);
        buf = grown;
      }
      buf[count++] = p;
    }
    return { positions: buf, count };
  }
}

/** The k-th smallest value (0-based) of xs[0..k'] where k' ≥ k, reordering xs (quickselect). */
export function kthSmallest(xs: Float64Array, k: number, n = k + 1): number {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const pivot = xs[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (xs[i]! < pivot) i++;
      while (xs[j]! > pivot) j--;
      if (i <= j) {
        const t = xs[i]!;
        xs[i++] = xs[j]!;
        xs[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return xs[k]!;
}
