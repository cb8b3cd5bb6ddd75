/**
 * A ViT's patch embedding in int8: the stride-p, p×p `Conv` (no padding, no groups) is one matrix
 * product per patch, so it is rewritten as patches [g², C·p·p] × W [C·p·p, D] on the same
 * DynamicQuantizeMatMul kernel as the other products (ONNX Runtime's ConvInteger is not faster than
 * its float Conv on the CPU). The Reshape [1, D, g²] + Transpose(0, 2, 1) that the export puts
 * after the Conv to make tokens is folded in: the product already yields [g², D].
 *
 *   image [1, C, R, R] ─ Conv(W [D, C, p, p], stride p) ─ Reshape [1, D, g²] ─ Transpose(0,2,1)
 *   becomes
 *   image ─ Reshape [1, C, g, p, g, p] ─ Transpose(0,2,4,1,3,5) ─ Reshape [g², C·p·p]
 *         ─ DynamicQuantizeMatMul(W as [C·p·p, D] int8 per column, bias) ─ Reshape [1, g², D]
 *
 * The input's activations are quantized per tensor to 8 bits; for an image that is about the
 * source's own 8-bit step (normalised pixels span ~3.9 units over 255 levels). Batch 1 and a
 * static input size only (the official export's); anything else stays a float Conv.
 */
import { ConstantFolder, GraphIndex, attrInt, attrInts, removeDeadCode } from './graph-tools.ts';
import { DT, OnnxModel, tensorProto, toNum, type GraphProto, type NodeProto } from './onnx-model.ts';
import { quantizePerColumn } from './int8.ts';
import { ShapeValues, permOf } from './shape-values.ts';

export interface QuantizedPatchEmbedding {
  node: string;
  weight: string;
  patch: number;
  grid: number;
  channels: number;
  dim: number;
}

/** Each graph input's dims (0 where symbolic). */
function graphInputDims(graph: GraphProto): Map<string, number[]> {
  return new Map((graph.input ?? []).map((i) => [i.name ?? '', (i.type?.tensorType?.shape?.dim ?? []).map((d) => toNum(d.dimValue))]));
}

/** The static dims of a graph input (through Cast/Identity), or null. */
function inputDims(index: GraphIndex, name: string, inputs: Map<string, number[]>): number[] | null {
  let cur = name;
  for (let guard = 0; guard < 4; guard++) {
    const dims = inputs.get(cur);
    if (dims) return dims.every((d) => d > 0) ? dims : null;
    const p = index.producer.get(cur);
    if (!p || (p.opType !== 'Cast' && p.opType !== 'Identity')) return null;
    cur = p.input?.[0] ?? '';
  }
  return null;
}

export async function quantizePatchEmbedding(model: OnnxModel): Promise<QuantizedPatchEmbedding[]> {
  const graph = model.graph;
  const inputs = graphInputDims(graph);
  const index = new GraphIndex(graph);
  const folder = new ConstantFolder(model, index);
  const done: QuantizedPatchEmbedding[] = [];
  const replacements = new Map<NodeProto, NodeProto[]>();
  const newInits: ReturnType<typeof tensorProto>[] = [];
  for (const conv of graph.node ?? []) {
    if (conv.opType !== 'Conv') continue;
    const [x, wName, bName] = conv.input ?? [];
    const dims = x ? inputDims(index, x, inputs) : null;
    const w = wName ? await folder.value(wName) : null;
    if (!dims || dims.length !== 4 || dims[0] !== 1 || !w || w.dims.length !== 4 || !(w.data instanceof Float32Array)) continue;
    const [d, c, kh, kw] = w.dims as [number, number, number, number];
    const p = kh;
    const strides = attrInts(conv, 'strides') ?? [1, 1];
    const pads = attrInts(conv, 'pads') ?? [0, 0, 0, 0];
    const dil = attrInts(conv, 'dilations') ?? [1, 1];
    const [, cin, h, wd] = dims as [number, number, number, number];
    if (kw !== p || p < 2 || strides.some((s) => s !== p) || pads.some((v) => v !== 0) || dil.some((v) => v !== 1) || attrInt(conv, 'group', 1) !== 1) continue;
    if (cin !== c || h !== wd || h % p !== 0) continue;
    const g = h / p;
    // The tokens: Reshape to [1, D, g²] then Transpose(0, 2, 1), each the only user of the last.
    const users = index.consumersOf(conv.output![0]!);
    const reshape = users.length === 1 && users[0]!.opType === 'Reshape' ? users[0]! : undefined;
    const target = reshape ? await new ShapeValues(folder, index).known(reshape.input![1] ?? '') : null;
    const tokensShape = (t: number[]): boolean => t.length === 3 && [1, 0, -1].includes(t[0]!) && [d, 0].includes(t[1]!) && [g * g, -1].includes(t[2]!) && t.filter((v) => v === -1).length <= 1;
    if (!reshape || !target || !tokensShape(target)) continue;
    const tUsers = index.consumersOf(reshape.output![0]!);
    const tokens = tUsers.length === 1 && tUsers[0]!.opType === 'Transpose' && permOf(tUsers[0]!, 3).join() === '0,2,1' ? tUsers[0]! : undefined;
    if (!tokens || index.outputs.has(reshape.output![0]!)) continue;
    const bias = bName ? await folder.value(bName) : null;
    if (bName && (!bias || !(bias.data instanceof Float32Array) || bias.data.length !== d)) continue;

    // W [D, C·p·p] is the nn.Linear layout: quantize it transposed, one scale per output channel.
    const k = c * p * p;
    const { values, scales } = quantizePerColumn(w.data, d, k, true);
    const id = `${conv.name || conv.output![0]}/PatchMatMul`;
    const names = ['weight_int8', 'weight_scale', 'bias', 'patches_shape', 'rows_shape', 'tokens_shape'].map((s) => `${id}/${s}`) as [string, string, string, string, string, string];
    newInits.push(
      tensorProto(names[0], [k, d], DT.INT8, values),
      tensorProto(names[1], [d], DT.FLOAT, scales),
      tensorProto(names[2], [d], DT.FLOAT, bias ? Float32Array.from(bias.data as Float32Array) : new Float32Array(d)),
      tensorProto(names[3], [6], DT.INT64, BigInt64Array.from([1, c, g, p, g, p], BigInt)),
      tensorProto(names[4], [2], DT.INT64, BigInt64Array.from([g * g, k], BigInt)),
      tensorProto(names[5], [3], DT.INT64, BigInt64Array.from([1, g * g, d], BigInt)),
    );
    const [a, b, rows, prod] = ['grid', 'patches', 'rows', 'product'].map((s) => `${id}/${s}`) as [string, string, string, string];
    replacements.set(tokens, [
      { opType: 'Reshape', domain: '', name: `${id}/Reshape`, input: [x!, names[3]], output: [a] },
      { opType: 'Transpose', domain: '', name: `${id}/Transpose`, input: [a], output: [b], attribute: [{ name: 'perm', type: 7 /* INTS */, ints: [0, 2, 4, 1, 3, 5] }] },
      { opType: 'Reshape', domain: '', name: `${id}/Reshape_rows`, input: [b, names[4]], output: [rows] },
      { opType: 'DynamicQuantizeMatMul', domain: 'com.microsoft', name: id, input: [rows, names[0], names[1], '', names[2]], output: [prod] },
      { opType: 'Reshape', domain: '', name: `${id}/Reshape_tokens`, input: [prod, names[5]], output: [tokens.output![0]!] },
    ]);
    done.push({ node: conv.name || conv.output![0]!, weight: folder.sourceInitializer(wName!)?.name ?? wName!, patch: p, grid: g, channels: c, dim: d });
  }
  if (done.length === 0) return done;
  graph.node = (graph.node ?? []).flatMap((n) => replacements.get(n) ?? [n]);
  graph.initializer = [...(graph.initializer ?? []), ...newInits];
  removeDeadCode(graph);
  if (!(model.proto.opsetImport ?? []).some((o) => o.domain === 'com.microsoft')) {
    model.proto.opsetImport = [...(model.proto.opsetImport ?? []), { domain: 'com.microsoft', version: 1 }];
  }
  return done;
}
