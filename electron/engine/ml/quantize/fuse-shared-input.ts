/**
 * Weight products that read the same activation — BERT's separate query, key and value
 * projections in the text tower — become one product with the weights side by side, split after:
 *
 *   x ─ MatMul(Wq) ─ Add(bq) ─ q         x ─ MatMul([Wq Wk Wv]) ─ Add([bq bk bv]) ─ Split ─ q, k, v
 *   x ─ MatMul(Wk) ─ Add(bk) ─ k   →
 *   x ─ MatMul(Wv) ─ Add(bv) ─ v
 *
 * In int8 the activation is then quantized once instead of three times and one GEMM runs instead
 * of three; with a short text (a query, a tag prompt: 5–15 tokens) those per-product costs are a
 * large part of the tower's time. Each weight keeps its own per-column scales (a column is one
 * output channel either way), so the numbers are the same as product by product. Only products
 * whose weight and bias are constants and whose output feeds nothing but its bias Add.
 */
import { ConstantFolder, GraphIndex, removeDeadCode } from './graph-tools.ts';
import { DT, OnnxModel, tensorProto, type NodeProto } from './onnx-model.ts';

export interface FusedSharedInput {
  input: string;
  nodes: string[];
  widths: number[];
}

interface Member {
  mm: NodeProto;
  add: NodeProto;
  w: Float32Array;
  bias: Float32Array;
  n: number;
}

export async function fuseSharedInputProducts(model: OnnxModel): Promise<FusedSharedInput[]> {
  const graph = model.graph;
  const index = new GraphIndex(graph);
  const folder = new ConstantFolder(model, index);
  const byInput = new Map<string, Member[]>();
  let k0 = 0;
  for (const mm of graph.node ?? []) {
    if (mm.opType !== 'MatMul') continue;
    const [a, b] = mm.input ?? [];
    if (!a || !b || index.outputs.has(mm.output![0]!)) continue;
    const users = index.consumersOf(mm.output![0]!);
    if (users.length !== 1 || users[0]!.opType !== 'Add') continue;
    const add = users[0]!;
    const biasName = add.input!.find((i) => i !== mm.output![0]);
    const w = await folder.value(b);
    const bias = biasName ? await folder.value(biasName) : null;
    if (!w || w.dims.length !== 2 || !(w.data instanceof Float32Array) || !bias || !(bias.data instanceof Float32Array) || bias.data.length !== w.dims[1]) continue;
    k0 = w.dims[0]!;
    const list = byInput.get(a) ?? [];
    if (list.length && list[0]!.w.length / list[0]!.n !== k0) continue;
    list.push({ mm, add, w: w.data, bias: bias.data, n: w.dims[1]! });
    byInput.set(a, list);
  }
  const fused: FusedSharedInput[] = [];
  const replacements = new Map<NodeProto, NodeProto[]>();
  const dropped = new Set<NodeProto>();
  const newInits: ReturnType<typeof tensorProto>[] = [];
  for (const [input, members] of byInput) {
    if (members.length < 2) continue;
    const k = members[0]!.w.length / members[0]!.n;
    const total = members.reduce((s, m) => s + m.n, 0);
    const w = new Float32Array(k * total);
    const bias = new Float32Array(total);
    let col = 0;
    for (const m of members) {
      for (let r = 0; r < k; r++) w.set(m.w.subarray(r * m.n, (r + 1) * m.n), r * total + col);
      bias.set(m.bias, col);
      col += m.n;
    }
    const id = `${members[0]!.mm.name || members[0]!.mm.output![0]}/SharedInput`;
    const [wName, bName, splitName, product, sum] = ['weight', 'bias', 'split', 'product', 'sum'].map((s) => `${id}/${s}`) as [string, string, string, string, string];
    newInits.push(
      tensorProto(wName, [k, total], DT.FLOAT, w),
      tensorProto(bName, [total], DT.FLOAT, bias),
      tensorProto(splitName, [members.length], DT.INT64, BigInt64Array.from(members.map((m) => BigInt(m.n)))),
    );
    // Placed where the first member's MatMul was: the shared input is produced before it, and
    // every user of a member's result comes after it.
    replacements.set(members[0]!.mm, [
      { opType: 'MatMul', domain: '', name: `${id}/MatMul`, input: [input, wName], output: [product] },
      { opType: 'Add', domain: '', name: `${id}/Add`, input: [product, bName], output: [sum] },
      { opType: 'Split', domain: '', name: `${id}/Split`, input: [sum, splitName], output: members.map((m) => m.add.output![0]!), attribute: [{ name: 'axis', type: 2 /* INT */, i: -1 }] },
    ]);
    for (const m of members) {
      if (m !== members[0]) dropped.add(m.mm);
      dropped.add(m.add);
    }
    fused.push({ input, nodes: members.map((m) => m.mm.name || m.mm.output![0]!), widths: members.map((m) => m.n) });
  }
  if (fused.length === 0) return fused;
  graph.node = (graph.node ?? []).flatMap((n) => replacements.get(n) ?? (dropped.has(n) ? [] : [n]));
  graph.initializer = [...(graph.initializer ?? []), ...newInits];
  removeDeadCode(graph);
  return fused;
}
