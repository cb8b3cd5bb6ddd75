/**
 * Symmetric per-output-channel int8 weights: for each column n of B [K, N] (one output channel of
 * the layer), scale_n = max_k |B[k, n]| / 127 and q = round(B / scale_n) in [-127, 127]. Zero point
 * 0 keeps the integer product free of a zero-point correction term; -128 is unused so that the
 * range is symmetric. Per-channel scales matter: output channels of a trained layer differ in
 * magnitude by an order of magnitude, and one per-tensor scale would waste most of their 8 bits.
 */

export interface PerColumnInt8 {
  /** [K, N] row-major, B ≈ values · scales[column]. */
  values: Int8Array;
  scales: Float32Array;
}

/**
 * `data` holds B as [rows, cols]; with `transposed` it holds Bᵀ ([N, K], the nn.Linear layout a
 * Gemm with transB=1 uses) and the result is laid out [K, N] all the same. `alpha` (Gemm's) is
 * folded into the scales.
 */
export function quantizePerColumn(data: Float32Array, rows: number, cols: number, transposed = false, alpha = 1): PerColumnInt8 {
  const k = transposed ? cols : rows;
  const n = transposed ? rows : cols;
  const at = transposed ? (kk: number, nn: number): number => data[nn * cols + kk]! : (kk: number, nn: number): number => data[kk * cols + nn]!;
  const scales = new Float32Array(n);
  const values = new Int8Array(k * n);
  const sign = alpha < 0 ? -1 : 1;
  for (let j = 0; j < n; j++) {
    let max = 0;
    for (let i = 0; i < k; i++) max = Math.max(max, Math.abs(at(i, j)));
    const scale = max > 0 ? max / 127 : 1;
    scales[j] = scale * Math.abs(alpha);
    for (let i = 0; i < k; i++) values[i * n + j] = sign * Math.max(-127, Math.min(127, Math.round(at(i, j) / scale)));
  }
  return { values, scales };
}

/** B reconstructed from its int8 form (for tests and error reports). */
export function dequantize({ values, scales }: PerColumnInt8): Float32Array {
  const n = scales.length;
  return Float32Array.from(values, (v, i) => v * scales[i % n]!);
}
