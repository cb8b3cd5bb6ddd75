/**
 * The grouping's vectors on demand. Holding every picture's vector would cost 2 KiB a picture at
 * 512 dimensions (2 GiB at a million photos); the grouping only compares a picture with its hash
 * neighbours and what was taken in the same seconds, so the pass reads vectors from the store as
 * they are asked for and keeps the most recent ones: inserting in capture order, a burst's frames
 * are still here when the next frame arrives.
 */
import type { Picture, VectorOf } from './relations.ts';

/** A picture with a photo that holds it, whose stored vector is the picture's. */
export type HeldPicture = Picture & { photoId: number };

export class VectorCache {
  private readonly recent = new Map<string, Float32Array>();
  /** Vectors read from the store (the benchmark's and the status line's figure). */
  reads = 0;

  constructor(
    /** The stored vector of a photo (undefined: it has none, e.g. deleted meanwhile). */
    private readonly read: (photoId: number) => Float32Array | undefined,
    /** Another photo holding the content, when the one remembered is gone. */
    private readonly holder: (hash: string) => number | null,
    private readonly capacity = 8192,
  ) {}

  /** For the grouper: the picture's own vector when it carries one, else the cached or stored one. */
  readonly vectorOf: VectorOf = (p) => {
    if (p.vector) return p.vector;
    const hit = this.recent.get(p.key);
    if (hit) {
      this.recent.delete(p.key);
      this.recent.set(p.key, hit);
      return hit;
    }
    const held = p as HeldPicture;
    let v = this.read(held.photoId);
    if (!v) {
      const other = this.holder(p.key);
      if (other !== null) {
        held.photoId = other;
        v = this.read(other);
      }
    }
    if (!v) return null;
    this.remember(p.key, v);
    return v;
  };

  /** A vector just read with its photo (the pass's batch): kept as recent. */
  remember(key: string, v: Float32Array): void {
    this.reads++;
    this.recent.delete(key);
    this.recent.set(key, v);
    if (this.recent.size > this.capacity) this.recent.delete(this.recent.keys().next().value!);
  }

  forget(key: string): void {
    this.recent.delete(key);
  }
}
