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

/**
 * Stage 2: out[j] = Σ_k vecs[rows[j]][k] * query[k], int8 rows times an int16 query, i32 sums.
 * rowBytes is a multiple of 32 (rows are zero-padded).
 */
export function dotRows(vecs: usize, rowBytes: i32, rows: usize, nRows: i32, query: usize, out: usize): void {
  for (let j = 0; j < nRows; j++) {
    const base = vecs + <usize>load<i32>(rows + (<usize>j << 2)) * <usize>rowBytes;
    let a0 = i32x4.splat(0);
    let a1 = i32x4.splat(0);
    let a2 = i32x4.splat(0);
    let a3 = i32x4.splat(0);
    for (let k = 0; k < rowBytes; k += 32) {
      const v0 = v128.load(base + <usize>k);
      const v1 = v128.load(base + <usize>k, 16);
      const q = query + (<usize>k << 1);
      a0 = i32x4.add(a0, i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_s(v0), v128.load(q)));
      a1 = i32x4.add(a1, i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_s(v0), v128.load(q, 16)));
      a2 = i32x4.add(a2, i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_s(v1), v128.load(q, 32)));
      a3 = i32x4.add(a3, i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_s(v1), v128.load(q, 48)));
    }
    const s = i32x4.add(i32x4.add(a0, a1), i32x4.add(a2, a3));
    store<i32>(out + (<usize>j << 2), i32x4.extract_lane(s, 0) + i32x4.extract_lane(s, 1) + i32x4.extract_lane(s, 2) + i32x4.extract_lane(s, 3));
  }
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
