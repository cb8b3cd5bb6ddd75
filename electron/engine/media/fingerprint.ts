/**
 * A photo's pixel fingerprint, independent of the image–text model: a 64-bit perceptual hash
 * (pHash: DCT of a 32×32 grey image, 8×8 lowest frequencies against their median, as imagehash's
 * `phash`) and a sharpness score (variance of the Laplacian at a fixed scale).
 *
 * Both are functions of the upright pixels only, computed from any raster of ≥ ~256 px a side:
 * the decoder's intermediate raster while indexing (`decodeForModel(…, { fingerprint: true })`,
 * no second decode) or the same decode on its own (`fingerprintFile`, for photos indexed before
 * fingerprints existed). The hash does not depend on the model's resolution (224 and 336 gave
 * identical hashes on all 90 photos measured); the sharpness does, slightly, which only matters
 * between photos of one stack decoded for different models (docs/decisions/stacks.md).
 *
 * Why pHash and why written here: the candidates (dHash, pHash, blockhash via blockhash-core,
 * Haar-wavelet hash) were measured side by side on real photos and their transforms
 * (`BENCH_ONLY=stacks npm run bench`); pHash had the widest margin between the farthest copy and
 * the closest different photo. The npm pHash package (sharp-phash) decodes the file again with
 * its own resize and returns a bit string; the hash is ~40 lines over pixels this module already
 * has.
 */
import { reduceBox, type Raster } from './resample.ts';

export interface PixelFingerprint {
  /** 64-bit pHash as 16 lower-case hex digits (bit 63 first). */
  phash: string;
  /**
   * Variance of the 4-neighbour Laplacian of the luma at SHARPNESS_SIDE (longer side); higher is
   * sharper. Comparable between photos of the same resolution (the cover rule's tie-break).
   */
  sharpness: number;
}

/** Side of the grey image the DCT runs on. */
export const HASH_SIDE = 32;
/** Side of the square of lowest frequencies that becomes the 64 bits. */
const LOW = 8;
/** Longer side of the luma plane the sharpness is measured at. */
export const SHARPNESS_SIDE = 512;

export interface Plane {
  data: Float32Array;
  width: number;
  height: number;
}

/**
 * Luma (ITU-R 601-2, as Pillow's "L") of a raster with 1 (grey), 3 (RGB) or 4 (CMYK, Pillow's
 * naive conversion as in decode.ts) channels.
 */
export function lumaOf(r: Raster): Plane {
  const n = r.width * r.height;
  const out = new Float32Array(n);
  const px = r.data;
  if (r.channels === 1) {
    for (let i = 0; i < n; i++) out[i] = px[i];
  } else if (r.channels === 3) {
    for (let i = 0, j = 0; i < n; i++, j += 3) out[i] = 0.299 * px[j] + 0.587 * px[j + 1] + 0.114 * px[j + 2];
  } else if (r.channels === 4) {
    for (let i = 0, j = 0; i < n; i++, j += 4) {
      const k = 255 - px[j + 3];
      out[i] = ((0.299 * (255 - px[j]) + 0.587 * (255 - px[j + 1]) + 0.114 * (255 - px[j + 2])) * k) / 255;
    }
  } else {
    throw new RangeError(`cannot fingerprint a raster with ${r.channels} channels`);
  }
  return { data: out, width: r.width, height: r.height };
}

/** For each output index along one axis: the source indices it covers and their weights (sum 1). */
function areaWeights(src: number, dst: number): { first: Int32Array; weights: Float32Array[] } {
  const scale = src / dst;
  const first = new Int32Array(dst);
  const weights: Float32Array[] = [];
  for (let o = 0; o < dst; o++) {
    const a = o * scale;
    const b = (o + 1) * scale;
    const lo = Math.floor(a);
    const hi = Math.min(src, Math.ceil(b));
    const w = new Float32Array(hi - lo);
    for (let s = lo; s < hi; s++) w[s - lo] = (Math.min(b, s + 1) - Math.max(a, s)) / scale;
    first[o] = lo;
    weights.push(w);
  }
  return { first, weights };
}

/**
 * Area-average resample (each output pixel is the mean of the source area it covers; enlarging
 * repeats pixels). Deterministic and free of kernel ringing, so the hash does not depend on which
 * resize produced the input.
 */
export function resizeArea(p: Plane, width: number, height: number): Plane {
  const h = areaWeights(p.width, width);
  const v = areaWeights(p.height, height);
  const tmp = new Float32Array(width * p.height);
  for (let y = 0; y < p.height; y++) {
    const row = y * p.width;
    for (let x = 0; x < width; x++) {
      const w = h.weights[x];
      let s = 0;
      for (let k = 0, i = row + h.first[x]; k < w.length; k++, i++) s += w[k] * p.data[i];
      tmp[y * width + x] = s;
    }
  }
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const w = v.weights[y];
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let k = 0, i = v.first[y] * width + x; k < w.length; k++, i += width) s += w[k] * tmp[i];
      out[y * width + x] = s;
    }
  }
  return { data: out, width, height };
}

const COS = ((): Float32Array => {
  const c = new Float32Array(LOW * HASH_SIDE);
  for (let u = 0; u < LOW; u++) {
    for (let x = 0; x < HASH_SIDE; x++) c[u * HASH_SIDE + x] = Math.cos(((2 * x + 1) * u * Math.PI) / (2 * HASH_SIDE));
  }
  return c;
})();

/**
 * pHash of a HASH_SIDE² grey plane: the 8×8 lowest DCT-II frequencies (DC included, as
 * imagehash), each bit = coefficient > their median. Scale factors of the DCT do not matter to a
 * comparison with the median, so none are applied.
 */
export function phashOfPlane(p: Plane): string {
  if (p.width !== HASH_SIDE || p.height !== HASH_SIDE) throw new RangeError(`pHash needs a ${HASH_SIDE}×${HASH_SIDE} plane`);
  const N = HASH_SIDE;
  // Rows first: rowDct[y][v] = Σx p[y][x]·cos(v, x); then columns for the low square.
  const rowDct = new Float64Array(N * LOW);
  for (let y = 0; y < N; y++) {
    for (let v = 0; v < LOW; v++) {
      let s = 0;
      for (let x = 0; x < N; x++) s += p.data[y * N + x] * COS[v * N + x];
      rowDct[y * LOW + v] = s;
    }
  }
  const low = new Float64Array(LOW * LOW);
  for (let u = 0; u < LOW; u++) {
    for (let v = 0; v < LOW; v++) {
      let s = 0;
      for (let y = 0; y < N; y++) s += rowDct[y * LOW + v] * COS[u * N + y];
      low[u * LOW + v] = s;
    }
  }
  const sorted = Float64Array.from(low).sort();
  const median = (sorted[31] + sorted[32]) / 2;
  let hex = '';
  for (let nibble = 0; nibble < 16; nibble++) {
    let d = 0;
    for (let b = 0; b < 4; b++) d = (d << 1) | (low[nibble * 4 + b] > median ? 1 : 0);
    hex += d.toString(16);
  }
  return hex;
}

/** Variance of the 4-neighbour Laplacian over the interior of the plane. */
export function laplacianVariance(p: Plane): number {
  const { width: w, height: h, data } = p;
  if (w < 3 || h < 3) return 0;
  let sum = 0;
  let sq = 0;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      const l = data[i - 1] + data[i + 1] + data[i - w] + data[i + w] - 4 * data[i];
      sum += l;
      sq += l * l;
    }
  }
  const n = (w - 2) * (h - 2);
  const mean = sum / n;
  return sq / n - mean * mean;
}

/** The luma plane scaled (by area) so that its longer side is at most `side`. */
export function planeAtMost(p: Plane, side: number): Plane {
  const long = Math.max(p.width, p.height);
  if (long <= side) return p;
  const f = side / long;
  return resizeArea(p, Math.max(1, Math.round(p.width * f)), Math.max(1, Math.round(p.height * f)));
}

/**
 * Longer side above which a raster is first box-reduced by an integer factor: the area means that
 * follow are then nearly the same, and no full-size float plane is made of a 12 MP PNG.
 */
const PRE_REDUCE_SIDE = 2 * SHARPNESS_SIDE;

/** Fingerprint of an upright raster (alpha already composited), of any size. */
export function fingerprintRaster(raster: Raster): PixelFingerprint {
  const f = Math.floor(Math.max(raster.width, raster.height) / PRE_REDUCE_SIDE);
  const r = f >= 2 ? reduceBox(raster, f, f) : raster;
  const luma = lumaOf(r);
  const forSharpness = planeAtMost(luma, SHARPNESS_SIDE);
  // From the already reduced plane when it is big enough: the 32×32 area mean is the same.
  const source = Math.min(forSharpness.width, forSharpness.height) >= HASH_SIDE ? forSharpness : luma;
  return {
    phash: phashOfPlane(resizeArea(source, HASH_SIDE, HASH_SIDE)),
    sharpness: Math.round(laplacianVariance(forSharpness) * 100) / 100,
  };
}
