/**
 * Dynamic int8 quantization of one ONNX graph, in place: every MatMul / Gemm whose weight is a
 * constant (an initializer, or a constant subgraph such as Transpose(initializer) in the official
 * image export) gets its weight quantized per output channel (symmetric int8, one scale per column
 * of B) and runs as an integer product whose activations are quantized at run time
 * (per tensor, uint8), with the ops onnxruntime's CPU provider has fast kernels for:
 *
 *  - 'DynamicQuantizeMatMul' (com.microsoft): one fused node, the bias of a following Add folded in;
 *  - 'MatMulInteger': DynamicQuantizeLinear + MatMulInteger + Cast + Mul (standard ONNX ops;
 *    onnxruntime fuses them back to the former at load when it can).
 *
 * What stays float: everything that is not a weight product — Conv (the patch embedding, the
 * ResNet trunk), LayerNorm, Softmax, GELU, the attention products q·kᵀ and p·v (both operands are
 * activations) — and, by default, the final projection to the embedding (see `keepProjection`).
 */
import { ConstantFolder, GraphIndex, attrFloat, attrInt, removeDeadCode } from './graph-tools.ts';
import { DT, OnnxModel, onnx, tensorProto, type NodeProto, type Tensor } from './onnx-model.ts';
import { quantizePerColumn } from './int8.ts';
import { fuseAttention, type AttentionKernel, type FusedAttention } from './fuse-attention.ts';
import { quantizePatchEmbedding, type QuantizedPatchEmbedding } from './patch-embedding.ts';
import { fuseSharedInputProducts, type FusedSharedInput } from './fuse-shared-input.ts';

export type Int8Kernel = 'DynamicQuantizeMatMul' | 'MatMulInteger';
export const INT8_KERNELS: readonly Int8Kernel[] = ['DynamicQuantizeMatMul', 'MatMulInteger'];

export interface QuantizeGraphOptions {
  kernel?: Int8Kernel;
  /**
   * Keep the weight product nearest the graph output (CLIP's `proj` / `text_projection`, RN50's
   * c_proj) in float. It runs once per image on a single row, so int8 saves nothing measurable,
   * while its error lands directly on the embedding. Default true.
   */
  keepProjection?: boolean;
  /** Weights smaller than this (K·N) stay float: too small for int8 to pay. Default 1024. */
  minWeightElements?: number;
  /**
   * Rewrite traced `nn.MultiheadAttention` blocks into onnxruntime's QAttention (./fuse-attention.ts)
   * before quantizing the other products. Only with the DynamicQuantizeMatMul kernel (both are
   * com.microsoft ops); default true there.
   */
  fuseAttention?: boolean;
  /** Which onnxruntime kernel the fused attention uses (fuse-attention.ts). Default QAttention. */
  attentionKernel?: AttentionKernel;
  /** Rewrite a ViT's patch-embedding Conv as an int8 product (./patch-embedding.ts); same condition. Default true. */
  quantizePatchEmbedding?: boolean;
  /** Products reading the same activation (BERT's q, k, v) as one product, split after (./fuse-shared-input.ts); same condition. Default true. */
  fuseSharedInput?: boolean;
}

export interface QuantizedProduct {
  node: string;
  op: 'MatMul' | 'Gemm';
  /** The initializer the weight came from, and the ops between it and the product. */
  weight: string;
  via: string[];
  k: number;
  n: number;
  biasFused: boolean;
}

export interface FloatProduct {
  node: string;
  op: string;
  weight?: string;
  reason: string;
}

export interface QuantizeGraphReport {
  kernel: Int8Kernel;
  quantized: QuantizedProduct[];
  keptFloat: FloatProduct[];
  /** Float weight bytes replaced, and the int8 + scale bytes that replaced them. */
  floatWeightBytes: number;
  int8WeightBytes: number;
  removedNodes: number;
  /** Attention blocks rewritten into QAttention (their packed in-projections are int8 there). */
  fusedAttention: FusedAttention[];
  /** Patch-embedding Convs rewritten as int8 products. */
  patchEmbedding: QuantizedPatchEmbedding[];
  /** Groups of products that read one activation, now one product each. */
  sharedInput: FusedSharedInput[];
}

const PASS_THROUGH = new Set(['Reshape', 'Gather', 'Squeeze', 'Unsqueeze', 'Identity', 'Flatten', 'Transpose', 'Cast', 'Add']);

/** Weight products from which a graph output is reached through shape ops (and a bias Add) only. */
function projectionNodes(index: GraphIndex): Set<NodeProto> {
  const found = new Set<NodeProto>();
  const walk = (value: string, depth: number): void => {
    const n = index.producer.get(value);
    if (!n || depth > 8) return;
    if (n.opType === 'MatMul' || n.opType === 'Gemm') {
      found.add(n);
      return;
    }
    if (PASS_THROUGH.has(n.opType ?? '')) for (const i of n.input ?? []) if (i && !index.initializers.has(i)) walk(i, depth + 1);
  };
  for (const out of index.outputs) walk(out, 0);
  return found;
}

function chainOps(index: GraphIndex, name: string): string[] {
  const ops: string[] = [];
  let cur = name;
  for (let guard = 0; guard < 16 && !index.initializers.has(cur); guard++) {
    const n = index.producer.get(cur);
    if (!n) break;
    ops.unshift(n.opType ?? '?');
    cur = n.input?.[0] ?? '';
  }
  return ops;
}

/** A 1-D bias of length n from a constant [n] or [1, n] tensor, scaled; null otherwise. */
function biasVector(t: Tensor | null, n: number, scale = 1): Float32Array | null {
  if (!t || !(t.data instanceof Float32Array) || t.data.length !== n || t.dims.filter((d) => d !== 1).length > 1) return null;
  return scale === 1 ? t.data : t.data.map((v) => v * scale);
}

export async function quantizeGraph(model: OnnxModel, opts: QuantizeGraphOptions = {}): Promise<QuantizeGraphReport> {
  const kernel = opts.kernel ?? 'DynamicQuantizeMatMul';
  const keepProjection = opts.keepProjection ?? true;
  const minElements = opts.minWeightElements ?? 1024;
  const graph = model.graph;
  if (model.opsetVersion('') < 11) throw new Error(`opset ${model.opsetVersion('')} is too old for int8 ops (need ≥ 11)`);
  const contrib = kernel === 'DynamicQuantizeMatMul';
  const fused = contrib && (opts.fuseAttention ?? true) ? (await fuseAttention(model, opts.attentionKernel)).fused : [];
  const patches = contrib && (opts.quantizePatchEmbedding ?? true) ? await quantizePatchEmbedding(model) : [];
  const shared = contrib && (opts.fuseSharedInput ?? true) ? await fuseSharedInputProducts(model) : [];
  const index = new GraphIndex(graph);
  const folder = new ConstantFolder(model, index);
  const projections = keepProjection ? projectionNodes(index) : new Set<NodeProto>();
  const report: QuantizeGraphReport = { kernel, quantized: [], keptFloat: [], floatWeightBytes: 0, int8WeightBytes: 0, removedNodes: 0, fusedAttention: fused, patchEmbedding: patches, sharedInput: shared };
  const replacements = new Map<NodeProto, NodeProto[]>();
  const dropped = new Set<NodeProto>();
  const newInits: ReturnType<typeof tensorProto>[] = [];
  const quantizedWeights = new Map<string, { q: string; scale: string }>();
  let counter = 0;
  const fresh = (base: string): string => `${base}__q${counter++}`;

  for (const node of graph.node ?? []) {
    const op = node.opType ?? '';
    if (op !== 'MatMul' && op !== 'Gemm') continue;
    const [a, b, c] = node.input ?? [];
    if (!a || !b) continue;
    const bValue = await folder.value(b);
    if (!bValue) continue; // an activation × activation product (attention): float by nature
    const source = folder.sourceInitializer(b);
    const weight = source?.name ?? b;
    const name = node.name || node.output?.[0] || op;
    const keep = (reason: string): void => void report.keptFloat.push({ node: name, op, weight, reason });
    if (bValue.dims.length !== 2) {
      keep(`weight has rank ${bValue.dims.length}`);
      continue;
    }
    if (!(bValue.data instanceof Float32Array) || (source && source.dataType !== DT.FLOAT)) {
      keep('weight is not float32 (quantize the fp32 export)');
      continue;
    }
    if (projections.has(node)) {
      keep('final projection to the embedding');
      continue;
    }
    if (op === 'Gemm' && attrInt(node, 'transA', 0) !== 0) {
      keep('Gemm with transA');
      continue;
    }
    let [k, n] = bValue.dims as [number, number];
    const transB = op === 'Gemm' && attrInt(node, 'transB', 0) !== 0;
    if (transB) [k, n] = [n, k];
    if (k * n < minElements) {
      keep(`weight ${k}×${n} is too small to gain from int8`);
      continue;
    }
    const alpha = op === 'Gemm' ? attrFloat(node, 'alpha', 1) : 1;
    const beta = op === 'Gemm' ? attrFloat(node, 'beta', 1) : 1;

    // Bias: Gemm's C, or the Add that follows a MatMul alone (exported Linear: Add(bias, MatMul)).
    let bias: Float32Array | null = null;
    let output = node.output![0]!;
    let fusedAdd: NodeProto | undefined;
    if (op === 'Gemm' && c) {
      bias = biasVector(await folder.value(c), n, beta);
      if (!bias) {
        keep('Gemm bias is not a constant vector');
        continue;
      }
    } else if (op === 'MatMul' && kernel === 'DynamicQuantizeMatMul' && !index.outputs.has(output)) {
      const users = index.consumersOf(output);
      const add = users.length === 1 && users[0]!.opType === 'Add' ? users[0]! : undefined;
      const other = add?.input?.find((i) => i !== output);
      const vec = other ? biasVector(await folder.value(other), n) : null;
      if (add && vec) {
        bias = vec;
        fusedAdd = add;
        output = add.output![0]!;
      }
    }

    const chain = chainOps(index, b);
    const key = `${weight}|${chain.filter((o) => o !== 'Identity').join(',')}|${transB}|${alpha}`;
    let q = quantizedWeights.get(key);
    if (!q) {
      const { values, scales } = quantizePerColumn(bValue.data as Float32Array, bValue.dims[0]!, bValue.dims[1]!, transB, alpha);
      q = { q: fresh(`${weight}_int8`), scale: fresh(`${weight}_scale`) };
      newInits.push(tensorProto(q.q, [k, n], DT.INT8, values), tensorProto(q.scale, [n], DT.FLOAT, scales));
      quantizedWeights.set(key, q);
      report.floatWeightBytes += k * n * 4;
      report.int8WeightBytes += k * n + n * 4;
    }

    const biasName = bias ? fresh(`${weight}_bias`) : '';
    if (bias) newInits.push(tensorProto(biasName, [n], DT.FLOAT, Float32Array.from(bias)));
    const mk = (opType: string, inputs: string[], outputs: string[], domain = ''): NodeProto => ({ opType, domain, name: fresh(`${name}/${opType}`), input: inputs, output: outputs });
    let nodes: NodeProto[];
    if (kernel === 'DynamicQuantizeMatMul') {
      nodes = [mk('DynamicQuantizeMatMul', [a, q.q, q.scale, '', biasName], [output], 'com.microsoft')];
      if (!bias) nodes[0]!.input = [a, q.q, q.scale];
    } else {
      const [aq, as, az, acc, accF, s] = ['a_u8', 'a_scale', 'a_zero', 'acc', 'acc_f', 'scale'].map((x) => fresh(`${name}/${x}`)) as string[];
      const product = bias ? fresh(`${name}/product`) : output;
      nodes = [
        mk('DynamicQuantizeLinear', [a], [aq!, as!, az!]),
        mk('MatMulInteger', [aq!, q.q, az!], [acc!]),
        { ...mk('Cast', [acc!], [accF!]), attribute: [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: DT.FLOAT }] },
        mk('Mul', [as!, q.scale], [s!]),
        mk('Mul', [accF!, s!], [product]),
      ];
      if (bias) nodes.push(mk('Add', [product, biasName], [output]));
    }
    replacements.set(node, nodes);
    if (fusedAdd) dropped.add(fusedAdd);
    report.quantized.push({ node: name, op, weight, via: chain, k, n, biasFused: Boolean(bias) });
  }

  graph.node = (graph.node ?? []).flatMap((n) => (dropped.has(n) ? [] : (replacements.get(n) ?? [n])));
  graph.initializer = [...(graph.initializer ?? []), ...newInits];
  report.removedNodes = removeDeadCode(graph).nodes;
  if (kernel === 'DynamicQuantizeMatMul' && report.quantized.length > 0 && !(model.proto.opsetImport ?? []).some((o) => o.domain === 'com.microsoft')) {
    model.proto.opsetImport = [...(model.proto.opsetImport ?? []), { domain: 'com.microsoft', version: 1 }];
  }
  return report;
}
