/**
 * Just enough of a WebAssembly assembler to write tagging's two SIMD kernels (wasm-kernels.ts) in
 * TypeScript: opcodes, LEB128, a function builder with named locals, and a module with one
 * exported memory. Keeping the kernels as readable code here, rather than a checked-in .wasm
 * blob, means no build step and nothing opaque in the repository.
 */

export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;

export const op = {
  block: 0x02,
  loop: 0x03,
  br: 0x0c,
  brIf: 0x0d,
  end: 0x0b,
  void: 0x40,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  f32Load: 0x2a,
  f32Store: 0x38,
  i32Const: 0x41,
  i32LtU: 0x49,
  i32GeU: 0x4f,
  i32Add: 0x6a,
  i32Mul: 0x6c,
  f32Add: 0x92,
  f32Max: 0x97,
} as const;

/** SIMD sub-opcodes (after the 0xfd prefix). */
export const simd = {
  load: 0x00,
  const: 0x0c,
  i32x4Splat: 0x11,
  f32x4Splat: 0x13,
  f32x4ExtractLane: 0x1f,
  f32x4Nearest: 0x6a,
  i32x4Shl: 0xab,
  i32x4Add: 0xae,
  f32x4Add: 0xe4,
  f32x4Sub: 0xe5,
  f32x4Mul: 0xe6,
  f32x4Max: 0xe9,
  i32x4TruncSatF32x4S: 0xf8,
} as const;

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const name = (s: string): number[] => vec([...new TextEncoder().encode(s)].map((b) => [b]));

/** Builds one function body: params first, then locals declared by type. */
export class FunctionBuilder {
  private readonly code: number[] = [];
  private readonly locals: number[] = [];

  constructor(readonly params: number[]) {}

  local(type: number, count = 1): number[] {
    return Array.from({ length: count }, () => this.params.length + this.locals.push(type) - 1);
  }

  emit(...parts: (number | number[])[]): this {
    for (const p of parts) {
      if (typeof p === 'number') this.code.push(p);
      else this.code.push(...p);
    }
    return this;
  }

  body(): number[] {
    // Locals are declared as runs of one type, in the order they were created.
    const runs: number[][] = [];
    for (let i = 0; i < this.locals.length; ) {
      let j = i;
      while (j < this.locals.length && this.locals[j] === this.locals[i]) j++;
      runs.push([...uleb(j - i), this.locals[i]!]);
      i = j;
    }
    return [...vec(runs), ...this.code, op.end];
  }
}

export const get = (i: number): number[] => [op.localGet, ...uleb(i)];
export const set = (i: number): number[] => [op.localSet, ...uleb(i)];
export const tee = (i: number): number[] => [op.localTee, ...uleb(i)];
export const i32c = (n: number): number[] => [op.i32Const, ...sleb(n)];
export const simdOp = (code: number, ...imm: number[]): number[] => [0xfd, ...uleb(code), ...imm];
/** memarg: alignment hint (log2 bytes) and constant byte offset. */
export const mem = (alignLog2: number, offset = 0): number[] => [alignLog2, ...uleb(offset)];

export interface ExportedFunction {
  name: string;
  builder: FunctionBuilder;
}

/** A module with the given functions (no results) and one exported memory named 'mem'. */
export function assembleModule(functions: ExportedFunction[]): Uint8Array {
  const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const types = section(1, vec(functions.map((f) => [0x60, ...vec(f.builder.params.map((p) => [p])), ...vec([])])));
  const funcs = section(3, vec(functions.map((_, i) => uleb(i))));
  const memory = section(5, vec([[0x00, 1]]));
  const exports = section(7, vec([...functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]), [...name('mem'), 0x02, 0]]));
  const code = section(
    10,
    vec(
      functions.map((f) => {
        const b = f.builder.body();
        return [...uleb(b.length), ...b];
      }),
    ),
  );
  return new Uint8Array([...header, ...types, ...funcs, ...memory, ...exports, ...code]);
}

/**
 * The slice of the WebAssembly API used here. The node tsconfig has no DOM lib, where those
 * types live, so they are declared rather than pulling the DOM into engine code.
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

export function compileModule(bytes: Uint8Array): object {
  return new (wasmApi().Module)(bytes);
}

export function instantiateModule(module: object): Record<string, unknown> {
  return new (wasmApi().Instance)(module, {}).exports;
}

function wasmApi(): WasmApi {
  const api = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
  if (!api) throw new Error('WebAssembly is not available');
  return api;
}
