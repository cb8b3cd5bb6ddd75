/**
 * What a graph rewrite needs to know about a graph: who produces and who consumes each value,
 * attribute access, the values of constant subgraphs, and dead-node removal.
 *
 * Constant evaluation exists because the official image export is traced without constant
 * folding: a MatMul's weight arrives as Transpose(initializer), sometimes through Identity (the
 * exporter's deduplication of identical tensors) or Cast, so "is B a constant, and what is it?"
 * needs a small evaluator over the ops such subgraphs are made of.
 */
import { DT, OnnxModel, toNum, type AttributeProto, type GraphProto, type NodeProto, type Tensor, type TensorProto } from './onnx-model.ts';

export function attr(node: NodeProto, name: string): AttributeProto | undefined {
  return (node.attribute ?? []).find((a) => a.name === name);
}
export const attrInt = (node: NodeProto, name: string, dflt: number): number => {
  const a = attr(node, name);
  return a ? toNum(a.i) : dflt;
};
export const attrFloat = (node: NodeProto, name: string, dflt: number): number => attr(node, name)?.f ?? dflt;
export const attrInts = (node: NodeProto, name: string): number[] | undefined => attr(node, name)?.ints?.map(toNum);

export class GraphIndex {
  readonly producer = new Map<string, NodeProto>();
  readonly consumers = new Map<string, NodeProto[]>();
  readonly initializers = new Map<string, TensorProto>();
  readonly outputs: Set<string>;

  constructor(readonly graph: GraphProto) {
    for (const t of graph.initializer ?? []) this.initializers.set(t.name ?? '', t);
    for (const n of graph.node ?? []) {
      for (const o of n.output ?? []) this.producer.set(o, n);
      for (const i of n.input ?? []) {
        if (!i) continue;
        const list = this.consumers.get(i) ?? [];
        list.push(n);
        this.consumers.set(i, list);
      }
    }
    this.outputs = new Set((graph.output ?? []).map((o) => o.name ?? ''));
  }

  consumersOf(name: string): NodeProto[] {
    return this.consumers.get(name) ?? [];
  }
}

/** Float32 N-D transpose by `perm` (numpy semantics). */
export function transpose(t: Tensor, perm: number[]): Tensor {
  const { dims, data } = t;
  const rank = dims.length;
  const outDims = perm.map((p) => dims[p]!);
  const inStrides = new Array<number>(rank).fill(1);
  for (let i = rank - 2; i >= 0; i--) inStrides[i] = inStrides[i + 1]! * dims[i + 1]!;
  const out = new (data.constructor as new (n: number) => typeof data)(data.length);
  if (rank === 2 && perm[0] === 1) {
    const [r, c] = dims as [number, number];
    for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) (out as Float32Array)[j * r + i] = (data as Float32Array)[i * c + j]!;
    return { dims: outDims, dataType: t.dataType, data: out };
  }
  const idx = new Array<number>(rank).fill(0);
  for (let o = 0; o < data.length; o++) {
    let src = 0;
    for (let k = 0; k < rank; k++) src += idx[k]! * inStrides[perm[k]!]!;
    (out as Float32Array)[o] = (data as Float32Array)[src]!;
    for (let k = rank - 1; k >= 0; k--) {
      if (++idx[k]! < outDims[k]!) break;
      idx[k] = 0;
    }
  }
  return { dims: outDims, dataType: t.dataType, data: out };
}

function reshapeDims(from: number[], shape: number[]): number[] {
  const total = from.reduce((a, b) => a * b, 1);
  const dims = shape.map((d, i) => (d === 0 ? from[i]! : d));
  const known = dims.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  return dims.map((d) => (d === -1 ? total / known : d));
}

const intValues = (t: Tensor): number[] => Array.from(t.data as ArrayLike<number | bigint>, (v) => Number(v));

/**
 * Values of constant subgraphs: initializers, Constant nodes, and the shape-only or elementwise
 * ops exporters put between a weight and its consumer. Anything else is "not a constant" (null),
 * which simply leaves the consumer as it was.
 */
const MEMO_MAX_ELEMENTS = 1 << 16;

export class ConstantFolder {
  private readonly memo = new Map<string, Promise<Tensor | null>>();

  constructor(
    private readonly model: OnnxModel,
    private readonly index: GraphIndex,
  ) {}

  value(name: string): Promise<Tensor | null> {
    let v = this.memo.get(name);
    if (!v) {
      v = this.compute(name);
      this.memo.set(name, v);
      // Only small values (shapes, axes, biases) stay cached: a weight is wanted once, and keeping
      // every (transposed) weight of a multi-GB export alive would hold all of it in memory.
      void v.then((t) => {
        if (t && t.data.length > MEMO_MAX_ELEMENTS) this.memo.delete(name);
      }, () => undefined);
    }
    return v;
  }

  /** The initializer a constant ultimately comes from (through Identity/Transpose/Cast/…), if one. */
  sourceInitializer(name: string): TensorProto | undefined {
    const seen = new Set<string>();
    let cur = name;
    while (!seen.has(cur)) {
      seen.add(cur);
      const init = this.index.initializers.get(cur);
      if (init) return init;
      const n = this.index.producer.get(cur);
      if (!n || !['Identity', 'Transpose', 'Cast', 'Reshape', 'Unsqueeze', 'Squeeze'].includes(n.opType ?? '')) return undefined;
      cur = n.input?.[0] ?? '';
    }
    return undefined;
  }

  private async compute(name: string): Promise<Tensor | null> {
    const init = this.index.initializers.get(name);
    if (init) return this.model.readTensor(init);
    const node = this.index.producer.get(name);
    if (!node) return null; // a graph input
    const op = node.opType ?? '';
    if (op === 'Constant') {
      const a = node.attribute?.[0];
      if (!a) return null;
      if (a.name === 'value' && a.t) return this.model.readTensor(a.t);
      if (a.name === 'value_float') return { dims: [], dataType: DT.FLOAT, data: Float32Array.of(a.f ?? 0) };
      if (a.name === 'value_floats') return { dims: [a.floats?.length ?? 0], dataType: DT.FLOAT, data: Float32Array.from(a.floats ?? []) };
      if (a.name === 'value_int') return { dims: [], dataType: DT.INT64, data: BigInt64Array.of(BigInt(toNum(a.i))) };
      if (a.name === 'value_ints') return { dims: [a.ints?.length ?? 0], dataType: DT.INT64, data: BigInt64Array.from((a.ints ?? []).map((v) => BigInt(toNum(v)))) };
      return null;
    }
    const inputs = node.input ?? [];
    const x = inputs[0] ? await this.value(inputs[0]) : null;
    if (!x) return null;
    switch (op) {
      case 'Identity':
        return x;
      case 'Transpose': {
        const perm = attrInts(node, 'perm') ?? x.dims.map((_, i) => x.dims.length - 1 - i);
        return transpose(x, perm);
      }
      case 'Cast': {
        const to = attrInt(node, 'to', DT.FLOAT);
        if (to === DT.FLOAT || to === DT.FLOAT16 || to === DT.DOUBLE) {
          return x.data instanceof Float32Array ? x : { dims: x.dims, dataType: DT.FLOAT, data: Float32Array.from(x.data as ArrayLike<number>, Number) };
        }
        if (to === DT.INT64 && !(x.data instanceof Float32Array)) return { dims: x.dims, dataType: DT.INT64, data: BigInt64Array.from(intValues(x), (v) => BigInt(v)) };
        return null;
      }
      case 'Reshape': {
        const shape = inputs[1] ? await this.value(inputs[1]) : null;
        return shape ? { ...x, dims: reshapeDims(x.dims, intValues(shape)) } : null;
      }
      case 'Unsqueeze':
      case 'Squeeze': {
        const axesT = inputs[1] ? await this.value(inputs[1]) : null;
        const axes = axesT ? intValues(axesT) : (attrInts(node, 'axes') ?? []);
        if (op === 'Squeeze') {
          const norm = axes.map((a) => (a < 0 ? a + x.dims.length : a));
          return { ...x, dims: x.dims.filter((d, i) => (axes.length ? !norm.includes(i) : d !== 1)) };
        }
        const rank = x.dims.length + axes.length;
        const norm = new Set(axes.map((a) => (a < 0 ? a + rank : a)));
        const dims: number[] = [];
        let src = 0;
        for (let i = 0; i < rank; i++) dims.push(norm.has(i) ? 1 : x.dims[src++]!);
        return { ...x, dims };
      }
      default:
        return null;
    }
  }
}

/** Drops nodes whose outputs nobody needs (walking back from the graph outputs) and unused initializers. */
export function removeDeadCode(graph: GraphProto): { nodes: number; initializers: number } {
  const needed = new Set((graph.output ?? []).map((o) => o.name ?? ''));
  const nodes = graph.node ?? [];
  const keep: NodeProto[] = [];
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i]!;
    if ((n.output ?? []).some((o) => needed.has(o))) {
      keep.push(n);
      for (const input of n.input ?? []) if (input) needed.add(input);
    }
  }
  keep.reverse();
  const inits = graph.initializer ?? [];
  const liveInits = inits.filter((t) => needed.has(t.name ?? ''));
  const removed = { nodes: nodes.length - keep.length, initializers: inits.length - liveInits.length };
  graph.node = keep;
  graph.initializer = liveInits;
  graph.valueInfo = (graph.valueInfo ?? []).filter((v) => needed.has(v.name ?? ''));
  return removed;
}

/**
 * Orders nodes so that every input is produced before it is used (ONNX requires it), keeping the
 * existing order wherever it already is valid. Needed after a rewrite adds nodes in one place.
 */
export function topoSort(graph: GraphProto): void {
  const nodes = graph.node ?? [];
  const available = new Set<string>([...(graph.input ?? []).map((i) => i.name ?? ''), ...(graph.initializer ?? []).map((t) => t.name ?? ''), '']);
  const producedBy = new Map<string, number>();
  nodes.forEach((n, i) => (n.output ?? []).forEach((o) => producedBy.set(o, i)));
  const placed = new Array<boolean>(nodes.length).fill(false);
  const out: NodeProto[] = [];
  const visiting = new Set<number>();
  const place = (i: number): void => {
    if (placed[i]) return;
    if (visiting.has(i)) throw new Error(`graph has a cycle through ${nodes[i]!.name}`);
    visiting.add(i);
    for (const input of nodes[i]!.input ?? []) {
      if (available.has(input)) continue;
      const p = producedBy.get(input);
      if (p !== undefined) place(p);
    }
    visiting.delete(i);
    placed[i] = true;
    out.push(nodes[i]!);
    for (const o of nodes[i]!.output ?? []) available.add(o);
  };
  nodes.forEach((_, i) => place(i));
  graph.node = out;
}
