/**
 * Building blocks shared by the benchmark towers (ViT, BERT/RoBERTa, ModifiedResNet), written as
 * the plain ONNX ops a PyTorch export produces, so onnxruntime applies the same fusions
 * (LayerNormalization, Gelu from the Erf formula, MatMul+Add) it applies to the official graphs.
 * Batch is fixed at 1, as in the official export.
 */
import type { GraphBuilder, Rng } from './onnx-builder.ts';

/** Weight scale of BERT/CLIP initialisation; keeps LayerNorm and softmax inputs tame. */
export const INIT_STD = 0.02;

export interface Ctx {
  g: GraphBuilder;
  rng: Rng;
}

/**
 * Dense layer. Weights ~ N(0, 1/in) rather than BERT's 0.02: with 0.02 a random post-LN encoder
 * barely mixes tokens and every text gets nearly the same vector; unit-scale layers keep random
 * embeddings distinct (cost is identical either way).
 */
export function linear({ g, rng }: Ctx, x: string, inDim: number, outDim: number, bias = true, std = 1 / Math.sqrt(inDim)): string {
  const y = g.node1('MatMul', [x, g.init('w', rng.normal(inDim * outDim, std), [inDim, outDim])]);
  return bias ? g.node1('Add', [y, g.init('b', rng.normal(outDim, std), [outDim])]) : y;
}

export function layerNorm({ g }: Ctx, x: string, dim: number, eps = 1e-5): string {
  const scale = g.init('ln_g', new Float32Array(dim).fill(1), [dim]);
  const bias = g.init('ln_b', new Float32Array(dim), [dim]);
  return g.node1('LayerNormalization', [x, scale, bias], { axis: -1, epsilon: eps });
}

/** Exact GELU as torch exports it: x · 0.5 · (1 + erf(x / √2)). */
export function gelu({ g }: Ctx, x: string): string {
  const erf = g.node1('Erf', [g.node1('Div', [x, g.scalar('sqrt2', Math.SQRT2)])]);
  const onePlus = g.node1('Add', [erf, g.scalar('one', 1)]);
  return g.node1('Mul', [g.node1('Mul', [x, onePlus]), g.scalar('half', 0.5)]);
}

/** OpenAI CLIP's QuickGELU: x · sigmoid(1.702 x) (the Chinese-CLIP vision towers use it). */
export function quickGelu({ g }: Ctx, x: string): string {
  return g.node1('Mul', [x, g.node1('Sigmoid', [g.node1('Mul', [x, g.scalar('k', 1.702)])])]);
}

/** [1, L, H·Dh] → [1, H, L, Dh] (or [1, H, Dh, L] when `keysT`, ready for q·kᵀ). */
function splitHeads({ g }: Ctx, x: string, len: number, heads: number, headDim: number, keysT = false): string {
  const r = g.node1('Reshape', [x, g.ints('shape', [1, len, heads, headDim])]);
  return g.node1('Transpose', [r], { perm: keysT ? [0, 2, 3, 1] : [0, 2, 1, 3] });
}

export interface AttentionOpts {
  /** Length of the query sequence when it differs from the keys' (attention pooling: 1). */
  queryLen?: number;
  /** Optional additive mask broadcastable to [1, H, Lq, Lk] (0 keep, -10000 drop). */
  mask?: string;
  outDim?: number;
}

/** Multi-head self-attention: q from `xq` (default `x`), k and v from `x`, output projection. */
export function attention(c: Ctx, x: string, len: number, width: number, heads: number, opts: AttentionOpts & { xq?: string } = {}): string {
  const { g } = c;
  const headDim = width / heads;
  const qLen = opts.queryLen ?? len;
  const q = splitHeads(c, linear(c, opts.xq ?? x, width, width), qLen, heads, headDim);
  const k = splitHeads(c, linear(c, x, width, width), len, heads, headDim, true);
  const v = splitHeads(c, linear(c, x, width, width), len, heads, headDim);
  let scores = g.node1('Mul', [g.node1('MatMul', [q, k]), g.scalar('scale', 1 / Math.sqrt(headDim))]);
  if (opts.mask) scores = g.node1('Add', [scores, opts.mask]);
  const probs = g.node1('Softmax', [scores], { axis: -1 });
  const ctx = g.node1('Transpose', [g.node1('MatMul', [probs, v])], { perm: [0, 2, 1, 3] });
  const merged = g.node1('Reshape', [ctx, g.ints('shape', [1, qLen, width])]);
  return linear(c, merged, width, opts.outDim ?? width);
}

/** Takes token `index` of [1, L, W] → [1, W]. */
export function token({ g }: Ctx, x: string, index: number): string {
  return g.node1('Gather', [x, g.ints('idx', [index], [])], { axis: 1 });
}
