/**
 * The perceptual hashes compared for issue 19, all computed from the same upright luma/RGB raster
 * so that only the hash differs: dHash (row gradients of a 9×8 image), pHash (the product's,
 * electron/engine/media/fingerprint.ts), blockhash (the npm package blockhash-core, 64 and 256
 * bits) and a Haar-wavelet hash (imagehash's `whash` with its DC removed reduces to the 8×8 Haar
 * LL band, i.e. block means, against their median).
 */
import { bmvbhash } from 'blockhash-core';
import { HASH_SIDE, lumaOf, phashOfPlane, planeAtMost, resizeArea, type Plane } from '../../../electron/engine/media/fingerprint.ts';
import type { Raster } from '../../../electron/engine/media/resample.ts';

export type CandidateName = 'dhash' | 'phash' | 'blockhash64' | 'blockhash256' | 'whash';
export const CANDIDATES: CandidateName[] = ['dhash', 'phash', 'blockhash64', 'blockhash256', 'whash'];

/** Bits as a hex string (4 bits a digit). */
function bitsToHex(bits: boolean[]): string {
  let hex = '';
  for (let i = 0; i < bits.length; i += 4) hex += ((+bits[i] << 3) | (+bits[i + 1] << 2) | (+bits[i + 2] << 1) | +bits[i + 3]).toString(16);
  return hex;
}

function dhash(luma: Plane): string {
  const p = resizeArea(luma, 9, 8);
  const bits: boolean[] = [];
  for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) bits.push(p.data[y * 9 + x + 1] > p.data[y * 9 + x]);
  return bitsToHex(bits);
}

function whash(luma: Plane): string {
  const p = resizeArea(luma, 8, 8);
  const sorted = Float32Array.from(p.data).sort();
  const median = (sorted[31] + sorted[32]) / 2;
  return bitsToHex(Array.from(p.data, (v) => v > median));
}

function blockhash(r: Raster, bits: number): string {
  // blockhash-core reads RGBA; alpha 255 everywhere (the raster is already composited).
  const n = r.width * r.height;
  const rgba = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) {
    const s = r.channels === 1 ? [r.data[i], r.data[i], r.data[i]] : [r.data[i * 3], r.data[i * 3 + 1], r.data[i * 3 + 2]];
    rgba.set(s, i * 4);
    rgba[i * 4 + 3] = 255;
  }
  return bmvbhash({ width: r.width, height: r.height, data: rgba }, bits);
}

/** Every candidate's hash of one raster (1 or 3 channels), with the time each took in ms. */
export function candidateHashes(r: Raster): { hashes: Record<CandidateName, string>; ms: Record<CandidateName, number> } {
  const luma = planeAtMost(lumaOf(r), 512);
  const hashes = {} as Record<CandidateName, string>;
  const ms = {} as Record<CandidateName, number>;
  const time = (name: CandidateName, f: () => string): void => {
    const t0 = performance.now();
    hashes[name] = f();
    ms[name] = performance.now() - t0;
  };
  time('dhash', () => dhash(luma));
  time('phash', () => phashOfPlane(resizeArea(luma, HASH_SIDE, HASH_SIDE)));
  time('whash', () => whash(luma));
  time('blockhash64', () => blockhash(r, 8));
  time('blockhash256', () => blockhash(r, 16));
  return { hashes, ms };
}

const POP4 = [0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4];

/** Hamming distance between two hex hashes of the same length. */
export function hexDistance(a: string, b: string): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d += POP4[parseInt(a[i], 16) ^ parseInt(b[i], 16)];
  return d;
}
