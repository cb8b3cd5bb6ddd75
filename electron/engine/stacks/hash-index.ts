/**
 * Finds the stored hashes within a Hamming radius of a query without comparing against all of
 * them: a multi-index hash table (Norouzi et al., "Fast Search in Hamming Space with Multi-Index
 * Hashing"). The 64 bits are split into four 16-bit bands; a hash within distance T of the query
 * agrees with it to within ⌊T/4⌋ bits in at least one band (pigeonhole), so probing each band's
 * buckets at the keys within ⌊T/4⌋ of the query's band finds every match. At T = 10 that is
 * 4 × 137 bucket probes, each bucket a direct array slot.
 */
import { popcount32, type Phash64 } from './phash.ts';

const BANDS = 4;
const BAND_BITS = 16;
const BAND_KEYS = 1 << BAND_BITS;

/** 16-bit masks with at most r bits set, for r ≤ 3 (what radii ≤ 15 need). */
const MASKS_BY_RADIUS: number[][] = [0, 1, 2, 3].map((r) => {
  const out: number[] = [];
  for (let m = 0; m < BAND_KEYS; m++) if (popcount32(m) <= r) out.push(m);
  return out.sort((a, b) => popcount32(a) - popcount32(b) || a - b);
});

export const MAX_RADIUS = BANDS * (MASKS_BY_RADIUS.length - 1) + (BANDS - 1);

function band(h: Phash64, b: number): number {
  return b < 2 ? (b === 0 ? h.hi >>> 16 : h.hi & 0xffff) : b === 2 ? h.lo >>> 16 : h.lo & 0xffff;
}

export class HashIndex<K> {
  private readonly buckets: (number[] | undefined)[][] = Array.from({ length: BANDS }, () => new Array<number[] | undefined>(BAND_KEYS));
  /** Both halves of each slot's hash, as int32 (typed arrays keep them unboxed). */
  private his = new Int32Array(1024);
  private los = new Int32Array(1024);
  private readonly hashes: (Phash64 | undefined)[] = [];
  private readonly keys: (K | undefined)[] = [];
  private readonly slotOf = new Map<K, number>();
  private readonly free: number[] = [];
  private seen = new Int32Array(1024);
  private stamp = 0;

  get size(): number {
    return this.slotOf.size;
  }

  add(key: K, h: Phash64): void {
    if (this.slotOf.has(key)) this.remove(key);
    const slot = this.free.pop() ?? this.hashes.length;
    this.hashes[slot] = h;
    this.keys[slot] = key;
    this.slotOf.set(key, slot);
    for (let b = 0; b < BANDS; b++) {
      const k = band(h, b);
      (this.buckets[b][k] ??= []).push(slot);
    }
    if (slot >= this.seen.length) {
      const grow = (a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => {
        const g = new Int32Array(a.length * 2);
        g.set(a);
        return g;
      };
      this.seen = grow(this.seen);
      this.his = grow(this.his);
      this.los = grow(this.los);
    }
    this.his[slot] = h.hi | 0;
    this.los[slot] = h.lo | 0;
  }

  remove(key: K): boolean {
    const slot = this.slotOf.get(key);
    if (slot === undefined) return false;
    const h = this.hashes[slot]!;
    for (let b = 0; b < BANDS; b++) {
      const bucket = this.buckets[b][band(h, b)]!;
      bucket.splice(bucket.indexOf(slot), 1);
    }
    this.hashes[slot] = undefined;
    this.keys[slot] = undefined;
    this.slotOf.delete(key);
    this.free.push(slot);
    return true;
  }

  /** Every stored key within `radius` bits of `h`, with its distance (unordered). */
  within(h: Phash64, radius: number): { key: K; distance: number }[] {
    if (!Number.isInteger(radius) || radius < 0 || radius > MAX_RADIUS) throw new RangeError(`radius must be 0–${MAX_RADIUS}`);
    const masks = MASKS_BY_RADIUS[Math.floor(radius / BANDS)];
    const stamp = ++this.stamp;
    const qhi = h.hi | 0;
    const qlo = h.lo | 0;
    const { his, los, seen } = this;
    const out: { key: K; distance: number }[] = [];
    for (let b = 0; b < BANDS; b++) {
      const q = band(h, b);
      const buckets = this.buckets[b];
      for (const m of masks) {
        const bucket = buckets[q ^ m];
        if (!bucket) continue;
        for (let i = 0; i < bucket.length; i++) {
          const slot = bucket[i];
          if (seen[slot] === stamp) continue;
          seen[slot] = stamp;
          const d = popcount32(his[slot] ^ qhi) + popcount32(los[slot] ^ qlo);
          if (d <= radius) out.push({ key: this.keys[slot]!, distance: d });
        }
      }
    }
    return out;
  }
}
