import { describe, expect, it } from 'vitest';
import { logPartition } from '../../electron/engine/tags/classify.ts';
import { TagScorer } from '../../electron/engine/tags/scorer.ts';

/** Deterministic pseudo-random numbers in [-1, 1). */
function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return (s / 2147483648) * 2 - 1;
  };
}

function unitRows(rows: number, dim: number, seed: number): Float32Array {
  const r = rng(seed);
  const m = new Float32Array(rows * dim);
  for (let i = 0; i < rows; i++) {
    let n = 0;
    for (let k = 0; k < dim; k++) n += (m[i * dim + k] = r()) ** 2;
    for (let k = 0; k < dim; k++) m[i * dim + k] /= Math.sqrt(n);
  }
  return m;
}

function naiveDot(a: Float32Array, i: number, b: Float32Array, j: number, dim: number): number {
  let s = 0;
  for (let k = 0; k < dim; k++) s += a[i * dim + k]! * b[j * dim + k]!;
  return s;
}

describe('tag scorer (ONNX Runtime matrix product)', () => {
  // Odd sizes on purpose: dims not a multiple of 4, tag and photo counts not multiples of the blocks.
  for (const [dim, tags, photos] of [
    [16, 9, 5],
    [7, 3, 1],
    [512, 37, 1030],
  ] as const) {
    it(`dot products match a naive loop (dim ${dim}, ${tags} tags, ${photos} photos)`, async () => {
      const t = unitRows(tags, dim, 1);
      const p = unitRows(photos, dim, 2);
      const scorer = new TagScorer(t, dim);
      for (let from = 0; from < photos; from += TagScorer.pageRows) {
        const rows = Math.min(TagScorer.pageRows, photos - from);
        const s = await scorer.score(p, from, rows);
        let worst = 0;
        for (let r = 0; r < rows; r++) {
          for (let j = 0; j < tags; j++) worst = Math.max(worst, Math.abs(s.values[r * s.stride + j]! - naiveDot(p, from + r, t, j, dim)));
        }
        expect(worst).toBeLessThan(1e-5);
      }
    });
  }

  it('a short last page does not see the previous page’s photos', async () => {
    const dim = 8;
    const t = unitRows(4, dim, 3);
    const p = unitRows(8, dim, 4);
    const scorer = new TagScorer(t, dim);
    await scorer.score(p, 0, 8);
    const s = await scorer.score(p, 6, 2);
    expect(s.rows).toBe(2);
    for (let j = 0; j < 4; j++) expect(s.values[s.stride + j]).toBeCloseTo(naiveDot(p, 7, t, j, dim), 6);
  });

  it('log partitions match the scalar reference, including the columns past a multiple of 4', async () => {
    for (const tags of [4, 7, 503]) {
      const dim = 32;
      const t = unitRows(tags, dim, 5);
      const p = unitRows(50, dim, 6);
      const scorer = new TagScorer(t, dim);
      for (const scale of [1, 100]) {
        const s = await scorer.score(p, 0, 50, { count: tags, logitScale: scale });
        const out = s.logZ!;
        for (let r = 0; r < 50; r++) {
          const ref = logPartition(s.values, r * s.stride, tags, scale);
          let exact = 0; // plain sum without any shortcut
          for (let j = 0; j < tags; j++) exact += Math.exp(scale * s.values[r * s.stride + j]!);
          expect(Math.abs(out[r]! - Math.log(exact))).toBeLessThan(1e-5);
          expect(Math.abs(ref - Math.log(exact))).toBeLessThan(1e-9);
        }
      }
    }
  });

  it('a partition over the leading tags only (the taxonomy) ignores the custom tags after them', async () => {
    const dim = 16;
    const t = unitRows(9, dim, 7);
    const p = unitRows(5, dim, 8);
    const s = await new TagScorer(t, dim).score(p, 0, 5, { count: 6, logitScale: 100 });
    for (let r = 0; r < 5; r++) expect(Math.abs(s.logZ![r]! - logPartition(s.values, r * s.stride, 6, 100))).toBeLessThan(1e-5);
  });
});
