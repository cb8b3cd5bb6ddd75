/**
 * The per-row arrays of a dropped query, kept for the next one. At a million photos one query's
 * candidate list and row intervals are ~50 MB of typed arrays (candidates.ts, query-rows.ts). The
 * engine's processes start with a fixed 1 MB mmap threshold (util/allocator-env.ts), so fresh
 * arrays that size are mapped and faulted in on every query: +1–5 ms on the p50s and +18–31 % on a
 * page 2 asked at once, measured (docs/decisions/ocr.md). Reusing the memory takes that back.
 *
 * An array is given back only when nothing refers to it any more (the searcher's dropped state);
 * what `take` returns has unspecified contents.
 */
export type Typed = Int32Array | Float64Array | Float32Array | Uint8Array;
export interface TypedCtor<T extends Typed> {
  new (buffer: ArrayBuffer, byteOffset: number, length: number): T;
  new (length: number): T;
  readonly BYTES_PER_ELEMENT: number;
}

/** About one query's arrays (its state's seven, the candidate list's two, the bucket scratch), never more. */
const MAX_KEPT = 12;

export class RowArrays {
  private readonly kept = new Set<ArrayBuffer>();

  /** An array of exactly n elements: a view of a kept buffer when one is large enough (the smallest such), else a new one. */
  take<T extends Typed>(ctor: TypedCtor<T>, n: number): T {
    const bytes = n * ctor.BYTES_PER_ELEMENT;
    let best: ArrayBuffer | undefined;
    for (const b of this.kept) if (b.byteLength >= bytes && (!best || b.byteLength < best.byteLength)) best = b;
    if (!best) return new ctor(n);
    this.kept.delete(best);
    return new ctor(best, 0, n);
  }

  /** Gives the arrays' memory back for later queries; each must be the only user of its buffer. */
  give(...arrays: readonly Typed[]): void {
    for (const a of arrays) {
      if (a.byteLength === 0 || this.kept.size >= MAX_KEPT || !(a.buffer instanceof ArrayBuffer)) continue;
      this.kept.add(a.buffer);
    }
  }

  /** From `pool` when there is one, else a new array: what the candidate list and the query rows allocate with. */
  static take<T extends Typed>(pool: RowArrays | undefined, ctor: TypedCtor<T>, n: number): T {
    return pool ? pool.take(ctor, n) : new ctor(n);
  }

  /** Bytes kept (tests). */
  get keptBytes(): number {
    let n = 0;
    for (const b of this.kept) n += b.byteLength;
    return n;
  }
}
