/**
 * PyTorch's `nn.MultiheadAttention` as the official image export traces it (CLIP's ViT blocks),
 * rewritten into one onnxruntime `QAttention` node: the packed in-projection runs in int8 (its
 * weight per output column, like every other product here) and the heads' q·kᵀ, softmax and p·v
 * run inside the same kernel, which is what ONNX Runtime's own BERT int8 path uses.
 *
 * The traced form, matched op by op and checked by value (not by node name):
 *
 *   x [L, 1, W] ─ MatMul(Transpose(in_proj_weight) [W, 3W]) ─ Add(in_proj_bias) ─ qkv
 *   qkv ─ Slice[0:W] ─ Reshape [L, heads, d] ─ Transpose(1,0,2) ─ Div(√d) ─┐
 *   qkv ─ Slice[W:2W] ─ Reshape ─ Transpose(1,2,0) ─────────────────── MatMul ─ Softmax ─┐
 *   qkv ─ Slice[2W:3W] ─ Reshape ─ Transpose(1,0,2) ───────────────────────────────── MatMul
 *       ─ Transpose(1,0,2) ─ Reshape [L, W] ─ (out_proj Gemm, quantized on its own)
 *
 * becomes Reshape(x, [1, -1, W]) ─ DynamicQuantizeLinear ─ QAttention(num_heads) ─ Reshape [L, W].
 * The Slice bounds are computed from Shape(qkv) at run time in the export; ShapeValues evaluates
 * them to prove the thirds are q, k and v in that order. Only batch 1 is fused (the official
 * export's fixed batch; [L, 1, W] and [1, L, W] are the same bytes); anything else is left alone
 * and quantized product by product as before.
 */
import { ConstantFolder, GraphIndex, attrInt, removeDeadCode } from './graph-tools.ts';
import { DT, OnnxModel, tensorProto, type NodeProto } from './onnx-model.ts';
import { quantizePerColumn } from './int8.ts';
import { ShapeValues, permOf } from './shape-values.ts';

export interface FusedAttention {
  /** The in-projection MatMul that was replaced. */
  node: string;
  weight: string;
  heads: number;
  headDim: number;
}

export interface FuseAttentionReport {
  fused: FusedAttention[];
  /** In-projections that looked like attention but did not match, with why (left as they were). */
  skipped: { node: string; reason: string }[];
}

class NoMatch extends Error {}

const sameFloat = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));

/**
 * 'QAttention': the in-projection and the heads in one node (ORT runs the projection as 3 × heads
 * small int8 GEMMs). 'MultiHeadAttention': the in-projection as one DynamicQuantizeMatMul, split
 * into q, k, v, and the heads in ORT's float MultiHeadAttention.
 */
export type AttentionKernel = 'QAttention' | 'MultiHeadAttention';

export async function fuseAttention(model: OnnxModel, kernel: AttentionKernel = 'QAttention'): Promise<FuseAttentionReport> {
  const graph = model.graph;
  const index = new GraphIndex(graph);
  const folder = new ConstantFolder(model, index);
  const report: FuseAttentionReport = { fused: [], skipped: [] };
  const replacements = new Map<NodeProto, NodeProto[]>();
  const newInits: ReturnType<typeof tensorProto>[] = [];
  let counter = 0;

  const only = (value: string, op: string): NodeProto => {
    const users = index.consumersOf(value);
    if (users.length !== 1 || users[0]!.opType !== op || index.outputs.has(value)) throw new NoMatch(`${value} is not used by one ${op} only`);
    return users[0]!;
  };
  const scalar = async (name: string): Promise<number> => {
    const t = await folder.value(name);
    if (!t || t.data.length !== 1 || !(t.data instanceof Float32Array)) throw new NoMatch(`${name} is not a float scalar`);
    return t.data[0]!;
  };

  for (const mm of graph.node ?? []) {
    if (mm.opType !== 'MatMul') continue;
    const [x, b] = mm.input ?? [];
    if (!x || !b) continue;
    const w = await folder.value(b);
    if (!w || w.dims.length !== 2 || w.dims[1] !== 3 * w.dims[0]! || !(w.data instanceof Float32Array)) continue;
    const width = w.dims[0]!;
    const name = mm.name || mm.output![0]!;
    try {
      // qkv = in-projection + bias
      const add = only(mm.output![0]!, 'Add');
      const biasName = add.input!.find((i) => i !== mm.output![0]);
      const bias = biasName ? await folder.value(biasName) : null;
      if (!bias || !(bias.data instanceof Float32Array) || bias.data.length !== 3 * width) throw new NoMatch('no constant [3W] bias');
      const qkv = add.output![0]!;
      const shapes = new ShapeValues(folder, index, new Map([[qkv, [null, null, 3 * width]]]));

      // Three Slices of the last axis (and the Shape their bounds are computed from).
      const users = index.consumersOf(qkv);
      const slices = users.filter((u) => u.opType === 'Slice');
      if (slices.length !== 3 || users.some((u) => u.opType !== 'Slice' && u.opType !== 'Shape')) throw new NoMatch('qkv is not split in three');
      const parts: NodeProto[] = [];
      for (const s of slices) {
        const [, st, en, ax, steps] = s.input ?? [];
        const [start, end, axes] = [await shapes.known(st ?? ''), await shapes.known(en ?? ''), await shapes.known(ax ?? '')];
        if (!start || !end || !axes || start.length !== 1 || (axes[0] !== -1 && axes[0] !== 2)) throw new NoMatch('slice bounds unknown');
        if (steps && (await shapes.known(steps))?.[0] !== 1) throw new NoMatch('slice with a step');
        const part = start[0]! / width;
        if (!Number.isInteger(part) || part < 0 || part > 2 || Math.min(end[0]!, 3 * width) !== start[0]! + width || parts[part]) throw new NoMatch('slices are not the thirds');
        parts[part] = s;
      }

      // Each third: Reshape [L, B·heads, d] then Transpose.
      const headsOf = async (slice: NodeProto, perm: number[]): Promise<{ out: NodeProto; bh: number; d: number }> => {
        const r = only(slice.output![0]!, 'Reshape');
        const dims = await shapes.known(r.input![1] ?? '');
        if (!dims || dims.length !== 3) throw new NoMatch('head reshape unknown');
        const t = only(r.output![0]!, 'Transpose');
        if (permOf(t, 3).join() !== perm.join()) throw new NoMatch(`transpose ${permOf(t, 3).join()} where ${perm.join()} was expected`);
        return { out: t, bh: dims[1]!, d: dims[2]! };
      };
      const q = await headsOf(parts[0]!, [1, 0, 2]);
      const k = await headsOf(parts[1]!, [1, 2, 0]);
      const v = await headsOf(parts[2]!, [1, 0, 2]);
      if (q.d !== k.d || q.d !== v.d || q.bh !== k.bh || q.bh !== v.bh || width % q.d !== 0) throw new NoMatch('head shapes differ');
      const heads = width / q.d;
      if (!Number.isInteger(heads) || q.bh !== heads) throw new NoMatch(`batch ${q.bh / heads} (only batch 1 is fused)`);

      // q scaled, q·kᵀ, softmax, ·v, heads merged back.
      const sc = index.consumersOf(q.out.output![0]!);
      if (sc.length !== 1 || (sc[0]!.opType !== 'Div' && sc[0]!.opType !== 'Mul') || sc[0]!.input![0] !== q.out.output![0]) throw new NoMatch('q is not scaled');
      const factor = await scalar(sc[0]!.input![1]!);
      const scale = sc[0]!.opType === 'Div' ? 1 / factor : factor;
      const scores = only(sc[0]!.output![0]!, 'MatMul');
      if (scores.input![0] !== sc[0]!.output![0] || scores.input![1] !== k.out.output![0] || index.consumersOf(k.out.output![0]!).length !== 1) throw new NoMatch('q·kᵀ not found');
      const softmax = only(scores.output![0]!, 'Softmax');
      const axis = attrInt(softmax, 'axis', -1);
      if (axis !== -1 && axis !== 2) throw new NoMatch('softmax not over the keys');
      const context = only(softmax.output![0]!, 'MatMul');
      if (context.input![0] !== softmax.output![0] || context.input![1] !== v.out.output![0] || index.consumersOf(v.out.output![0]!).length !== 1) throw new NoMatch('p·v not found');
      const merge = only(context.output![0]!, 'Transpose');
      if (permOf(merge, 3).join() !== '1,0,2') throw new NoMatch('heads are not merged back');
      const back = only(merge.output![0]!, 'Reshape');
      const target = await shapes.ints(back.input![1] ?? '');
      if (!target || target[target.length - 1] !== width) throw new NoMatch('merged heads are not reshaped to [·, W]');

      // The replacement. Both kernels take [B, S, W]; with batch 1 that is x's own bytes.
      const id = `${name}/${kernel}__f${counter++}`;
      const { values, scales } = quantizePerColumn(w.data, width, 3 * width);
      const [wq, ws, bb, shapeIn] = ['weight_int8', 'weight_scale', 'bias', 'shape'].map((s) => `${id}/${s}`) as [string, string, string, string];
      newInits.push(
        tensorProto(wq, [width, 3 * width], DT.INT8, values),
        tensorProto(ws, [3 * width], DT.FLOAT, scales),
        tensorProto(bb, [3 * width], DT.FLOAT, Float32Array.from(bias.data)),
        tensorProto(shapeIn, [3], DT.INT64, BigInt64Array.of(1n, -1n, BigInt(width))),
      );
      const x3 = `${id}/x`;
      const attrs = [{ name: 'num_heads', type: 2 /* INT */, i: heads }];
      if (!sameFloat(scale, 1 / Math.sqrt(q.d))) attrs.push({ name: 'scale', type: 1 /* FLOAT */, f: scale } as never);
      const reshape: NodeProto = { opType: 'Reshape', domain: '', name: `${id}/Reshape`, input: [x, shapeIn], output: [x3] };
      if (kernel === 'QAttention') {
        const [xq, xs, xz] = ['x_u8', 'x_scale', 'x_zero'].map((s) => `${id}/${s}`) as [string, string, string];
        replacements.set(merge, [
          reshape,
          { opType: 'DynamicQuantizeLinear', domain: '', name: `${id}/DynamicQuantizeLinear`, input: [x3], output: [xq, xs, xz] },
          { opType: 'QAttention', domain: 'com.microsoft', name: id, input: [xq, wq, bb, xs, ws, '', xz], output: [merge.output![0]!], attribute: attrs },
        ]);
      } else {
        const splits = `${id}/splits`;
        newInits.push(tensorProto(splits, [3], DT.INT64, BigInt64Array.of(BigInt(width), BigInt(width), BigInt(width))));
        const [packed, qo, ko, vo] = ['qkv', 'q', 'k', 'v'].map((s) => `${id}/${s}`) as [string, string, string, string];
        replacements.set(merge, [
          reshape,
          { opType: 'DynamicQuantizeMatMul', domain: 'com.microsoft', name: `${id}/DynamicQuantizeMatMul`, input: [x3, wq, ws, '', bb], output: [packed] },
          { opType: 'Split', domain: '', name: `${id}/Split`, input: [packed, splits], output: [qo, ko, vo], attribute: [{ name: 'axis', type: 2, i: 2 }] },
          { opType: 'MultiHeadAttention', domain: 'com.microsoft', name: id, input: [qo, ko, vo], output: [merge.output![0]!], attribute: attrs },
        ]);
      }
      report.fused.push({ node: name, weight: folder.sourceInitializer(b)?.name ?? b, heads, headDim: q.d });
    } catch (err) {
      if (!(err instanceof NoMatch)) throw err;
      report.skipped.push({ node: name, reason: err.message });
    }
  }
  if (report.fused.length === 0) return report;
  graph.node = (graph.node ?? []).flatMap((n) => replacements.get(n) ?? [n]);
  graph.initializer = [...(graph.initializer ?? []), ...newInits];
  removeDeadCode(graph);
  if (!(model.proto.opsetImport ?? []).some((o) => o.domain === 'com.microsoft')) {
    model.proto.opsetImport = [...(model.proto.opsetImport ?? []), { domain: 'com.microsoft', version: 1 }];
  }
  return report;
}
