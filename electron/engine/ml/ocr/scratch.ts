/**
 * Reusable buffers for the OCR worker's big per-photo arrays (the detector's input, region
 * labels, the recogniser's batches). Allocated fresh, each photo left tens of megabytes of
 * typed arrays for the garbage collector, which frees external memory late: over a pass the
 * process's resident memory climbed by hundreds of megabytes. One worker runs one photo at a
 * time, so one buffer of each kind, grown to the largest need, serves them all.
 */
export class Scratch<T extends Float32Array | Int32Array> {
  private buf: T | null = null;

  constructor(private readonly make: (n: number) => T) {}

  /** A view of exactly `n` elements, contents undefined unless `zero`. Valid until the next call. */
  take(n: number, zero = false): T {
    if (!this.buf || this.buf.length < n) this.buf = this.make(Math.ceil(n * 1.25));
    const view = this.buf.subarray(0, n) as T;
    if (zero) view.fill(0);
    return view;
  }
}
