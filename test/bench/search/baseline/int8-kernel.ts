/**
 * The int8 scoring kernel of the in-memory vector index (vector-index.ts): out[i] = sum_k row_i[k] *
 * query[k] over int8 rows and an int16 query with int32 accumulation, as WebAssembly SIMD
 * (i8 -> i16 widening, i32x4.dot_i16x8_s) assembled from TypeScript (../kernels/wasm-asm.ts), with
 * a plain-JS loop where WebAssembly SIMD is missing. Tested against the JS loop and sqlite-vec in
 * test/unit/search-vector-index.test.ts.
 */
import { assembleModule, compileModule, FunctionBuilder, get, I32, i32c, instantiateModule, mem, op, set, simdOp, simd, tee, V128, type WasmMemory } from './wasm-asm.ts';

export type IndexKernel = 'wasm' | 'js';

/** Rows per vector are padded to this many bytes (the kernel's unrolled step). */
export const ROW_ALIGN = 32;
const WASM_PAGE = 65536;
export const roundUp = (n: number, m: number): number => Math.ceil(n / m) * m;

// ---------------------------------------------------------------------------------------------
// Kernel: out[i] = Σ_k vec[rows[i]][k] (int8) * query[k] (int16), i32 accumulation.

const OP = { i32Load: 0x28, i32Store: 0x36 } as const;
const SIMD = { i16x8ExtendLowI8x16S: 0x87, i16x8ExtendHighI8x16S: 0x88, i32x4ExtractLane: 0x1b, i32x4DotI16x8S: 0xba } as const;
const zeroV128 = (): number[] => simdOp(simd.const, ...new Array<number>(16).fill(0));
const v128Load = (offset = 0): number[] => simdOp(simd.load, ...mem(0, offset));

/**
 * indexed: scoreRows(vecs, rowBytes, rows, nRows, query, out) scores the rows listed in `rows`;
 * else scoreAll(vecs, rowBytes, _, nRows, query, out) scores rows 0..nRows in order, which streams
 * memory ~3x faster than a gather over a dense list (measured at 90% of 100k rows).
 */
function scoreRowsFn(indexed: boolean): FunctionBuilder {
  const f = new FunctionBuilder([I32, I32, I32, I32, I32, I32]);
  const [vecs, rowBytes, rows, nRows, query, out] = [0, 1, 2, 3, 4, 5];
  const [rowsEnd, base, k, q] = f.local(I32, 4);
  const acc = f.local(V128, 4);
  const [v] = f.local(V128);
  const add = (a: number, extend: number, qOffset: number): number[] => [
    ...get(a),
    ...get(v!),
    ...simdOp(extend),
    ...get(q!),
    ...v128Load(qOffset),
    ...simdOp(SIMD.i32x4DotI16x8S),
    ...simdOp(simd.i32x4Add),
    ...set(a),
  ];
  // The loop runs a cursor over `rows` (indexed) or over the vectors themselves.
  if (indexed) f.emit(get(rows), get(nRows), i32c(4), op.i32Mul, op.i32Add, set(rowsEnd!));
  else f.emit(get(vecs), set(rows), get(vecs), get(nRows), get(rowBytes), op.i32Mul, op.i32Add, set(rowsEnd!));
  f.emit(op.block, op.void, op.loop, op.void, get(rows), get(rowsEnd!), op.i32GeU, op.brIf, 1);
  // base = vecs + rows[i] * rowBytes, or the cursor itself
  if (indexed) f.emit(get(vecs), get(rows), OP.i32Load, mem(2, 0), get(rowBytes), op.i32Mul, op.i32Add, set(base!));
  else f.emit(get(rows), set(base!));
  for (const a of acc) f.emit(zeroV128(), set(a));
  f.emit(i32c(0), set(k!), get(query), set(q!));
  f.emit(op.loop, op.void);
  for (let half = 0; half < 2; half++) {
    f.emit(get(base!), get(k!), op.i32Add, v128Load(half * 16), set(v!));
    f.emit(add(acc[half * 2]!, SIMD.i16x8ExtendLowI8x16S, half * 32));
    f.emit(add(acc[half * 2 + 1]!, SIMD.i16x8ExtendHighI8x16S, half * 32 + 16));
  }
  f.emit(get(q!), i32c(64), op.i32Add, set(q!));
  f.emit(get(k!), i32c(32), op.i32Add, tee(k!), get(rowBytes), op.i32LtU, op.brIf, 0, op.end);
  // out[i] = horizontal sum
  f.emit(get(acc[0]!), get(acc[1]!), simdOp(simd.i32x4Add), get(acc[2]!), get(acc[3]!), simdOp(simd.i32x4Add), simdOp(simd.i32x4Add), set(v!));
  f.emit(get(out));
  for (let l = 0; l < 4; l++) {
    f.emit(get(v!), simdOp(SIMD.i32x4ExtractLane, l));
    if (l > 0) f.emit(op.i32Add);
  }
  f.emit(OP.i32Store, mem(2, 0));
  f.emit(get(out), i32c(4), op.i32Add, set(out), get(rows));
  f.emit(indexed ? i32c(4) : get(rowBytes), op.i32Add, set(rows));
  f.emit(op.br, 0, op.end, op.end);
  return f;
}

let compiledKernel: object | null | undefined;

interface Int8Kernel {
  memory: WasmMemory;
  scoreRows(vecs: number, rowBytes: number, rows: number, nRows: number, query: number, out: number): void;
  scoreAll(vecs: number, rowBytes: number, unused: number, nRows: number, query: number, out: number): void;
}

function instantiateInt8Kernel(): Int8Kernel | null {
  try {
    if (compiledKernel === undefined) {
      compiledKernel = compileModule(
        assembleModule([
          { name: 'scoreRows', builder: scoreRowsFn(true) },
          { name: 'scoreAll', builder: scoreRowsFn(false) },
        ]),
      );
    }
    if (!compiledKernel) return null;
    const e = instantiateModule(compiledKernel) as unknown as Int8Kernel & { mem: WasmMemory };
    return { memory: e.mem, scoreRows: e.scoreRows, scoreAll: e.scoreAll };
  } catch {
    compiledKernel = null; // no WebAssembly SIMD here: the JS loop below
    return null;
  }
}

/**
 * Where the int8 rows and the kernel's scratch live: WebAssembly memory laid out as
 * [query int16 | vectors cap × rowBytes | rows cap × i32 | out cap × i32], or plain arrays.
 */
export interface Backend {
  readonly kind: IndexKernel;
  reserve(cap: number): void;
  vecs(): Int8Array;
  query(): Int16Array;
  rows(): Int32Array;
  out(): Int32Array;
  /** out[i] = score of row rows[i], or (dense) of row i, for i < nRows. */
  run(nRows: number, dense: boolean): void;
  bytes(): number;
}

class WasmBackend implements Backend {
  readonly kind = 'wasm';
  private cap = 0;
  private qOff = 0;
  private vOff: number;
  private rOff = 0;
  private oOff = 0;
  constructor(
    private readonly k: Int8Kernel,
    private readonly rowBytes: number,
  ) {
    this.vOff = rowBytes * 2;
  }
  reserve(cap: number): void {
    if (cap <= this.cap) return;
    this.rOff = this.vOff + cap * this.rowBytes;
    this.oOff = this.rOff + cap * 4;
    const need = this.oOff + cap * 4;
    const have = this.k.memory.buffer.byteLength;
    if (need > have) this.k.memory.grow(Math.ceil((need - have) / WASM_PAGE));
    this.cap = cap;
  }
  vecs(): Int8Array {
    return new Int8Array(this.k.memory.buffer, this.vOff, this.cap * this.rowBytes);
  }
  query(): Int16Array {
    return new Int16Array(this.k.memory.buffer, this.qOff, this.rowBytes);
  }
  rows(): Int32Array {
    return new Int32Array(this.k.memory.buffer, this.rOff, this.cap);
  }
  out(): Int32Array {
    return new Int32Array(this.k.memory.buffer, this.oOff, this.cap);
  }
  run(nRows: number, dense: boolean): void {
    (dense ? this.k.scoreAll : this.k.scoreRows)(this.vOff, this.rowBytes, this.rOff, nRows, this.qOff, this.oOff);
  }
  bytes(): number {
    return this.k.memory.buffer.byteLength;
  }
}

class JsBackend implements Backend {
  readonly kind = 'js';
  private v = new Int8Array(0);
  private r = new Int32Array(0);
  private o = new Int32Array(0);
  private readonly q: Int16Array;
  constructor(private readonly rowBytes: number) {
    this.q = new Int16Array(rowBytes);
  }
  reserve(cap: number): void {
    if (cap * this.rowBytes <= this.v.length) return;
    const v = new Int8Array(cap * this.rowBytes);
    v.set(this.v);
    this.v = v;
    this.r = new Int32Array(cap);
    this.o = new Int32Array(cap);
  }
  vecs(): Int8Array {
    return this.v;
  }
  query(): Int16Array {
    return this.q;
  }
  rows(): Int32Array {
    return this.r;
  }
  out(): Int32Array {
    return this.o;
  }
  run(nRows: number, dense: boolean): void {
    const { v, r, o, q, rowBytes } = this;
    for (let i = 0; i < nRows; i++) {
      const base = (dense ? i : r[i]!) * rowBytes;
      let s = 0;
      for (let k = 0; k < rowBytes; k++) s += v[base + k]! * q[k]!;
      o[i] = s;
    }
  }
  bytes(): number {
    return this.v.byteLength + this.r.byteLength + this.o.byteLength;
  }
}

/** The WebAssembly backend when it compiles here, else plain JS. */
export function createBackend(kind: IndexKernel, rowBytes: number): Backend {
  const k = kind === 'wasm' ? instantiateInt8Kernel() : null;
  return k ? new WasmBackend(k, rowBytes) : new JsBackend(rowBytes);
}
