// AssemblyScript source of the vector index's SIMD kernels (see ../README.md for how it is built
// and tested). Every pointer is a byte offset into the one linear memory that the JS side lays
// out (kernel.ts); nothing here allocates.

/**
 * Stage 1, asymmetric binary scan ("fast scan"). Codes are stored in blocks of 16 rows: for byte
 * position p of the code, the 16 bytes at block + p * 16 are byte p of each of the 16 rows. Each
 * nibble of a code (4 sign bits) selects one of 16 precomputed partial dot products of the query:
 * lut holds, per byte position, 16 bytes for the low nibble then 16 for the high nibble, each
 * quantised to 0..127 so that the two add up without overflowing a byte. A single swizzle looks
 * a nibble up for all 16 rows at once. Writes one u16 score per row, in block order.
 */
export function scanCodes(codes: usize, nBlocks: i32, codeBytes: i32, lut: usize, out: usize): void {
  const lowNibble = i8x16.splat(0x0f);
  const blockBytes = <usize>codeBytes << 4;
  for (let b = 0; b < nBlocks; b++) {
    const base = codes + <usize>b * blockBytes;
    let accLo = i16x8.splat(0);
    let accHi = i16x8.splat(0);
    for (let p = 0; p < codeBytes; p++) {
      const v = v128.load(base + (<usize>p << 4));
      const t = lut + (<usize>p << 5);
      const lo = i8x16.swizzle(v128.load(t), v128.and(v, lowNibble));
      const hi = i8x16.swizzle(v128.load(t, 16), i8x16.shr_u(v, 4));
      const s = i8x16.add(lo, hi);
      accLo = i16x8.add(accLo, i16x8.extend_low_i8x16_u(s));
      accHi = i16x8.add(accHi, i16x8.extend_high_i8x16_u(s));
    }
    const o = out + (<usize>b << 5);
    v128.store(o, accLo);
    v128.store(o, accHi, 16);
  }
}

/** hist[score >> shift] += 1 for each row i < n whose mask byte is non-zero (mask 0: every row). */
export function histogram(scores: usize, mask: usize, n: i32, shift: i32, hist: usize): void {
  if (mask == 0) {
    for (let i = 0; i < n; i++) {
      const h = hist + ((<usize>load<u16>(scores + (<usize>i << 1)) >> shift) << 2);
      store<u32>(h, load<u32>(h) + 1);
    }
  } else {
    for (let i = 0; i < n; i++) {
      if (load<u8>(mask + <usize>i) == 0) continue;
      const h = hist + ((<usize>load<u16>(scores + (<usize>i << 1)) >> shift) << 2);
      store<u32>(h, load<u32>(h) + 1);
    }
  }
}

/**
 * Writes the index of every row i < n with minScore <= score < maxScore (and a non-zero mask
 * byte) to rows; returns how many.
 */
export function collect(scores: usize, mask: usize, n: i32, minScore: i32, maxScore: i32, rows: usize): i32 {
  let k = 0;
  for (let i = 0; i < n; i++) {
    const s = <i32>load<u16>(scores + (<usize>i << 1));
    if (s < minScore || s >= maxScore) continue;
    if (mask != 0 && load<u8>(mask + <usize>i) == 0) continue;
    store<i32>(rows + (<usize>k << 2), i);
    k++;
  }
  return k;
}

/** acc + (the 16 int8 at v, widened) · (16 int16 of the query at q). */
@inline function dot16(acc: v128, v: v128, q: usize): v128 {
  acc = i32x4.add(acc, i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_s(v), v128.load(q)));
  return i32x4.add(acc, i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_s(v), v128.load(q, 16)));
}

@inline function hsum(s: v128): i32 {
  return i32x4.extract_lane(s, 0) + i32x4.extract_lane(s, 1) + i32x4.extract_lane(s, 2) + i32x4.extract_lane(s, 3);
}

@inline function rowAt(vecs: usize, rowBytes: i32, rows: usize, j: i32): usize {
  return vecs + <usize>load<i32>(rows + (<usize>j << 2)) * <usize>rowBytes;
}

/**
 * Stage 2: for each listed row j, out[j] = (Σ_k vecs[rows[j]][k] * query[k]) * scales[rows[j]]
 * (int8 row times int16 query, i32 sum, then the row's scale, f32) and outScale[j] = that scale.
 * rowBytes is a multiple of 16 (rows are zero-padded). Eight rows are scored side by side: the
 * rows are scattered through a large array, so the time goes to cache and TLB misses, and eight
 * independent streams of them overlap (measured at 35k of 1M rows: ~2.2× faster than one row at
 * a time, ~1.15× faster than four); their scales are read here for the same reason.
 */
export function dotRows(vecs: usize, rowBytes: i32, scales: usize, rows: usize, nRows: i32, query: usize, out: usize, outScale: usize): void {
  let j = 0;
  for (; j + 8 <= nRows; j += 8) {
    const b0 = rowAt(vecs, rowBytes, rows, j);
    const b1 = rowAt(vecs, rowBytes, rows, j + 1);
    const b2 = rowAt(vecs, rowBytes, rows, j + 2);
    const b3 = rowAt(vecs, rowBytes, rows, j + 3);
    const b4 = rowAt(vecs, rowBytes, rows, j + 4);
    const b5 = rowAt(vecs, rowBytes, rows, j + 5);
    const b6 = rowAt(vecs, rowBytes, rows, j + 6);
    const b7 = rowAt(vecs, rowBytes, rows, j + 7);
    let a0 = i32x4.splat(0);
    let a1 = i32x4.splat(0);
    let a2 = i32x4.splat(0);
    let a3 = i32x4.splat(0);
    let a4 = i32x4.splat(0);
    let a5 = i32x4.splat(0);
    let a6 = i32x4.splat(0);
    let a7 = i32x4.splat(0);
    for (let k = 0; k < rowBytes; k += 16) {
      const q = query + (<usize>k << 1);
      const o = <usize>k;
      a0 = dot16(a0, v128.load(b0 + o), q);
      a1 = dot16(a1, v128.load(b1 + o), q);
      a2 = dot16(a2, v128.load(b2 + o), q);
      a3 = dot16(a3, v128.load(b3 + o), q);
      a4 = dot16(a4, v128.load(b4 + o), q);
      a5 = dot16(a5, v128.load(b5 + o), q);
      a6 = dot16(a6, v128.load(b6 + o), q);
      a7 = dot16(a7, v128.load(b7 + o), q);
    }
    emit(scales, rows, j, a0, out, outScale);
    emit(scales, rows, j + 1, a1, out, outScale);
    emit(scales, rows, j + 2, a2, out, outScale);
    emit(scales, rows, j + 3, a3, out, outScale);
    emit(scales, rows, j + 4, a4, out, outScale);
    emit(scales, rows, j + 5, a5, out, outScale);
    emit(scales, rows, j + 6, a6, out, outScale);
    emit(scales, rows, j + 7, a7, out, outScale);
  }
  for (; j < nRows; j++) {
    const b = rowAt(vecs, rowBytes, rows, j);
    let a = i32x4.splat(0);
    for (let k = 0; k < rowBytes; k += 16) a = dot16(a, v128.load(b + <usize>k), query + (<usize>k << 1));
    emit(scales, rows, j, a, out, outScale);
  }
}

@inline function emit(scales: usize, rows: usize, j: i32, acc: v128, out: usize, outScale: usize): void {
  const s = load<f32>(scales + (<usize>load<i32>(rows + (<usize>j << 2)) << 2));
  store<f32>(out + (<usize>j << 2), <f32>hsum(acc) * s);
  store<f32>(outScale + (<usize>j << 2), s);
}

/**
 * Exact stage: sqlite-vec's cosine distance between the float32 query and each of `count` float32
 * rows stored back to back at `rows`, into out (f32). Step for step as sqlite-vec computes it —
 * float32 products and sums in order (no SIMD, which would reorder them), then
 * 1 - dot / (sqrt(|q|²) * sqrt(|v|²)) in double, rounded to float32 — so that scores and order
 * are bit-identical to the SQL path.
 */
export function cosineRows(query: usize, rows: usize, count: i32, dim: i32, out: usize): void {
  let qq: f32 = 0;
  for (let i = 0; i < dim; i++) {
    const x = load<f32>(query + (<usize>i << 2));
    qq += x * x;
  }
  const qNorm = Math.sqrt(<f64>qq);
  for (let r = 0; r < count; r++) {
    const v = rows + <usize>r * (<usize>dim << 2);
    let dot: f32 = 0;
    let vv: f32 = 0;
    for (let i = 0; i < dim; i++) {
      const x = load<f32>(query + (<usize>i << 2));
      const y = load<f32>(v + (<usize>i << 2));
      dot += x * y;
      vv += y * y;
    }
    store<f32>(out + (<usize>r << 2), <f32>(1.0 - <f64>dot / (qNorm * Math.sqrt(<f64>vv))));
  }
}

/**
 * Sign codes of rows [from, to): bit i of row r is set when its dequantised value
 * vecs[r][i] * scales[r] lies above mean[i]. Written in the block layout scanCodes reads (byte p
 * of row r at codes + ((r >> 4) * codeBytes + p) * 16 + (r & 15)). Sixteen dimensions at a time:
 * widen, convert, scale, compare, and take the comparison's bitmask.
 */
export function signCodes(vecs: usize, rowBytes: i32, scales: usize, mean: usize, dim: i32, codes: usize, codeBytes: i32, from: i32, to: i32): void {
  const groups = dim >> 4;
  for (let r = from; r < to; r++) {
    const v = vecs + <usize>r * <usize>rowBytes;
    const s = f32x4.splat(load<f32>(scales + (<usize>r << 2)));
    const base = codes + <usize>(r >> 4) * <usize>codeBytes * 16 + <usize>(r & 15);
    for (let g = 0; g < groups; g++) {
      const x = v128.load(v + (<usize>g << 4));
      const lo = i16x8.extend_low_i8x16_s(x);
      const hi = i16x8.extend_high_i8x16_s(x);
      const m = mean + (<usize>g << 6);
      let bits = i32x4.bitmask(f32x4.gt(f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(lo)), s), v128.load(m)));
      bits |= i32x4.bitmask(f32x4.gt(f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(lo)), s), v128.load(m, 16))) << 4;
      bits |= i32x4.bitmask(f32x4.gt(f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(hi)), s), v128.load(m, 32))) << 8;
      bits |= i32x4.bitmask(f32x4.gt(f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(hi)), s), v128.load(m, 48))) << 12;
      store<u8>(base + (<usize>(g * 2) << 4), <u8>(bits & 0xff));
      store<u8>(base + (<usize>(g * 2 + 1) << 4), <u8>(bits >> 8));
    }
    // Dimensions past the last whole group of 16, one at a time (and zero bits beyond dim).
    for (let p = groups * 2; p < codeBytes; p++) {
      let byte = 0;
      for (let b = 0; b < 8; b++) {
        const i = p * 8 + b;
        if (i < dim && <f32>load<i8>(v + <usize>i) * load<f32>(scales + (<usize>r << 2)) > load<f32>(mean + (<usize>i << 2))) byte |= 1 << b;
      }
      store<u8>(base + (<usize>p << 4), <u8>byte);
    }
  }
}
