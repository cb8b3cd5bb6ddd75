/**
 * A small ONNX graph builder over onnx-proto, so the project can make its own test and benchmark
 * models from TypeScript (there is no Python `onnx` here). Default opset 17, IR version 8 (what
 * onnxruntime-node 1.x loads); graphs that reproduce the official Chinese-CLIP export ask for its
 * level, opset 13 / IR 7 (see ./torch-export.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import { mulberry32 } from '../random.ts';

const { onnx } = onnxProto;
type ITensorProto = onnxProto.onnx.ITensorProto;
type INodeProto = onnxProto.onnx.INodeProto;
type IValueInfoProto = onnxProto.onnx.IValueInfoProto;
type IAttributeProto = onnxProto.onnx.IAttributeProto;

export const OPSET = 17;
export const IR_VERSION = 8;

/** A dimension: a fixed size, or a symbolic name (dim_param) such as 'batch'. */
export type Dim = number | string;
export type ElemType = 'float32' | 'int64' | 'bool';

const ELEM: Record<ElemType, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  int64: onnx.TensorProto.DataType.INT64,
  bool: onnx.TensorProto.DataType.BOOL,
};

/** Forces a FLOAT attribute for a whole number (plain integers become INT attributes). */
export class FloatAttr {
  constructor(readonly value: number) {}
}
export const f = (v: number): FloatAttr => new FloatAttr(v);
export type AttrValue = number | number[] | string | FloatAttr | FloatAttr[];

function attribute(name: string, v: AttrValue): IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (v instanceof FloatAttr) return { name, type: T.FLOAT, f: v.value };
  if (typeof v === 'number') {
    return Number.isInteger(v) ? { name, type: T.INT, i: v } : { name, type: T.FLOAT, f: v };
  }
  if (v.length > 0 && v.every((x) => typeof x === 'number' && Number.isInteger(x))) {
    return { name, type: T.INTS, ints: v as number[] };
  }
  return { name, type: T.FLOATS, floats: v.map((x) => (x instanceof FloatAttr ? x.value : x)) };
}

function valueInfo(name: string, elem: ElemType, dims: Dim[]): IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: ELEM[elem],
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
}

interface Initializer {
  name: string;
  dims: number[];
  data: Float32Array | BigInt64Array;
}

export interface SaveOptions {
  /**
   * Store tensors of at least `externalThreshold` bytes in `<graph file>.extra_file` beside the
   * graph, like the official Chinese-CLIP export; keeps protobuf from copying hundreds of MB.
   */
  externalData?: boolean;
  externalThreshold?: number;
}

export interface BuilderOptions {
  opset?: number;
  irVersion?: number;
}

function tensorProto(name: string, data: Float32Array | BigInt64Array, dims: number[]): ITensorProto {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return { name, dims, dataType: data instanceof Float32Array ? ELEM.float32 : ELEM.int64, rawData: bytes };
}

export class GraphBuilder {
  private readonly nodes: INodeProto[] = [];
  private readonly inits: Initializer[] = [];
  private readonly inputs: IValueInfoProto[] = [];
  private readonly outputs: IValueInfoProto[] = [];
  private counter = 0;
  readonly opset: number;
  readonly irVersion: number;

  constructor(
    readonly name: string,
    opts: BuilderOptions = {},
  ) {
    this.opset = opts.opset ?? OPSET;
    this.irVersion = opts.irVersion ?? IR_VERSION;
  }

  /** A fresh tensor name with a readable prefix. */
  fresh(prefix: string): string {
    return `${prefix}_${this.counter++}`;
  }

  input(name: string, elem: ElemType, dims: Dim[]): string {
    this.inputs.push(valueInfo(name, elem, dims));
    return name;
  }

  output(name: string, elem: ElemType, dims: Dim[]): string {
    this.outputs.push(valueInfo(name, elem, dims));
    return name;
  }

  /** Adds a constant tensor (weight) and returns its name. */
  init(prefix: string, data: Float32Array | BigInt64Array, dims: number[]): string {
    const size = dims.reduce((a, b) => a * b, 1);
    if (size !== data.length) throw new Error(`initializer ${prefix}: ${data.length} values for dims [${dims}]`);
    const name = this.fresh(prefix);
    this.inits.push({ name, dims, data });
    return name;
  }

  /** Shorthands for small constants (shapes, axes, scalars). */
  ints(prefix: string, values: number[], dims: number[] = [values.length]): string {
    return this.init(prefix, BigInt64Array.from(values.map((v) => BigInt(v))), dims);
  }

  floats(prefix: string, values: number[] | Float32Array, dims: number[] = [values.length]): string {
    return this.init(prefix, Float32Array.from(values), dims);
  }

  scalar(prefix: string, value: number): string {
    return this.init(prefix, Float32Array.of(value), []);
  }

  /**
   * A `Constant` node (a tensor attribute) instead of an initializer: how torch.onnx.export writes
   * shapes, axes, scalars and the tensors it folded from the trace (position ids, token types).
   */
  constant(prefix: string, data: Float32Array | BigInt64Array, dims: number[]): string {
    const size = dims.reduce((a, b) => a * b, 1);
    if (size !== data.length) throw new Error(`constant ${prefix}: ${data.length} values for dims [${dims}]`);
    const out = this.fresh(prefix);
    this.nodes.push({
      opType: 'Constant',
      name: this.fresh('n_Constant'),
      input: [],
      output: [out],
      attribute: [{ name: 'value', type: onnx.AttributeProto.AttributeType.TENSOR, t: tensorProto('', data, dims) }],
    });
    return out;
  }

  /** Integer `Constant` node; `dims` default: a 1-D tensor, `[]` for a scalar. */
  constInts(prefix: string, values: number[], dims: number[] = [values.length]): string {
    return this.constant(prefix, BigInt64Array.from(values.map((v) => BigInt(v))), dims);
  }

  constFloat(prefix: string, value: number): string {
    return this.constant(prefix, Float32Array.of(value), []);
  }

  /**
   * Appends a node. `outputs` may be a number (that many fresh names) or explicit names; returns
   * the output names (use `node1` for the common single-output case).
   */
  node(op: string, inputs: string[], outputs: number | string[] = 1, attrs: Record<string, AttrValue> = {}): string[] {
    const outs = typeof outputs === 'number' ? Array.from({ length: outputs }, () => this.fresh(op.toLowerCase())) : outputs;
    this.nodes.push({
      opType: op,
      name: this.fresh(`n_${op}`),
      input: inputs,
      output: outs,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return outs;
  }

  node1(op: string, inputs: string[], attrs: Record<string, AttrValue> = {}, output?: string): string {
    return this.node(op, inputs, output ? [output] : 1, attrs)[0]!;
  }

  /** Writes the model to `file` (and its external data beside it when asked). */
  async save(file: string, opts: SaveOptions = {}): Promise<void> {
    const threshold = opts.externalThreshold ?? 1024;
    const extraName = `${path.basename(file)}.extra_file`;
    const extraPath = path.join(path.dirname(file), extraName);
    const external: Uint8Array[] = [];
    let offset = 0;

    const tensors: ITensorProto[] = this.inits.map((t) => {
      const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
      const dataType = t.data instanceof Float32Array ? ELEM.float32 : ELEM.int64;
      if (!opts.externalData || bytes.byteLength < threshold) return tensorProto(t.name, t.data, t.dims);
      // 4 KiB alignment lets onnxruntime memory-map the weights, as onnx's own saver does.
      const pad = (4096 - (offset % 4096)) % 4096;
      if (pad) external.push(new Uint8Array(pad));
      offset += pad;
      external.push(bytes);
      const entry: ITensorProto = {
        name: t.name,
        dims: t.dims,
        dataType,
        dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
        externalData: [
          { key: 'location', value: extraName },
          { key: 'offset', value: String(offset) },
          { key: 'length', value: String(bytes.byteLength) },
        ],
      };
      offset += bytes.byteLength;
      return entry;
    });

    const model = onnx.ModelProto.create({
      irVersion: this.irVersion,
      producerName: 'shiguang-model-builder',
      producerVersion: '1',
      opsetImport: [{ domain: '', version: this.opset }],
      graph: { name: this.name, node: this.nodes, initializer: tensors, input: this.inputs, output: this.outputs },
    });
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    await fs.promises.writeFile(file, onnx.ModelProto.encode(model).finish());
    if (external.length > 0) {
      const fh = await fs.promises.open(extraPath, 'w');
      try {
        for (const chunk of external) await fh.write(chunk);
      } finally {
        await fh.close();
      }
    } else {
      await fs.promises.rm(extraPath, { force: true });
    }
  }
}

/** Seeded random weight factory. */
export class Rng {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }

  uniform(n: number, lo: number, hi: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * this.next();
    return out;
  }

  /** N(0, std²) by Box–Muller (two values per pair of draws). */
  normal(n: number, std: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i += 2) {
      const u = 1 - this.next(); // (0, 1]: log never sees 0
      const r = std * Math.sqrt(-2 * Math.log(u));
      const th = 2 * Math.PI * this.next();
      out[i] = r * Math.cos(th);
      if (i + 1 < n) out[i + 1] = r * Math.sin(th);
    }
    return out;
  }
}
