/** The growing candidate list of one query: what stage 2 scored, kept for its next pages. */
import { RowArrays } from './row-arrays.ts';

/** Stage-2 results: (slot, approximate cosine, half-width of the band the exact cosine lies in). */
export class CandidateList {
  size = 0;
  slots = new Int32Array(0);
  approx = new Float64Array(0);
  margin = new Float64Array(0);

  /** `arrays`: where its arrays come from and, when outgrown, go back to (none: fresh ones). */
  constructor(private readonly arrays?: RowArrays) {}

  reserve(n: number): void {
    if (n <= this.slots.length) return;
    const cap = Math.max(n, this.slots.length * 2);
    const grow = <T extends Int32Array | Float64Array>(a: T, b: T): T => {
      b.set(a.subarray(0, this.size));
      this.arrays?.give(a);
      return b;
    };
    this.slots = grow(this.slots, RowArrays.take(this.arrays, Int32Array, cap));
    this.approx = grow(this.approx, RowArrays.take(this.arrays, Float64Array, cap));
    this.margin = grow(this.margin, RowArrays.take(this.arrays, Float64Array, cap));
  }
}
