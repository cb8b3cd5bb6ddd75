/**
 * Folds the scalar arithmetic around convolutions that exporters leave as separate ops, so a CPU
 * runs one convolution kernel where it ran a convolution and five passes over its output.
 *
 * The PP-OCR graphs (PP-LCNetV3 backbones, exported by paddle2onnx) wrap every activation in a
 * "learnable affine block" — a multiply and an add by one learned scalar each — and spell
 * hard-swish out as x · clip(x + 3, 0, 6) / 6. Per convolution that is Mul, Add, Add, Clip, Mul,
 * Div, Mul, Add over the whole feature map: in ONNX Runtime on a CPU those element-wise passes
 * took ~47 % of the detector's time and ~58 % of the recogniser's, more than the convolutions
 * (docs/decisions/ocr.md, "Folding the scalar arithmetic"). Three rewrites, each exact in real
 * arithmetic (only float rounding differs):
 *
 *   1. Conv → Mul(s) → Add(b)            ⇒ Conv with weights · s and bias · s + b
 *   2. x → Add(3) → Clip(0, 6) → Mul(x) → Div(6)
 *                                        ⇒ x · HardSigmoid(x; α = 1/6, β = 1/2), which ONNX Runtime
 *                                          runs as one fused hard-swish (HardSigmoid exists from
 *                                          opset 6; HardSwish itself needs 14, and bumping an old
 *                                          graph's opset changes other ops' meaning)
 *   3. Mul(s) → Add(b) → Conv            ⇒ Conv with weights · s and bias + b · Σ weights, when the
 *                                          convolution pads nothing; with padding the zeros it pads
 *                                          would no longer be zeros after the shift, so only the
 *                                          scale goes into the weights and the shift b / s stays,
 *                                          as a BatchNormalization (see there)
 *
 * Only nodes whose intermediate values feed nothing else are folded; anything that does not match
 * exactly is left as it was.
 */
import { attr, attrInt, attrInts, ConstantFolder, GraphIndex, removeDeadCode } from './graph-tools.ts';
import { DT, onnx, OnnxModel, tensorProto, type NodeProto, type TensorProto } from './onnx-model.ts';

export interface FoldReport {
  /** Conv → Mul → Add after a convolution, folded into it. */
  affineAfterConv: number;
  /** Hard-swish chains made x · HardSigmoid(x). */
  hardSwish: number;
  /** Mul → Add before a convolution, folded into it (wholly, or all but one Add where it pads). */
  affineBeforeConv: number;
  nodesBefore: number;
  nodesAfter: number;
}

const F = DT.FLOAT;
const FLOAT_ATTR = onnx.AttributeProto.AttributeType.FLOAT;

class Rewriter {
  index: GraphIndex;
  folder: ConstantFolder;
  private readonly dropped = new Set<NodeProto>();
  private serial = 0;

  constructor(private readonly model: OnnxModel) {
    this.index = new GraphIndex(model.graph);
    this.folder = new ConstantFolder(model, this.index);
  }

  /** Re-reads the graph after a pass: drops the nodes the pass folded away. */
  refresh(): void {
    this.model.graph.node = (this.model.graph.node ?? []).filter((n) => !this.dropped.has(n));
    this.dropped.clear();
    this.index = new GraphIndex(this.model.graph);
    this.folder = new ConstantFolder(this.model, this.index);
  }

  drop(...nodes: NodeProto[]): void {
    for (const n of nodes) this.dropped.add(n);
  }

  /** The one node reading `value`, when exactly one does and it is not a graph output. */
  soleConsumer(value: string, op: string): NodeProto | null {
    if (this.index.outputs.has(value)) return null;
    const users = this.index.consumersOf(value);
    return users.length === 1 && users[0]!.opType === op && !this.dropped.has(users[0]!) ? users[0]! : null;
  }

  /** A float constant holding one value (any rank), or null. */
  async scalar(name: string | undefined): Promise<number | null> {
    if (!name) return null;
    const t = await this.folder.value(name);
    return t && t.data instanceof Float32Array && t.data.length === 1 ? t.data[0]! : null;
  }

  /** The input of a binary node that is not `value`, and the scalar it holds. */
  async otherScalar(node: NodeProto, value: string): Promise<number | null> {
    const ins = node.input ?? [];
    if (ins.length !== 2) return null;
    const other = ins[0] === value ? ins[1] : ins[1] === value ? ins[0] : undefined;
    return this.scalar(other);
  }

  /** A convolution's float weights and bias (zeros when it has none), or null when not constant. */
  async weights(conv: NodeProto): Promise<{ w: Float32Array; dims: number[]; bias: Float32Array } | null> {
    const [, wName, bName] = conv.input ?? [];
    const w = wName ? await this.folder.value(wName) : null;
    if (!w || !(w.data instanceof Float32Array) || w.dims.length !== 4) return null;
    const outC = w.dims[0]!;
    const b = bName ? await this.folder.value(bName) : null;
    if (bName && (!b || !(b.data instanceof Float32Array) || b.data.length !== outC)) return null;
    return { w: w.data, dims: w.dims, bias: b ? (b.data as Float32Array) : new Float32Array(outC) };
  }

  addInitializers(...tensors: TensorProto[]): void {
    (this.model.graph.initializer ??= []).push(...tensors);
  }

  setWeights(conv: NodeProto, w: Float32Array, dims: number[], bias: Float32Array): void {
    const base = `${conv.output![0]}_folded${this.serial++}`;
    this.addInitializers(tensorProto(`${base}_w`, dims, F, w), tensorProto(`${base}_b`, [bias.length], F, bias));
    conv.input = [conv.input![0]!, `${base}_w`, `${base}_b`];
  }

  /** Points every reader of `from` at `to` instead. */
  rename(from: string, to: string): void {
    for (const n of this.index.consumersOf(from)) n.input = (n.input ?? []).map((i) => (i === from ? to : i));
  }
}

const scaled = (w: Float32Array, s: number): Float32Array => w.map((v) => v * s);

/** 1. An affine after a convolution goes into its weights and bias. */
async function foldAfterConv(r: Rewriter): Promise<number> {
  let n = 0;
  for (const conv of r.index.graph.node ?? []) {
    if (conv.opType !== 'Conv') continue;
    const out = conv.output![0]!;
    const mul = r.soleConsumer(out, 'Mul');
    const s = mul ? await r.otherScalar(mul, out) : null;
    if (!mul || s === null) continue;
    const wb = await r.weights(conv);
    if (!wb) continue;
    const add = r.soleConsumer(mul.output![0]!, 'Add');
    const b = add ? await r.otherScalar(add, mul.output![0]!) : null;
    const last = add && b !== null ? add : mul;
    if (r.index.outputs.has(last.output![0]!)) continue;
    r.setWeights(conv, scaled(wb.w, s), wb.dims, wb.bias.map((v) => v * s + (b ?? 0)));
    r.rename(last.output![0]!, out);
    r.drop(mul, ...(last === add ? [add] : []));
    n++;
  }
  return n;
}

async function clipBounds(r: Rewriter, clip: NodeProto): Promise<[number | null, number | null]> {
  const ins = clip.input ?? [];
  // Opset 11 moved the bounds from attributes to inputs.
  const lo = ins[1] ? await r.scalar(ins[1]) : (attr(clip, 'min')?.f ?? null);
  const hi = ins[2] ? await r.scalar(ins[2]) : (attr(clip, 'max')?.f ?? null);
  return [lo, hi];
}

/** 2. x · clip(x + 3, 0, 6) / 6 becomes x · HardSigmoid(x). */
async function foldHardSwish(r: Rewriter): Promise<number> {
  let n = 0;
  for (const add of r.index.graph.node ?? []) {
    if (add.opType !== 'Add' || (add.input ?? []).length !== 2) continue;
    const [x, three] = add.input as [string, string];
    if ((await r.scalar(three)) !== 3) continue;
    const clip = r.soleConsumer(add.output![0]!, 'Clip');
    if (!clip || (clip.input ?? [])[0] !== add.output![0]) continue;
    const [lo, hi] = await clipBounds(r, clip);
    if (lo !== 0 || hi !== 6) continue;
    const mul = r.soleConsumer(clip.output![0]!, 'Mul');
    if (!mul || new Set(mul.input).size !== 2 || !(mul.input ?? []).includes(x) || !(mul.input ?? []).includes(clip.output![0]!)) continue;
    const div = r.soleConsumer(mul.output![0]!, 'Div');
    if (!div || (div.input ?? [])[0] !== mul.output![0] || (await r.scalar(div.input![1])) !== 6) continue;
    add.opType = 'HardSigmoid';
    add.input = [x];
    add.attribute = [
      { name: 'alpha', type: FLOAT_ATTR, f: 1 / 6 },
      { name: 'beta', type: FLOAT_ATTR, f: 0.5 },
    ];
    div.opType = 'Mul';
    div.input = [x, add.output![0]!];
    div.attribute = [];
    r.drop(clip, mul);
    n++;
  }
  return n;
}

function padsNothing(conv: NodeProto): boolean {
  const autoPad = attr(conv, 'auto_pad')?.s;
  const mode = autoPad ? new TextDecoder().decode(autoPad) : 'NOTSET';
  return (mode === 'NOTSET' || mode === 'VALID') && (attrInts(conv, 'pads') ?? []).every((p) => p === 0);
}

/** 3. An affine before a convolution goes into its weights (and bias, when it pads nothing). */
async function foldBeforeConv(r: Rewriter): Promise<number> {
  let n = 0;
  for (const mul of r.index.graph.node ?? []) {
    if (mul.opType !== 'Mul' || (mul.input ?? []).length !== 2) continue;
    const [a, b2] = mul.input as [string, string];
    const sa = await r.scalar(a);
    const sb = await r.scalar(b2);
    if ((sa === null) === (sb === null)) continue; // exactly one side a scalar
    const x = sa === null ? a : b2;
    const s = (sa ?? sb)!;
    const add = r.soleConsumer(mul.output![0]!, 'Add');
    const b = add ? await r.otherScalar(add, mul.output![0]!) : null;
    if (!add || b === null) continue;
    const conv = r.soleConsumer(add.output![0]!, 'Conv');
    if (!conv || conv.input![0] !== add.output![0]) continue;
    const wb = await r.weights(conv);
    if (!wb) continue;
    if (padsNothing(conv)) {
      const perOut = wb.w.length / wb.dims[0]!;
      const bias = wb.bias.map((v, o) => {
        let sum = 0;
        for (let k = o * perOut; k < (o + 1) * perOut; k++) sum += wb.w[k]!;
        return v + b * sum;
      });
      r.setWeights(conv, scaled(wb.w, s), wb.dims, bias);
      conv.input![0] = x;
      r.drop(mul, add);
    } else {
      if (s === 0) continue;
      r.setWeights(conv, scaled(wb.w, s), wb.dims, wb.bias);
      // The shift as a BatchNormalization (scale 1, mean 0, variance 1, ε 0: exactly x + b/s)
      // rather than a scalar Add: ONNX Runtime runs it as a 1×1 depthwise convolution in its
      // convolutions' blocked layout, where an Add reordered the map out of it and back
      // (detector 7 %, recogniser 13 % faster than with the Add). cuDNN clamps ε to 10⁻⁵ on CUDA:
      // a 5 × 10⁻⁶ relative difference there.
      const channels = wb.dims[1]! * attrInt(conv, 'group', 1);
      const name = `${mul.output![0]}_shift${n}`;
      const filled = (v: number): Float32Array => new Float32Array(channels).fill(v);
      const params = (['scale', 'bias', 'mean', 'var'] as const).map((k) => `${name}_${k}`);
      r.addInitializers(...[filled(1), filled(b / s), filled(0), filled(1)].map((v, i) => tensorProto(params[i]!, [channels], F, v)));
      mul.opType = 'BatchNormalization';
      mul.input = [x, ...params];
      mul.attribute = [{ name: 'epsilon', type: FLOAT_ATTR, f: 0 }];
      conv.input![0] = mul.output![0]!;
      r.drop(add);
    }
    n++;
  }
  return n;
}

/** Rewrites `model` in place; returns what was folded. */
export async function foldConvAffine(model: OnnxModel): Promise<FoldReport> {
  const nodesBefore = (model.graph.node ?? []).length;
  const r = new Rewriter(model);
  const affineAfterConv = await foldAfterConv(r);
  r.refresh();
  const hardSwish = await foldHardSwish(r);
  r.refresh();
  const affineBeforeConv = await foldBeforeConv(r);
  r.refresh();
  removeDeadCode(model.graph);
  return { affineAfterConv, hardSwish, affineBeforeConv, nodesBefore, nodesAfter: (model.graph.node ?? []).length };
}

/** The bytes of an ONNX graph with the folds above applied (`label` names it in errors). */
export async function foldedGraphBytes(bytes: Uint8Array, label: string): Promise<{ bytes: Uint8Array; report: FoldReport }> {
  const model = OnnxModel.fromBytes(bytes, label);
  const report = await foldConvAffine(model);
  return { bytes: model.encode(), report };
}
