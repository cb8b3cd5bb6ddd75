// AssemblyScript source of the Pillow-exact resampler's two passes with WebAssembly SIMD (built by
// scripts/build-wasm.ts into ../resample-wasm.ts; ../resample-kernel.ts lays out the memory and
// ../resample.ts keeps the plain-JS reference). Every pointer is a byte offset into the one linear
// memory; nothing here allocates.
//
// Bit-exact with the reference: the sums are int32 fixed point (22 fractional bits) and Pillow's
// kernels keep them below 2^31, so adding in lanes instead of one by one gives the same integers;
// clip8 is a shift then a clamp to 0..255. Buffers carry 16 spare bytes at the end: a pixel is
// loaded as 4 bytes (the 4th belongs to the next pixel) and rows are stored 16 bytes at a time, the
// spill overwritten by the next row or landing in the spare bytes.

const PRECISION_BITS: i32 = 22;
const ROUND_HALF: i32 = 1 << (PRECISION_BITS - 1);

/** Lanes of i32 → 0..255 as Pillow's clip8 does (v >> 22, then clamped). */
@inline
function clip8x4(v: v128): v128 {
  return i32x4.min_s(i32x4.max_s(i32x4.shr_s(v, PRECISION_BITS), i32x4.splat(0)), i32x4.splat(255));
}

/** Four bytes → four i32 lanes. */
@inline
function widen4(p: usize): v128 {
  return i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(p)));
}

/**
 * Horizontal pass over `rows` rows from `rowFirst`: for output x, the sum over its taps of
 * src[xmin + t] · weight, per channel. bounds holds (xmin, taps) per output x, weights ksize per x.
 * 3 or 4 channels: one pixel per vector (the 4th lane of RGB is ignored); others: scalar.
 */
export function horizontal(src: usize, srcWidth: i32, channels: i32, rowFirst: i32, rows: i32, outWidth: i32, bounds: usize, weights: usize, ksize: i32, out: usize): void {
  const rowBytes = <usize>(srcWidth * channels);
  const outRowBytes = <usize>(outWidth * channels);
  for (let y = 0; y < rows; y++) {
    const rowIn = src + <usize>(y + rowFirst) * rowBytes;
    let q = out + <usize>y * outRowBytes;
    for (let xx = 0; xx < outWidth; xx++) {
      const xmin = load<i32>(bounds + (<usize>xx << 3));
      const taps = load<i32>(bounds + (<usize>xx << 3), 4);
      const k = weights + (<usize>(xx * ksize) << 2);
      if (channels == 3 || channels == 4) {
        let acc = i32x4.splat(ROUND_HALF);
        let p = rowIn + <usize>(xmin * channels);
        for (let t = 0; t < taps; t++) {
          acc = i32x4.add(acc, i32x4.mul(widen4(p), i32x4.splat(load<i32>(k + (<usize>t << 2)))));
          p += <usize>channels;
        }
        const c = clip8x4(acc);
        const c16 = i16x8.narrow_i32x4_s(c, c);
        v128.store32_lane(q, i8x16.narrow_i16x8_u(c16, c16), 0);
        q += <usize>channels;
      } else {
        for (let c = 0; c < channels; c++) {
          let s = ROUND_HALF;
          let p = rowIn + <usize>(xmin * channels + c);
          for (let t = 0; t < taps; t++) {
            s += <i32>load<u8>(p) * load<i32>(k + (<usize>t << 2));
            p += <usize>channels;
          }
          s >>= PRECISION_BITS;
          store<u8>(q, s < 0 ? 0 : s > 255 ? 255 : s);
          q++;
        }
      }
    }
  }
}

/**
 * Vertical pass: output row yy is the sum over its taps of input rows (ymin - rowShift + t) ·
 * weight, for every byte of the row (`stride` bytes), 16 at a time.
 */
export function vertical(src: usize, stride: i32, outHeight: i32, bounds: usize, weights: usize, ksize: i32, rowShift: i32, out: usize): void {
  for (let yy = 0; yy < outHeight; yy++) {
    const ymin = load<i32>(bounds + (<usize>yy << 3)) - rowShift;
    const taps = load<i32>(bounds + (<usize>yy << 3), 4);
    const k = weights + (<usize>(yy * ksize) << 2);
    const rowOut = out + <usize>(yy * stride);
    for (let i = 0; i < stride; i += 16) {
      let a0 = i32x4.splat(ROUND_HALF);
      let a1 = a0;
      let a2 = a0;
      let a3 = a0;
      let p = src + <usize>(ymin * stride + i);
      for (let t = 0; t < taps; t++) {
        const w = i32x4.splat(load<i32>(k + (<usize>t << 2)));
        const v = v128.load(p);
        const lo = i16x8.extend_low_i8x16_u(v);
        const hi = i16x8.extend_high_i8x16_u(v);
        a0 = i32x4.add(a0, i32x4.mul(i32x4.extend_low_i16x8_u(lo), w));
        a1 = i32x4.add(a1, i32x4.mul(i32x4.extend_high_i16x8_u(lo), w));
        a2 = i32x4.add(a2, i32x4.mul(i32x4.extend_low_i16x8_u(hi), w));
        a3 = i32x4.add(a3, i32x4.mul(i32x4.extend_high_i16x8_u(hi), w));
        p += <usize>stride;
      }
      const lo16 = i16x8.narrow_i32x4_s(clip8x4(a0), clip8x4(a1));
      const hi16 = i16x8.narrow_i32x4_s(clip8x4(a2), clip8x4(a3));
      v128.store(rowOut + <usize>i, i8x16.narrow_i16x8_u(lo16, hi16));
    }
  }
}
