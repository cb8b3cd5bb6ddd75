/**
 * Makes a fixed-length text graph (the official export takes `text` [1, 52]) accept shorter
 * sequences [1, n ≤ 52], so a 6-token tag prompt costs 6 positions of attention and MLP instead of
 * 52. The Chinese-CLIP text tower masks [PAD] positions out of attention (the mask is computed from
 * the ids) and reads the [CLS] vector, so trailing padding cannot change the result — but the
 * tracer baked the context length into the graph, and those constants must follow n:
 *
 *  - Reshape shapes that spell it ([1, 52, 12, 64], [1, 52, 768]) get -1 in its place;
 *  - constants with a 52-long axis (position ids [52], token types [1, 52], folded position
 *    tables) are sliced to n, n read from Shape(text) at run time;
 *  - Slice ends equal to 52 (Hugging Face style `position_ids[:, :52]`) become n.
 *
 * This is a rewrite, not a proof: whoever uses the result must prove parity on that graph
 * (./parity.ts) before turning it on, because a tower that pools over all positions, or one whose
 * mask is a constant, would give different vectors for different n.
 */
import { ConstantFolder, GraphIndex, removeDeadCode, topoSort } from './graph-tools.ts';
import { DT, onnx, tensorProto, type NodeProto, type OnnxModel, type Tensor } from './onnx-model.ts';

export interface VariableLengthReport {
  reshapes: number;
  slicedConstants: string[];
  sliceEnds: number;
}

export class VariableLengthError extends Error {}

const WEIGHT_SLOTS = new Set(['MatMul', 'Gemm', 'Conv']);

function constantTensorNode(name: string, t: Tensor): NodeProto {
  return {
    opType: 'Constant',
    name: `${name}/node`,
    output: [name],
    attribute: [{ name: 'value', type: onnx.AttributeProto.AttributeType.TENSOR, t: tensorProto('', t.dims, t.dataType, t.data) }],
  };
}

const ints = (t: Tensor): number[] => Array.from(t.data as ArrayLike<number | bigint>, Number);

export async function makeTextVariableLength(model: OnnxModel, inputName: string, contextLength: number): Promise<VariableLengthReport> {
  const graph = model.graph;
  const input = (graph.input ?? []).find((i) => i.name === inputName);
  const dims = input?.type?.tensorType?.shape?.dim;
  if (!input || !dims || dims.length !== 2) throw new VariableLengthError(`text input "${inputName}" with shape [batch, length] not found`);
  const seqDim = dims[1]!;
  if (seqDim.dimParam) throw new VariableLengthError(`text input "${inputName}" already has a variable length (${seqDim.dimParam})`);
  if (Number(seqDim.dimValue) !== contextLength) throw new VariableLengthError(`text input "${inputName}" is ${String(seqDim.dimValue)} long, the manifest says ${contextLength}`);

  const index = new GraphIndex(graph);
  const folder = new ConstantFolder(model, index);
  const L = contextLength;
  const report: VariableLengthReport = { reshapes: 0, slicedConstants: [], sliceEnds: 0 };
  const added: NodeProto[] = [];

  // n = Shape(text)[1], as a 1-D int64 tensor.
  const seqLen = '__shiguang_seq_len';
  added.push(
    { opType: 'Shape', name: `${seqLen}/shape`, input: [inputName], output: [`${seqLen}/shape_out`] },
    constantTensorNode(`${seqLen}/axis1`, { dims: [1], dataType: DT.INT64, data: BigInt64Array.of(1n) }),
    { opType: 'Gather', name: `${seqLen}/gather`, input: [`${seqLen}/shape_out`, `${seqLen}/axis1`], output: [seqLen], attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 0 }] },
  );
  const zero = `${seqLen}/zero`;
  added.push(constantTensorNode(zero, { dims: [1], dataType: DT.INT64, data: BigInt64Array.of(0n) }));

  const rewired = new Map<string, string>(); // constant → its sliced replacement
  const sliceOf = async (name: string, t: Tensor): Promise<string | null> => {
    const axes = t.dims.map((d, i) => (d === L ? i : -1)).filter((i) => i >= 0);
    if (axes.length !== 1) return null;
    const done = rewired.get(name);
    if (done) return done;
    const out = `${name}__to_seq_len`;
    const axis = `${out}/axis`;
    added.push(
      constantTensorNode(axis, { dims: [1], dataType: DT.INT64, data: BigInt64Array.of(BigInt(axes[0]!)) }),
      { opType: 'Slice', name: `${out}/slice`, input: [name, zero, seqLen, axis], output: [out] },
    );
    rewired.set(name, out);
    report.slicedConstants.push(name);
    return out;
  };

  for (const node of graph.node ?? []) {
    const op = node.opType ?? '';
    const inputs = node.input ?? [];
    if (op === 'Reshape' && inputs[1]) {
      const shape = await folder.value(inputs[1]);
      if (!shape) continue;
      const values = ints(shape);
      const at = values.flatMap((v, i) => (v === L ? [i] : []));
      if (at.length === 0) continue;
      if (at.length > 1 || values.includes(-1)) throw new VariableLengthError(`Reshape ${node.name}: shape [${values}] has the length ${L} where -1 cannot stand for it`);
      values[at[0]!] = -1;
      const name = `${inputs[1]}__variable_length_${report.reshapes}`;
      added.push(constantTensorNode(name, { dims: shape.dims, dataType: DT.INT64, data: BigInt64Array.from(values, (v) => BigInt(v)) }));
      inputs[1] = name;
      report.reshapes++;
      continue;
    }
    if (op === 'Slice' && inputs[2]) {
      const ends = await folder.value(inputs[2]);
      if (ends && ends.data.length === 1 && ints(ends)[0] === L) {
        inputs[2] = seqLen;
        report.sliceEnds++;
      }
    }
    for (let i = 0; i < inputs.length; i++) {
      const name = inputs[i]!;
      if (!name || name === inputName || (WEIGHT_SLOTS.has(op) && i > 0) || (op === 'Slice' && i > 0) || (op === 'Expand' && i === 1)) continue;
      const isConstant = index.initializers.has(name) || index.producer.get(name)?.opType === 'Constant';
      if (!isConstant) continue;
      const t = await folder.value(name);
      if (!t || !t.dims.includes(L)) continue;
      const sliced = await sliceOf(name, t);
      if (sliced) inputs[i] = sliced;
    }
  }

  seqDim.dimValue = null;
  seqDim.dimParam = 'sequence';
  graph.valueInfo = []; // shapes recorded for length 52 would contradict; onnxruntime re-infers them
  graph.node = [...(graph.node ?? []), ...added];
  topoSort(graph);
  removeDeadCode(graph); // the replaced 52-long constants
  return report;
}
