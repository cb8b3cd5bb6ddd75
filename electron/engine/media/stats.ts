/**
 * Summary statistics of a normalised CHW tensor, defined exactly as in the goldens
 * (shared/golden/preprocess.json meta.stats_definition): per-channel mean and population std in
 * float64, and non-overlapping average pooling down to an 8×8 grid per channel.
 * Used by `inspect pixels` and the golden tests.
 */

export type Triple = [number, number, number];

export interface TensorStats {
  mean: Triple;
  std: Triple;
  /** [channel][row][col], each cell the average of a (resolution/8)² block. */
  pool8x8: number[][][];
}

const GRID = 8;

export function tensorStats(chw: Float32Array, resolution: number): TensorStats {
  const plane = resolution * resolution;
  if (chw.length !== 3 * plane) {
    throw new RangeError(`tensorStats: expected ${3 * plane} values for ${resolution}², got ${chw.length}`);
  }
  if (resolution % GRID !== 0) {
    throw new RangeError(`tensorStats: resolution ${resolution} is not a multiple of ${GRID}`);
  }
  const cell = resolution / GRID;
  const mean: Triple = [0, 0, 0];
  const std: Triple = [0, 0, 0];
  const pool8x8: number[][][] = [];
  for (let c = 0; c < 3; c++) {
    const base = c * plane;
    const sums = Array.from({ length: GRID }, () => new Array<number>(GRID).fill(0));
    let sum = 0;
    for (let y = 0; y < resolution; y++) {
      const row = sums[Math.floor(y / cell)];
      for (let x = 0; x < resolution; x++) {
        const v = chw[base + y * resolution + x];
        sum += v;
        row[Math.floor(x / cell)] += v;
      }
    }
    const m = sum / plane;
    // Second pass around the mean: numerically safer than E[x²] − m².
    let sq = 0;
    for (let i = 0; i < plane; i++) {
      const d = chw[base + i] - m;
      sq += d * d;
    }
    mean[c] = m;
    std[c] = Math.sqrt(sq / plane);
    pool8x8.push(sums.map((r) => r.map((s) => s / (cell * cell))));
  }
  return { mean, std, pool8x8 };
}
