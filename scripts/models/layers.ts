/**
 * Building blocks of the benchmark and export-pattern towers, written as the ops torch.onnx.export
 * writes for Chinese-CLIP's layers with the official deployment script
 * (cn_clip/deploy/pytorch_to_onnx.py: opset 13, batch 1, PyTorch 1.12/1.13 as its guide uses),
 * read from exports of the official model code:
 *
 * - image towers are exported with do_constant_folding=False, so a weight is never folded into
 *   the layout the MatMul wants: nn.Linear on a 3-D input is MatMul(x, Transpose(W[out,in])) then
 *   Add(bias, ·); on a 2-D input Gemm(x, W, b, transB=1). nn.MultiheadAttention is its functional
 *   form: one in-projection MatMul with W_in [3W, W], its output split by three Slices whose
 *   bounds are computed at run time from Shape (chunk(3)); reshapes take shapes built from
 *   Constant scalars (Unsqueeze + Concat); tokens are laid out [L, batch, W].
 * - the text tower is exported with folding: MatMul(x, W[in,out]) + Add(bias, ·), and shapes
 *   folded into Constant tensors that spell the context length (Reshape [1,52,12,64]).
 * - LayerNorm is decomposed (ReduceMean, Sub, Pow, ReduceMean, Add ε, Sqrt, Div, Mul, Add: there is
 *   no LayerNormalization before opset 17); the image side wraps it in Casts to float (its
 *   fp16-safe LayerNorm subclass). onnxruntime fuses all of this back at load (LayerNorm, Gelu,
 *   Transpose folding), so these graphs cost what the official ones cost.
 */
import { f, type GraphBuilder, type Rng } from './onnx-builder.ts';

/** Weight scale of BERT/CLIP initialisation for embeddings; keeps LayerNorm and softmax inputs tame. */
export const INIT_STD = 0.02;

/** The level of the official export. */
export const TORCH_EXPORT = { opset: 13, irVersion: 7 } as const;

export interface Ctx {
  g: GraphBuilder;
  rng: Rng;
}

/**
 * Dense-layer weights ~ N(0, 1/in) rather than BERT's 0.02: with 0.02 a random post-LN encoder
 * barely mixes tokens and every text gets nearly the same vector; unit-scale layers keep random
 * embeddings distinct (cost is identical either way).
 */
const denseStd = (inDim: number): number => 1 / Math.sqrt(inDim);

export interface LinearOpts {
  bias?: boolean;
  /** Reuse this [out,in] initializer through Identity, as the exporter does for identical tensors. */
  shareWeight?: string;
}

/** nn.Linear without constant folding (image towers), on a ≥ 3-D input. Returns [output, weight]. */
export function linearUnfolded({ g, rng }: Ctx, x: string, inDim: number, outDim: number, opts: LinearOpts = {}): [string, string] {
  const w = opts.shareWeight ?? g.init('linear.weight', rng.normal(outDim * inDim, denseStd(inDim)), [outDim, inDim]);
  const wRef = opts.shareWeight ? g.node1('Identity', [w]) : w;
  const y = g.node1('MatMul', [x, g.node1('Transpose', [wRef], { perm: [1, 0] })]);
  if (opts.bias === false) return [y, w];
  return [g.node1('Add', [g.init('linear.bias', rng.normal(outDim, denseStd(inDim)), [outDim]), y]), w];
}

/** nn.Linear on a 2-D input (batch 1 flattened): Gemm with the weight as stored, transB=1. */
export function gemmLinear({ g, rng }: Ctx, x: string, inDim: number, outDim: number): string {
  const w = g.init('linear.weight', rng.normal(outDim * inDim, denseStd(inDim)), [outDim, inDim]);
  const b = g.init('linear.bias', rng.normal(outDim, denseStd(inDim)), [outDim]);
  return g.node1('Gemm', [x, w, b], { alpha: f(1), beta: f(1), transB: 1 });
}

/** nn.Linear after constant folding (text tower): the weight already [in,out]. */
export function linearFolded({ g, rng }: Ctx, x: string, inDim: number, outDim: number): string {
  const w = g.init('onnx::MatMul', rng.normal(inDim * outDim, denseStd(inDim)), [inDim, outDim]);
  return g.node1('Add', [g.init('linear.bias', rng.normal(outDim, denseStd(inDim)), [outDim]), g.node1('MatMul', [x, w])]);
}

/** A shape as the tracer records it: Constant scalars, each Unsqueezed, Concatenated. */
export function tracedShape(g: GraphBuilder, dims: number[]): string {
  return g.node1('Concat', dims.map((d) => g.node1('Unsqueeze', [g.constInts('dim', [d], []), g.constInts('axes', [0])])), { axis: 0 });
}

export interface LayerNormOut {
  y: string;
  /** The value the residual branch continues from: the input's Cast when `cast` (as traced). */
  input: string;
}

/** Decomposed LayerNorm (opset 13), optionally between Casts to float like CLIP's LayerNorm subclass. */
export function layerNorm({ g }: Ctx, x: string, dim: number, eps: number, cast = false): LayerNormOut {
  const xin = cast ? g.node1('Cast', [x], { to: 1 }) : x;
  const d = g.node1('Sub', [xin, g.node1('ReduceMean', [xin], { axes: [-1] })]);
  const variance = g.node1('ReduceMean', [g.node1('Pow', [d, g.constFloat('two', 2)])], { axes: [-1] });
  const normed = g.node1('Div', [d, g.node1('Sqrt', [g.node1('Add', [variance, g.constFloat('eps', eps)])])]);
  const gamma = g.init('LayerNorm.weight', new Float32Array(dim).fill(1), [dim]);
  const beta = g.init('LayerNorm.bias', new Float32Array(dim), [dim]);
  const y = g.node1('Add', [g.node1('Mul', [normed, gamma]), beta]);
  return { y: cast ? g.node1('Cast', [y], { to: 1 }) : y, input: xin };
}

/** BERT's exact GELU as exported: (x · 0.5) · (1 + erf(x / √2)). */
export function gelu({ g }: Ctx, x: string): string {
  const half = g.node1('Mul', [x, g.constFloat('half', 0.5)]);
  const erf = g.node1('Erf', [g.node1('Div', [x, g.constFloat('sqrt2', Math.SQRT2)])]);
  return g.node1('Mul', [half, g.node1('Add', [erf, g.constFloat('one', 1)])]);
}

/** OpenAI CLIP's QuickGELU: x · sigmoid(1.702 x) (the Chinese-CLIP vision towers use it). */
export function quickGelu({ g }: Ctx, x: string): string {
  return g.node1('Mul', [x, g.node1('Sigmoid', [g.node1('Mul', [x, g.constFloat('k', 1.702)])])]);
}

/**
 * `chunk(3, dim)` of a traced tensor as opset 13 exports it: the chunk size is computed at run time
 * from Shape (ceil(n / 3)), then three Slices.
 */
function chunk3(g: GraphBuilder, x: string, axis: number): [string, string, string] {
  const axes = g.constInts('axis', [axis]);
  const n = g.node1('Gather', [g.node1('Shape', [x]), axes], { axis: 0 });
  const size = g.node1('Div', [g.node1('Add', [n, g.constInts('two', [2])]), g.constInts('three', [3])]);
  const bounds = [g.constInts('zero', [0]), ...[1, 2, 3].map((k) => g.node1('Mul', [size, g.constInts('k', [k])]))];
  return [0, 1, 2].map((i) => g.node1('Slice', [x, bounds[i]!, bounds[i + 1]!, axes])) as [string, string, string];
}

export interface MhaOpts {
  /** Separate q/k/v weights with one concatenated bias (CLIP's AttentionPool2d), instead of in_proj_weight. */
  separateProj?: boolean;
  outDim?: number;
  /** Share the in-projection weight of an earlier block through Identity (exporter deduplication). */
  shareInProj?: string;
}

/**
 * F.multi_head_attention_forward (PyTorch 1.12/1.13, need_weights=False, batch 1) on x [L, 1, W]:
 * in-projection, heads as the batch of bmm, q / √Dh, softmax, out-projection as Gemm on [L, W].
 * Returns [output [L, 1, outDim], in-projection weight (when packed)].
 */
export function multiheadAttention(c: Ctx, x: string, len: number, width: number, heads: number, opts: MhaOpts = {}): [string, string | undefined] {
  const { g, rng } = c;
  const headDim = width / heads;
  const outDim = opts.outDim ?? width;
  let q: string, k: string, v: string;
  let inProj: string | undefined;
  if (opts.separateProj) {
    const ws = [0, 1, 2].map(() => g.init('proj.weight', rng.normal(width * width, denseStd(width)), [width, width]));
    const bias = g.node1('Concat', [0, 1, 2].map(() => g.init('proj.bias', rng.normal(width, denseStd(width)), [width])), { axis: 0 });
    const bs = chunk3(g, bias, 0);
    [q, k, v] = ws.map((w, i) => g.node1('Add', [bs[i]!, g.node1('MatMul', [x, g.node1('Transpose', [w], { perm: [1, 0] })])])) as [string, string, string];
  } else {
    let proj: string;
    if (opts.shareInProj) {
      inProj = opts.shareInProj;
      const wt = g.node1('Transpose', [g.node1('Identity', [inProj])], { perm: [1, 0] });
      proj = g.node1('Add', [g.init('in_proj_bias', rng.normal(3 * width, denseStd(width)), [3 * width]), g.node1('MatMul', [x, wt])]);
    } else {
      [proj, inProj] = linearUnfolded(c, x, width, 3 * width);
    }
    [q, k, v] = chunk3(g, proj, -1);
  }
  const heads3 = (t: string): string => g.node1('Reshape', [t, tracedShape(g, [len, heads, headDim])]);
  const qh = g.node1('Transpose', [heads3(q)], { perm: [1, 0, 2] });
  const kh = heads3(k);
  const vh = g.node1('Transpose', [heads3(v)], { perm: [1, 0, 2] });
  const scaled = g.node1('Div', [qh, g.constFloat('sqrt_dh', Math.sqrt(headDim))]);
  const scores = g.node1('MatMul', [scaled, g.node1('Transpose', [kh], { perm: [1, 2, 0] })]);
  const ctx = g.node1('MatMul', [g.node1('Softmax', [scores], { axis: -1 }), vh]);
  const flat = g.node1('Reshape', [g.node1('Transpose', [ctx], { perm: [1, 0, 2] }), tracedShape(g, [len, width])]);
  const out = gemmLinear(c, flat, width, outDim);
  return [g.node1('Reshape', [out, tracedShape(g, [len, 1, outDim])]), inProj];
}
