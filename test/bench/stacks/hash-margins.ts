/**
 * Measures each candidate perceptual hash on real photos: the distance from every photo to each of
 * its transformed copies (the same picture) and between different photos (every pair of sources,
 * and every copy against every other source), so each hash's margin — the closest different pair
 * against the farthest copy, per transform — can be read off.
 */
import sharp from 'sharp';
import type { Raster } from '../../../electron/engine/media/resample.ts';
import { CANDIDATES, candidateHashes, hexDistance, type CandidateName } from './hash-candidates.ts';
import type { Variant } from './transformed-set.ts';

export interface HashedImage {
  source: number;
  variant: string;
  expected: boolean;
  hashes: Record<CandidateName, string>;
}

/** Upright, alpha over white, ≤ 1024 px: the raster every candidate hashes. */
export async function rasterOf(bytes: Buffer): Promise<Raster> {
  const { data, info } = await sharp(bytes, { failOn: 'error' })
    .rotate()
    .flatten({ background: '#ffffff' })
    .resize(1024, 1024, { fit: 'inside', withoutEnlargement: true })
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: info.channels };
}

export interface CandidateMargins {
  /** Per transform: the largest distance from a photo to that copy of it. */
  farthestCopy: Record<string, number>;
  /**
   * For T = 6, 8, 10, 12 bits of 64 (×4 for 256-bit hashes): per transform, the share of photos
   * whose copy is within T; and how many different pairs are within T.
   */
  withinBits: Record<number, { copies: Record<string, number>; differentPairs: number }>;
  /** Largest distance over the transforms the near kind is meant to find. */
  farthestExpectedCopy: number;
  closestDifferent: number;
  /** closestDifferent − farthestExpectedCopy: > 0 means one threshold separates them all. */
  margin: number;
  /** The 1st percentile of different-pair distances (how crowded the low end is). */
  differentP1: number;
  differentPairs: number;
  bits: number;
  msPerHash: number;
}

export async function hashAll(sources: { variants: Variant[] }[]): Promise<{ images: HashedImage[]; ms: Record<CandidateName, number[]> }> {
  const images: HashedImage[] = [];
  const ms = Object.fromEntries(CANDIDATES.map((c) => [c, [] as number[]])) as Record<CandidateName, number[]>;
  for (let s = 0; s < sources.length; s++) {
    for (const v of sources[s].variants) {
      const r = await rasterOf(v.bytes);
      const h = candidateHashes(r);
      for (const c of CANDIDATES) ms[c].push(h.ms[c]);
      images.push({ source: s, variant: v.name, expected: v.expected, hashes: h.hashes });
    }
  }
  return { images, ms };
}

export function margins(images: HashedImage[], ms: Record<CandidateName, number[]>): Record<CandidateName, CandidateMargins> {
  const out = {} as Record<CandidateName, CandidateMargins>;
  const originals = images.filter((i) => i.variant === 'copy');
  for (const c of CANDIDATES) {
    const farthestCopy: Record<string, number> = {};
    const scale = (originals[0].hashes[c].length * 4) / 64;
    const within: Record<number, Record<string, [number, number]>> = { 6: {}, 8: {}, 10: {}, 12: {} };
    let farthestExpected = 0;
    for (const img of images) {
      if (img.variant === 'copy') continue;
      const d = hexDistance(img.hashes[c], originals[img.source].hashes[c]);
      farthestCopy[img.variant] = Math.max(farthestCopy[img.variant] ?? 0, d);
      for (const T of [6, 8, 10, 12]) {
        const w = (within[T][img.variant] ??= [0, 0]);
        w[0] += d <= T * scale ? 1 : 0;
        w[1]++;
      }
      if (img.expected) farthestExpected = Math.max(farthestExpected, d);
    }
    const different: number[] = [];
    for (const img of images) {
      if (!img.expected) continue;
      for (const o of originals) if (o.source !== img.source && (img.variant !== 'copy' || o.source > img.source)) different.push(hexDistance(img.hashes[c], o.hashes[c]));
    }
    different.sort((a, b) => a - b);
    const closest = different[0] ?? Infinity;
    const t = ms[c].slice().sort((a, b) => a - b);
    out[c] = {
      farthestCopy,
      withinBits: Object.fromEntries(
        [6, 8, 10, 12].map((T) => [
          T,
          {
            copies: Object.fromEntries(Object.entries(within[T]).map(([v, [k, n]]) => [v, Math.round((k / n) * 1000) / 1000])),
            differentPairs: different.filter((d) => d <= T * scale).length,
          },
        ]),
      ),
      farthestExpectedCopy: farthestExpected,
      closestDifferent: closest,
      margin: closest - farthestExpected,
      differentP1: different[Math.floor(different.length * 0.01)] ?? Infinity,
      differentPairs: different.length,
      bits: originals[0].hashes[c].length * 4,
      msPerHash: Math.round(t[Math.floor(t.length / 2)] * 1000) / 1000,
    };
  }
  return out;
}
