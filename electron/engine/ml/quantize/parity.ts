/**
 * Proofs by running both graphs: that a variable-length text graph gives, for ids trimmed of their
 * trailing padding, the vector the original fixed-length graph gives for the padded ids.
 * The check runs on the person's own graph (whatever its weights), at every length the sample
 * rows have, on onnxruntime's CPU provider; it is cheap (a few dozen short runs).
 */
import * as ort from 'onnxruntime-node';

export interface ParityReport {
  rows: number;
  lengths: number[];
  /** Largest |a − b| between the L2-normalised vectors, and the smallest cosine. */
  maxAbsDiff: number;
  minCosine: number;
  passed: boolean;
}

/** Float tolerance: kernels differ between lengths (blocking, summation order), values do not. */
export const PARITY_MAX_ABS = 1e-4;

const realLength = (row: number[]): number => {
  let n = row.length;
  while (n > 1 && (row[n - 1] ?? 0) === 0) n--;
  return n;
};

function normalised(t: ort.Tensor): Float32Array {
  const v = Float32Array.from(t.data as Float32Array);
  const norm = Math.hypot(...v);
  return norm > 0 ? v.map((x) => x / norm) : v;
}

export async function proveVariableLength(
  fixedGraph: string,
  variableGraph: string,
  io: { input: string; output: string; contextLength: number; dtype: 'int64' | 'int32' },
  rows: number[][],
): Promise<ParityReport> {
  const opts: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' };
  const fixed = await ort.InferenceSession.create(fixedGraph, opts);
  const variable = await ort.InferenceSession.create(variableGraph, opts).catch(async (err: unknown) => {
    await fixed.release();
    throw err;
  });
  const tensor = (ids: number[]): ort.Tensor =>
    io.dtype === 'int32' ? new ort.Tensor('int32', Int32Array.from(ids), [1, ids.length]) : new ort.Tensor('int64', BigInt64Array.from(ids, (v) => BigInt(v)), [1, ids.length]);
  let maxAbsDiff = 0;
  let minCosine = 1;
  const lengths = new Set<number>();
  try {
    for (const row of rows) {
      const padded = Array.from({ length: io.contextLength }, (_, i) => row[i] ?? 0);
      const n = realLength(padded);
      lengths.add(n);
      const a = normalised((await fixed.run({ [io.input]: tensor(padded) }))[io.output]!);
      const b = normalised((await variable.run({ [io.input]: tensor(padded.slice(0, n)) }))[io.output]!);
      let dot = 0;
      for (let i = 0; i < a.length; i++) {
        maxAbsDiff = Math.max(maxAbsDiff, Math.abs(a[i]! - b[i]!));
        dot += a[i]! * b[i]!;
      }
      minCosine = Math.min(minCosine, dot);
    }
  } finally {
    await fixed.release();
    await variable.release();
  }
  const sorted = [...lengths].sort((x, y) => x - y);
  return { rows: rows.length, lengths: sorted, maxAbsDiff, minCosine, passed: rows.length > 0 && maxAbsDiff <= PARITY_MAX_ABS };
}
