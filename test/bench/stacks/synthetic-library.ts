/**
 * A synthetic library of pictures for the grouping's speed (never for its quality): CLIP-like
 * vectors (test/bench/search/vectors.ts, whose "bursts" are scenes of 1–24 photos at cosine ≈ 0.9),
 * each scene shot either as a burst (frames 100–500 ms apart, one camera, hashes 4–16 bits from
 * the scene's) or as a session (shots seconds to minutes apart, hashes 14–24 bits apart); pHash
 * bits biased per position as measured on real ones; 10 % of photos with a re-encoded copy (0–4 bits, no
 * EXIF), 3 % with an exact copy (the same content hash: one picture).
 */
import { Rng, makeVectors } from '../search/vectors.ts';
import type { Phash64 } from '../../../electron/engine/stacks/phash.ts';
import type { Picture } from '../../../electron/engine/stacks/relations.ts';

export const DIM = 512;

function flip(h: Phash64, bits: number, rng: Rng): Phash64 {
  const out = { ...h };
  for (let k = 0; k < bits; k++) {
    const b = rng.int(64);
    if (b < 32) out.hi = (out.hi ^ (1 << b)) >>> 0;
    else out.lo = (out.lo ^ (1 << (b - 32))) >>> 0;
  }
  return out;
}

function cos(v: Float32Array, a: number, b: number): number {
  let s = 0;
  for (let i = 0; i < DIM; i++) s += v[a * DIM + i] * v[b * DIM + i];
  return s;
}

export interface SyntheticLibrary {
  pictures: Picture[];
  /** Photos (exact copies included): what the library holds. */
  photos: number;
}

export function syntheticLibrary(n: number, seed = 1): SyntheticLibrary {
  const rng = new Rng(seed);
  const vectors = makeVectors('clip-like', n, DIM, seed);
  // Measured on 191 real photos and frames: the first bit (the DCT's DC term) is always set, the
  // others are set 34–67 % of the time.
  const bias = Array.from({ length: 64 }, () => 0.35 + 0.3 * rng.next());
  const biasedHash = (): Phash64 => {
    let hi = 1 << 31;
    let lo = 0;
    for (let b = 0; b < 31; b++) if (rng.next() < bias[b]) hi |= 1 << b;
    for (let b = 0; b < 32; b++) if (rng.next() < bias[32 + b]) lo |= 1 << b;
    return { hi: hi >>> 0, lo: lo >>> 0 };
  };
  const pictures: Picture[] = [];
  let photos = 0;
  let t = Date.UTC(2019, 0, 1);
  let r = 0;
  while (r < n) {
    let end = r + 1;
    while (end < n && cos(vectors, end - 1, end) > 0.8) end++;
    const burst = end - r > 1 && rng.next() < 0.4;
    const camera = `cam\u0000${rng.int(5)}`;
    const base = biasedHash();
    t += 60_000 + rng.int(6 * 3_600_000);
    for (let i = r; i < end; i++) {
      t += burst ? 100 + rng.int(400) : 5_000 + rng.int(115_000);
      const key = `p${i}`;
      const vector = vectors.subarray(i * DIM, (i + 1) * DIM);
      const phash = flip(base, burst ? 4 + rng.int(13) : 14 + rng.int(11), rng);
      pictures.push({ key, phash, vector, takenAt: t, camera, captureId: key, burstKey: null });
      photos += rng.next() < 0.03 ? 2 : 1;
      if (rng.next() < 0.1) {
        const copy = Float32Array.from(vector, (x) => x + (rng.next() - 0.5) * 0.004);
        pictures.push({ key: `${key}-copy`, phash: flip(phash, rng.int(5), rng), vector: copy, takenAt: null, camera: null, captureId: null, burstKey: null });
        photos++;
      }
    }
    r = end;
  }
  return { pictures, photos };
}
