/**
 * An ONNX model file as data: decode with onnx-proto (the project's ONNX reader/writer), read
 * initializers wherever they live (inline `raw_data`, typed fields, or external data such as the
 * official export's `<graph>.extra_file`), and write a model back with its large tensors as
 * external data beside it. Tensors are read and written one at a time, so a multi-GB export never
 * sits in memory whole; a graph protobuf itself is small once its weights are external.
 */
import fs from 'node:fs';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import { float16ToFloat32 } from '../vectors.ts';

export const { onnx } = onnxProto;
export type ModelProto = onnxProto.onnx.ModelProto;
export type GraphProto = onnxProto.onnx.IGraphProto;
export type NodeProto = onnxProto.onnx.INodeProto;
export type TensorProto = onnxProto.onnx.ITensorProto;
export type AttributeProto = onnxProto.onnx.IAttributeProto;
export type TypeProto = onnxProto.onnx.ITypeProto;

export const DT = onnx.TensorProto.DataType;

/** int64 fields decode as Long objects (protobufjs with long.js) or plain numbers. */
type LongLike = number | { toNumber(): number };
export const toNum = (v: LongLike | null | undefined): number => (v == null ? 0 : typeof v === 'number' ? v : v.toNumber());

export type TensorValues = Float32Array | BigInt64Array | Int32Array | Int8Array | Uint8Array;

/** A tensor's values in a JS typed array. float16 and double are widened to float32, bool to uint8. */
export interface Tensor {
  dims: number[];
  /** onnx.TensorProto.DataType of the values as held here (FLOAT for widened float16/double). */
  dataType: number;
  data: TensorValues;
}

export class ModelFileError extends Error {}

const BYTES: Partial<Record<number, number>> = {
  [DT.FLOAT]: 4,
  [DT.INT64]: 8,
  [DT.INT32]: 4,
  [DT.INT8]: 1,
  [DT.UINT8]: 1,
  [DT.BOOL]: 1,
  [DT.FLOAT16]: 2,
  [DT.DOUBLE]: 8,
};

/** Typed view of little-endian bytes; copies when the bytes are not aligned for the type. */
function view(bytes: Uint8Array, dataType: number): TensorValues {
  const size = BYTES[dataType];
  if (!size) throw new ModelFileError(`tensor data type ${dataType} is not supported`);
  // Uint8Array.prototype.slice copies (a Buffer's own slice() would return a view).
  const aligned = bytes.byteOffset % size === 0 ? bytes : Uint8Array.prototype.slice.call(bytes);
  const n = aligned.byteLength / size;
  switch (dataType) {
    case DT.FLOAT:
      return new Float32Array(aligned.buffer, aligned.byteOffset, n);
    case DT.INT64:
      return new BigInt64Array(aligned.buffer, aligned.byteOffset, n);
    case DT.INT32:
      return new Int32Array(aligned.buffer, aligned.byteOffset, n);
    case DT.INT8:
      return new Int8Array(aligned.buffer, aligned.byteOffset, n);
    case DT.FLOAT16:
      return float16ToFloat32(new Uint16Array(aligned.buffer, aligned.byteOffset, n));
    case DT.DOUBLE:
      return Float32Array.from(new Float64Array(aligned.buffer, aligned.byteOffset, n));
    default:
      return new Uint8Array(aligned.buffer, aligned.byteOffset, n);
  }
}

const widened = (dataType: number): number => (dataType === DT.FLOAT16 || dataType === DT.DOUBLE ? DT.FLOAT : dataType === DT.BOOL ? DT.UINT8 : dataType);

function typedFields(t: TensorProto): TensorValues {
  switch (t.dataType) {
    case DT.FLOAT:
      return Float32Array.from(t.floatData ?? []);
    case DT.DOUBLE:
      return Float32Array.from(t.doubleData ?? []);
    case DT.INT64:
      return BigInt64Array.from((t.int64Data ?? []).map((v) => BigInt(toNum(v))));
    case DT.INT32:
      return Int32Array.from(t.int32Data ?? []);
    case DT.INT8:
      return Int8Array.from(t.int32Data ?? []);
    case DT.UINT8:
    case DT.BOOL:
      return Uint8Array.from(t.int32Data ?? []);
    case DT.FLOAT16:
      return float16ToFloat32(Uint16Array.from(t.int32Data ?? []));
    default:
      throw new ModelFileError(`tensor ${t.name}: data type ${t.dataType} is not supported`);
  }
}

export function isExternal(t: TensorProto): boolean {
  return t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL;
}

function externalInfo(t: TensorProto): { location: string; offset: number; length?: number } {
  const kv = new Map((t.externalData ?? []).map((e) => [e.key ?? '', e.value ?? '']));
  const location = kv.get('location');
  if (!location) throw new ModelFileError(`tensor ${t.name} is external but names no location`);
  const length = kv.get('length');
  return { location, offset: Number(kv.get('offset') ?? 0), length: length === undefined ? undefined : Number(length) };
}

export function tensorProto(name: string, dims: number[], dataType: number, data: TensorValues): TensorProto {
  return { name, dims, dataType, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

function decodeModel(bytes: Uint8Array, label: string): ModelProto {
  let proto: ModelProto;
  try {
    proto = onnx.ModelProto.decode(bytes);
  } catch (err) {
    throw new ModelFileError(`${label} is not an ONNX model: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!proto.graph) throw new ModelFileError(`${label} has no graph`);
  return proto;
}

export class OnnxModel {
  private readonly files = new Map<string, fs.promises.FileHandle>();

  private constructor(
    private currentFile: string,
    readonly proto: ModelProto,
  ) {}

  /** Where the model was read from, or last saved to (external data resolves against it). */
  get file(): string {
    return this.currentFile;
  }

  static async load(file: string): Promise<OnnxModel> {
    const bytes = await fs.promises.readFile(file).catch((err: NodeJS.ErrnoException) => {
      throw new ModelFileError(`cannot read ${file}: ${err.message}`);
    });
    return new OnnxModel(path.resolve(file), decodeModel(bytes, file));
  }

  /**
   * A model held in memory (`label` stands for its file in errors). Its tensors must be inline:
   * external data would resolve against the working directory.
   */
  static fromBytes(bytes: Uint8Array, label: string): OnnxModel {
    const proto = decodeModel(bytes, label);
    if ((proto.graph!.initializer ?? []).some(isExternal)) throw new ModelFileError(`${label} keeps tensors in external files; load it from its path`);
    return new OnnxModel(path.resolve(label), proto);
  }

  /** The model as bytes, tensors inline. */
  encode(): Uint8Array {
    return onnx.ModelProto.encode(this.proto).finish();
  }

  get graph(): GraphProto {
    return this.proto.graph!;
  }

  opsetVersion(domain = ''): number {
    const entry = (this.proto.opsetImport ?? []).find((o) => (o.domain ?? '') === domain || (domain === '' && o.domain === 'ai.onnx'));
    return entry ? toNum(entry.version) : 0;
  }

  /** The tensor's bytes exactly as stored (little-endian), wherever they live; null for typed fields. */
  async rawBytes(t: TensorProto): Promise<Uint8Array | null> {
    if (isExternal(t)) {
      const { location, offset, length } = externalInfo(t);
      const where = path.resolve(path.dirname(this.file), location);
      let fh = this.files.get(where);
      if (!fh) {
        fh = await fs.promises.open(where, 'r').catch((err: NodeJS.ErrnoException) => {
          throw new ModelFileError(`external data of ${path.basename(this.file)} is missing: ${where} (${err.code ?? err.message})`);
        });
        this.files.set(where, fh);
      }
      const n = length ?? toNumElements(t) * (BYTES[t.dataType ?? 0] ?? 1);
      const buf = Buffer.alloc(n);
      const { bytesRead } = await fh.read(buf, 0, n, offset);
      if (bytesRead !== n) throw new ModelFileError(`external data ${where} ends early: tensor ${t.name} wants ${n} bytes at ${offset}`);
      return buf;
    }
    if (t.rawData && t.rawData.byteLength > 0) return t.rawData;
    return null;
  }

  async readTensor(t: TensorProto): Promise<Tensor> {
    const dims = (t.dims ?? []).map(toNum);
    const raw = await this.rawBytes(t);
    const data = raw ? view(raw, t.dataType ?? 0) : typedFields(t);
    return { dims, dataType: widened(t.dataType ?? 0), data };
  }

  async close(): Promise<void> {
    const all = [...this.files.values()];
    this.files.clear();
    await Promise.all(all.map((f) => f.close()));
  }

  /**
   * Writes the model to `file`; initializers of at least `threshold` bytes go to
   * `<file name>.extra_file` beside it (4 KiB aligned so onnxruntime can map them), as the
   * official export does. Tensor bytes still external in the source are copied across one by one.
   */
  async save(file: string, threshold = 1024, opts: { shareExternal?: boolean } = {}): Promise<{ graphBytes: number; externalBytes: number }> {
    const extraName = `${path.basename(file)}.extra_file`;
    const extraPath = path.join(path.dirname(file), extraName);
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    const out = await fs.promises.open(extraPath, 'w');
    const outDir = path.resolve(path.dirname(file));
    let offset = 0;
    try {
      for (const t of this.graph.initializer ?? []) {
        // A graph saved beside its source can point at the same external data instead of copying it.
        if (opts.shareExternal && isExternal(t) && path.dirname(path.resolve(path.dirname(this.file), externalInfo(t).location)) === outDir) continue;
        const raw = await this.rawBytes(t);
        if (!raw || raw.byteLength < threshold) {
          if (raw && isExternal(t)) {
            t.rawData = raw;
            t.dataLocation = onnx.TensorProto.DataLocation.DEFAULT;
            t.externalData = [];
          }
          continue;
        }
        offset += (4096 - (offset % 4096)) % 4096;
        await out.write(raw, 0, raw.byteLength, offset);
        t.externalData = [
          { key: 'location', value: extraName },
          { key: 'offset', value: String(offset) },
          { key: 'length', value: String(raw.byteLength) },
        ];
        t.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
        t.rawData = new Uint8Array(0);
        offset += raw.byteLength;
      }
    } finally {
      await out.close();
    }
    if (offset === 0) await fs.promises.rm(extraPath, { force: true });
    const bytes = onnx.ModelProto.encode(this.proto).finish();
    await fs.promises.writeFile(file, bytes);
    // The source's external files were read for the copy; the saved model now points at its own.
    await this.close();
    this.currentFile = path.resolve(file);
    return { graphBytes: bytes.byteLength, externalBytes: offset };
  }
}

/** The external data files a graph refers to (names relative to its directory). */
export function externalDataFiles(graph: GraphProto): string[] {
  return [...new Set((graph.initializer ?? []).filter(isExternal).map((t) => externalInfo(t).location))];
}

function toNumElements(t: TensorProto): number {
  return (t.dims ?? []).reduce<number>((a, d) => a * toNum(d), 1);
}
