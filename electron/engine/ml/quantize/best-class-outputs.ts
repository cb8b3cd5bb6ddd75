/**
 * Gives a classifier graph the answer a greedy decoder wants instead of its whole distribution:
 * for each step, the index of the most likely class (ArgMax) and its probability (ReduceMax) over
 * the last axis.
 *
 * The PP-OCR recogniser ends in a softmax over 6 625 classes at every step: a batch of six 960 px
 * lines is 6 × 120 × 6 625 floats, 18 MB that ONNX Runtime copied into a fresh JS buffer per run
 * and that JS then scanned for its maxima, ~7 % on top of the graph's own time
 * (docs/decisions/ocr.md, "Stop 30"). Computed inside the graph, what leaves it is 2 × 6 × 120
 * values, and the softmax's output becomes an intermediate the arena reuses. Exact: ArgMax
 * returns the first index of the maximum (the decoder's own rule), ReduceMax the maximum itself.
 */
import { onnx, OnnxModel, toNum, type TypeProto } from './onnx-model.ts';

export interface BestClassOutputs {
  /** int64 [..., steps]: the most likely class at each step. */
  index: string;
  /** float [..., steps]: its probability. */
  prob: string;
  /** Classes on the last axis of the output they were taken from. */
  classes: number;
}

/**
 * Rewrites `model` in place so that its output `output` (float, rank 3, a fixed number of classes
 * on its last axis) is replaced by its per-step best class and probability. Throws when the
 * output is not such a tensor.
 */
export function appendBestClass(model: OnnxModel, output: string): BestClassOutputs {
  const g = model.graph;
  const out = (g.output ?? []).find((o) => o.name === output);
  const type = out?.type?.tensorType;
  const dims = type?.shape?.dim ?? [];
  if (!out || type?.elemType !== onnx.TensorProto.DataType.FLOAT || dims.length !== 3) throw new Error(`${output} is not a rank-3 float output of the graph`);
  const classes = toNum(dims[2]!.dimValue);
  if (!(classes > 1)) throw new Error(`${output} has no fixed number of classes on its last axis`);
  // ArgMax and ReduceMax keep these attributes from opset 1 to 12 (the recogniser is opset 9);
  // from opset 13 on, ReduceMax's axes move to an input in 18. One form for the graphs in use.
  const opset = model.opsetVersion();
  if (opset < 1 || opset > 17) throw new Error(`opset ${opset} is not one this rewrite knows`);
  const index = `${output}.best_index`;
  const prob = `${output}.best_prob`;
  const axis = { name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 2 };
  const axes = { name: 'axes', type: onnx.AttributeProto.AttributeType.INTS, ints: [2] };
  const keepdims = { name: 'keepdims', type: onnx.AttributeProto.AttributeType.INT, i: 0 };
  g.node = [
    ...(g.node ?? []),
    { opType: 'ArgMax', name: `${output}.argmax`, input: [output], output: [index], attribute: [axis, keepdims] },
    { opType: 'ReduceMax', name: `${output}.max`, input: [output], output: [prob], attribute: [axes, keepdims] },
  ];
  const steps = (elemType: number): TypeProto => ({ tensorType: { elemType, shape: { dim: [dims[0]!, dims[1]!] } } });
  g.output = (g.output ?? []).flatMap((o) =>
    o.name === output
      ? [
          { name: index, type: steps(onnx.TensorProto.DataType.INT64) },
          { name: prob, type: steps(onnx.TensorProto.DataType.FLOAT) },
        ]
      : [o],
  );
  return { index, prob, classes };
}

/** The bytes of a graph with `output` answered as its best class per step (see appendBestClass). */
export function bestClassGraphBytes(bytes: Uint8Array, output: string, label: string): { bytes: Uint8Array; outputs: BestClassOutputs } {
  const model = OnnxModel.fromBytes(bytes, label);
  const outputs = appendBestClass(model, output);
  return { bytes: model.encode(), outputs };
}
