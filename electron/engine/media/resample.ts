/**
 * A port of Pillow's separable resampler (libImaging/Resample.c, 8 bits per channel), so the
 * embedding path reproduces the official `Resize((R, R), BICUBIC)` instead of approximating it.
 *
 * Why not sharp's own resize: libvips aligns pixel grids differently when enlarging (a visible
 * sub-pixel shift on e.g. 411×120 → 224×224) and its kernels differ in detail, which put some
 * golden images outside tolerance. Pillow's algorithm is small and deterministic; porting it gives
 * bit-identical results for the same decoded pixels. sharp still does the heavy lifting for large
 * photos (shrink-on-load), see decode.ts.
 *
 * Faithful details that matter for bit-exactness: antialiasing by stretching the kernel by the
 * scale factor when shrinking, pixel centres at +0.5, coefficients normalised then rounded to
 * 22-bit fixed point, horizontal pass first with an 8-bit rounding step in between.
 */

import { resamplePasses } from './resample-kernel.ts';

export type ResampleFilter = 'bicubic' | 'bilinear';

interface Filter {
  support: number;
  weight: (x: number) => number;
}

const FILTERS: Record<ResampleFilter, Filter> = {
  // Keys cubic with a = -0.5, as in Pillow.
  bicubic: {
    support: 2,
    weight: (x) => {
      const a = -0.5;
      if (x < 0) x = -x;
      if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
      if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
      return 0;
    },
  },
  bilinear: {
    support: 1,
    weight: (x) => {
      if (x < 0) x = -x;
      return x < 1 ? 1 - x : 0;
    },
  },
};

const PRECISION_BITS = 32 - 8 - 2;
const ROUND_HALF = 1 << (PRECISION_BITS - 1);
const SCALE = 1 << PRECISION_BITS;

interface Coefficients {
  /** Taps per output sample (fixed stride into `weights`). */
  ksize: number;
  /** First input index for output i at [2i], tap count at [2i+1]. */
  bounds: Int32Array;
  weights: Int32Array;
}

function precomputeCoefficients(inSize: number, in0: number, in1: number, outSize: number, filter: Filter): Coefficients {
  const scale = (in1 - in0) / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filter.support * filterScale;
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const weights = new Int32Array(outSize * ksize);
  const k = new Float64Array(ksize);
  const ss = 1 / filterScale;
  for (let xx = 0; xx < outSize; xx++) {
    const center = in0 + (xx + 0.5) * scale;
    // C's (int) truncation of a non-negative/positive rounded value, as in Pillow.
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    let total = 0;
    for (let x = 0; x < xmax; x++) {
      const w = filter.weight((x + xmin - center + 0.5) * ss);
      k[x] = w;
      total += w;
    }
    for (let x = 0; x < xmax; x++) {
      const w = total !== 0 ? k[x] / total : k[x];
      weights[xx * ksize + x] = w < 0 ? Math.trunc(-0.5 + w * SCALE) : Math.trunc(0.5 + w * SCALE);
    }
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = xmax;
  }
  return { ksize, bounds, weights };
}

// Sums are exact in int32, as in Pillow's C: 255 · 2²² · Σ|w| stays below 2³¹ for these kernels.
function clip8(v: number): number {
  if (v >= SCALE * 256) return 255;
  if (v <= 0) return 0;
  return v >> PRECISION_BITS;
}

/** Interleaved 8-bit pixels: `channels` values per pixel, rows top to bottom. */
export interface Raster {
  data: Uint8Array;
  width: number;
  height: number;
  channels: number;
}

function resampleHorizontal(src: Raster, rowFirst: number, rows: number, outW: number, co: Coefficients): Raster {
  const { data, width, channels } = src;
  const out = new Uint8Array(outW * rows * channels);
  const { ksize, bounds, weights } = co;
  // RGB and grey get unrolled loops with scalar accumulators: this pass dominates the cost.
  for (let y = 0; y < rows; y++) {
    const rowIn = (y + rowFirst) * width * channels;
    let q = y * outW * channels;
    for (let xx = 0; xx < outW; xx++) {
      const xmin = bounds[xx * 2];
      const taps = bounds[xx * 2 + 1];
      const kOff = xx * ksize;
      let p = rowIn + xmin * channels;
      if (channels === 3) {
        let s0 = ROUND_HALF, s1 = ROUND_HALF, s2 = ROUND_HALF;
        for (let x = 0; x < taps; x++, p += 3) {
          const w = weights[kOff + x];
          s0 = (s0 + data[p] * w) | 0;
          s1 = (s1 + data[p + 1] * w) | 0;
          s2 = (s2 + data[p + 2] * w) | 0;
        }
        out[q++] = clip8(s0);
        out[q++] = clip8(s1);
        out[q++] = clip8(s2);
      } else if (channels === 1) {
        let s0 = ROUND_HALF;
        for (let x = 0; x < taps; x++) s0 = (s0 + data[p + x] * weights[kOff + x]) | 0;
        out[q++] = clip8(s0);
      } else {
        for (let c = 0; c < channels; c++) {
          let s0 = ROUND_HALF;
          for (let x = 0; x < taps; x++) s0 = (s0 + data[p + x * channels + c] * weights[kOff + x]) | 0;
          out[q++] = clip8(s0);
        }
      }
    }
  }
  return { data: out, width: outW, height: rows, channels };
}

function resampleVertical(src: Raster, outH: number, co: Coefficients, rowShift: number): Raster {
  const { data, width, channels } = src;
  const stride = width * channels;
  const out = new Uint8Array(outH * stride);
  const { ksize, bounds, weights } = co;
  const acc = new Int32Array(stride);
  for (let yy = 0; yy < outH; yy++) {
    const ymin = bounds[yy * 2] - rowShift;
    const taps = bounds[yy * 2 + 1];
    const kOff = yy * ksize;
    acc.fill(ROUND_HALF);
    // Row-major accumulation: same sums as Pillow's per-pixel loop, but cache-friendly.
    for (let y = 0; y < taps; y++) {
      const w = weights[kOff + y];
      const rowIn = (ymin + y) * stride;
      for (let i = 0; i < stride; i++) acc[i] = (acc[i] + data[rowIn + i] * w) | 0;
    }
    const rowOut = yy * stride;
    for (let i = 0; i < stride; i++) out[rowOut + i] = clip8(acc[i]);
  }
  return { data: out, width, height: outH, channels };
}

/** Source region in pixels, as Pillow's `box`: [left, top, right, bottom], fractions allowed. */
export type Box = [number, number, number, number];

/**
 * Pillow-identical `Image.resize((outW, outH), filter, box)` for 8-bit images of any channel
 * count. `box` defaults to the whole image; after `reduceBox` it carries the exact fractional
 * extent, as Pillow's `reducing_gap` does, so a partial last box does not stretch the image.
 */
export function resample(src: Raster, outW: number, outH: number, filterName: ResampleFilter, box?: Box, opts: { js?: boolean } = {}): Raster {
  if (src.data.length !== src.width * src.height * src.channels) {
    throw new RangeError('resample: raster size does not match its dimensions');
  }
  const [x0, y0, x1, y1] = box ?? [0, 0, src.width, src.height];
  const filter = FILTERS[filterName];
  const needH = outW !== src.width || x0 !== 0 || x1 !== outW;
  const needV = outH !== src.height || y0 !== 0 || y1 !== outH;
  if (!needH && !needV) return src;
  const vert = precomputeCoefficients(src.height, y0, y1, outH, filter);
  const horiz = needH ? precomputeCoefficients(src.width, x0, x1, outW, filter) : null;
  // Only the rows the vertical pass will read, as Pillow does.
  const first = vert.bounds[0];
  const last = vert.bounds[outH * 2 - 2] + vert.bounds[outH * 2 - 1];
  const rows = needV ? last - first : src.height;
  const rowShift = needH && needV ? first : 0;
  // The SIMD passes (same integers) unless asked for the reference or unavailable.
  const fast = opts.js ? null : resamplePasses(src, outW, needV ? outH : rows, horiz, needV ? vert : null, rowShift, rows);
  if (fast) return { data: fast, width: outW, height: needV ? outH : rows, channels: src.channels };
  const img = horiz ? resampleHorizontal(src, rowShift, rows, outW, horiz) : src;
  return needV ? resampleVertical(img, outH, vert, rowShift) : img;
}

/**
 * Pillow's `Image.reduce((xf, yf))`: each output pixel is the rounded mean of an xf×yf box
 * (partial boxes at the right/bottom edge average what they cover). Used before `resample` on
 * large photos, like Pillow's own `reducing_gap`, so the costly kernel pass runs on a few hundred
 * pixels per side. Rounds once per box and ties to even, so it adds no brightness bias (Pillow's
 * and libvips' round-half-up add up to +⅛ and +½ level on noisy content).
 */
function roundedMean(sum: number, count: number): number {
  const q = Math.floor(sum / count);
  const twice = 2 * (sum - q * count);
  if (twice > count) return q + 1;
  if (twice === count) return q + (q & 1);
  return q;
}

export function reduceBox(src: Raster, xf: number, yf: number): Raster {
  if (xf === 1 && yf === 1) return src;
  const { data, width, height, channels } = src;
  const outW = Math.ceil(width / xf);
  const outH = Math.ceil(height / yf);
  const out = new Uint8Array(outW * outH * channels);
  const acc = new Float64Array(outW * channels);
  for (let oy = 0; oy < outH; oy++) {
    const y0 = oy * yf;
    const y1 = Math.min(y0 + yf, height);
    acc.fill(0);
    for (let y = y0; y < y1; y++) {
      let p = y * width * channels;
      for (let ox = 0; ox < outW; ox++) {
        const a = ox * channels;
        const n = Math.min(xf, width - ox * xf);
        for (let x = 0; x < n; x++) {
          for (let c = 0; c < channels; c++) acc[a + c] += data[p++];
        }
      }
    }
    const rows = y1 - y0;
    for (let ox = 0; ox < outW; ox++) {
      const count = rows * Math.min(xf, width - ox * xf);
      const q = (oy * outW + ox) * channels;
      for (let c = 0; c < channels; c++) out[q + c] = roundedMean(acc[ox * channels + c], count);
    }
  }
  return { data: out, width: outW, height: outH, channels };
}
