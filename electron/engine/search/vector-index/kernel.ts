/**
 * The vector index's WebAssembly memory and kernels (source: assembly/scan.ts, compiled by
 * scripts/build-wasm.ts into kernel-wasm.ts). One linear memory holds everything the kernels read
 * and write, at offsets laid out here for a capacity of `cap` rows (a multiple of 16):
 *
 *   scratch   LUT (codeBytes × 32) | query int16 (rowBytes × 2) | histogram (HIST_BUCKETS × 4) |
 *             query f32 (dim × 4) | EXACT_BATCH exact rows (dim × 4 each) | their distances |
 *             mean (dim × 4)
 *   scores    cap × u16      stage-1 score per row
 *   mask      cap × u8       filter: 1 = the row may be returned
 *   rows      cap × i32      row lists (candidates)
 *   out       cap × f32      stage-2 int8 dot products times the row's scale
 *   outScale  cap × f32      those rows' scales
 *   codes     cap × codeBytes  sign bits of (vector − mean), blocks of 16 rows, byte-plane order
 *   scales    cap × f32        each int8 row's scale (row[i] × scale ≈ vector[i] / |vector|)
 *   vecs      cap × rowBytes   int8 rows
 *
 * Growing moves the three persistent regions (codes, scales, vecs) to their new offsets; the rest
 * is scratch (the mean, dim × f32, sits in the scratch area and is written before each use).
 */
import { KERNEL_WASM_BASE64 } from './kernel-wasm.ts';

const PAGE = 65536;
export const HIST_BUCKETS = 4096;
/** Exact rows read and scored per kernel call. */
export const EXACT_BATCH = 32;

interface Exports {
  scanCodes(codes: number, nBlocks: number, codeBytes: number, lut: number, out: number): void;
  histogram(scores: number, mask: number, n: number, shift: number, hist: number): void;
  collect(scores: number, mask: number, n: number, minScore: number, maxScore: number, rows: number): number;
  dotRows(vecs: number, rowBytes: number, scales: number, rows: number, nRows: number, query: number, out: number, outScale: number): void;
  cosineRows(query: number, rows: number, count: number, dim: number, out: number): void;
  signCodes(vecs: number, rowBytes: number, scales: number, mean: number, dim: number, codes: number, codeBytes: number, from: number, to: number): void;
}

/** The kernel's functions, checked by name when it is instantiated (a stale build fails loudly). */
const KERNEL_FUNCTIONS = ['scanCodes', 'histogram', 'collect', 'dotRows', 'cosineRows', 'signCodes'] as const satisfies readonly (keyof Exports)[];

function isKernel(exports: Record<string, unknown>): exports is Record<string, unknown> & Exports {
  return KERNEL_FUNCTIONS.every((name) => typeof exports[name] === 'function');
}

let compiled: WebAssembly.Module | null | undefined;

/** null where this runtime has no WebAssembly SIMD (every Node and Electron we ship has it). */
function compileKernel(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(Buffer.from(KERNEL_WASM_BASE64, 'base64'));
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

export function kernelAvailable(): boolean {
  return compileKernel() !== null;
}

export class KernelMemory {
  readonly memory: WebAssembly.Memory;
  private readonly k: Exports;
  cap = 0;
  readonly lutOff = 0;
  readonly queryOff: number;
  readonly histOff: number;
  readonly queryF32Off: number;
  readonly exactOff: number;
  readonly exactOutOff: number;
  readonly meanOff: number;
  private readonly scratch: number;
  scoresOff: number;
  maskOff: number;
  rowsOff: number;
  outOff: number;
  outScaleOff: number;
  codesOff: number;
  scalesOff: number;
  vecsOff: number;

  constructor(
    readonly dim: number,
    readonly codeBytes: number,
    readonly rowBytes: number,
  ) {
    const mod = compileKernel();
    if (!mod) throw new Error('this runtime has no WebAssembly SIMD, which the vector index needs');
    this.queryOff = codeBytes * 32;
    this.histOff = align(this.queryOff + rowBytes * 2, 16);
    this.queryF32Off = this.histOff + HIST_BUCKETS * 4;
    this.exactOff = align(this.queryF32Off + dim * 4, 16);
    this.exactOutOff = this.exactOff + EXACT_BATCH * dim * 4;
    this.meanOff = align(this.exactOutOff + EXACT_BATCH * 4, 16);
    this.scratch = align(this.meanOff + dim * 4, PAGE);
    this.scoresOff = this.maskOff = this.rowsOff = this.outOff = this.outScaleOff = this.codesOff = this.scalesOff = this.vecsOff = this.scratch;
    this.memory = new WebAssembly.Memory({ initial: this.scratch / PAGE, maximum: 65536 });
    const exports = new WebAssembly.Instance(mod, { env: { memory: this.memory } }).exports;
    if (!isKernel(exports)) throw new Error('the vector index kernel lacks functions this code calls: rebuild it (npm run build:wasm)');
    this.k = exports;
  }

  /** Total bytes of linear memory. */
  get bytes(): number {
    return this.memory.buffer.byteLength;
  }

  /** Makes room for `cap` rows (rounded up to 16), keeping codes and int8 rows. */
  reserve(cap: number): void {
    cap = Math.ceil(cap / 16) * 16;
    if (cap <= this.cap) return;
    const oldCodes = this.codesOff;
    const oldScales = this.scalesOff;
    const oldVecs = this.vecsOff;
    const oldCap = this.cap;
    const scoresOff = this.scratch;
    const maskOff = scoresOff + cap * 2;
    const rowsOff = align(maskOff + cap, 16);
    const outOff = rowsOff + cap * 4;
    const outScaleOff = outOff + cap * 4;
    const codesOff = outScaleOff + cap * 4;
    const scalesOff = align(codesOff + cap * this.codeBytes, 16);
    const vecsOff = align(scalesOff + cap * 4, 16);
    const need = vecsOff + cap * this.rowBytes;
    const have = this.memory.buffer.byteLength;
    if (need > have) this.memory.grow(Math.ceil((need - have) / PAGE));
    const u8 = new Uint8Array(this.memory.buffer);
    // Moving towards higher addresses: the later region first, so nothing is overwritten.
    if (oldCap > 0) {
      u8.copyWithin(vecsOff, oldVecs, oldVecs + oldCap * this.rowBytes);
      u8.copyWithin(scalesOff, oldScales, oldScales + oldCap * 4);
      u8.copyWithin(codesOff, oldCodes, oldCodes + oldCap * this.codeBytes);
    }
    u8.fill(0, codesOff + oldCap * this.codeBytes, codesOff + cap * this.codeBytes);
    u8.fill(0, scalesOff + oldCap * 4, scalesOff + cap * 4);
    u8.fill(0, vecsOff + oldCap * this.rowBytes, vecsOff + cap * this.rowBytes);
    Object.assign(this, { cap, scoresOff, maskOff, rowsOff, outOff, outScaleOff, codesOff, scalesOff, vecsOff });
  }

  u8(off: number, len: number): Uint8Array {
    return new Uint8Array(this.memory.buffer, off, len);
  }
  i8(off: number, len: number): Int8Array {
    return new Int8Array(this.memory.buffer, off, len);
  }
  i16(off: number, len: number): Int16Array {
    return new Int16Array(this.memory.buffer, off, len);
  }
  u16(off: number, len: number): Uint16Array {
    return new Uint16Array(this.memory.buffer, off, len);
  }
  i32(off: number, len: number): Int32Array {
    return new Int32Array(this.memory.buffer, off, len);
  }
  u32(off: number, len: number): Uint32Array {
    return new Uint32Array(this.memory.buffer, off, len);
  }

  /** Stage-1 scores of rows [0, nBlocks × 16) against the LUT at lutOff, into scores. */
  scanCodes(nBlocks: number): void {
    this.k.scanCodes(this.codesOff, nBlocks, this.codeBytes, this.lutOff, this.scoresOff);
  }

  /** Histogram (HIST_BUCKETS u32 at histOff, zeroed here) of score >> shift over rows < n passing the mask. */
  histogram(n: number, masked: boolean, shift: number): Uint32Array {
    const hist = this.u32(this.histOff, HIST_BUCKETS);
    hist.fill(0);
    this.k.histogram(this.scoresOff, masked ? this.maskOff : 0, n, shift, this.histOff);
    return hist;
  }

  /** Rows < n with minScore <= score < maxScore (and passing the mask) into rows; returns how many. */
  collect(n: number, masked: boolean, minScore: number, maxScore: number): number {
    return this.k.collect(this.scoresOff, masked ? this.maskOff : 0, n, minScore, maxScore, this.rowsOff);
  }

  /** Exact distances of the query f32 (at queryF32Off) to the `count` rows at exactOff, into exactOutOff. */
  cosineRows(count: number): void {
    this.k.cosineRows(this.queryF32Off, this.exactOff, count, this.dim, this.exactOutOff);
  }

  /** Sign codes of rows [from, to) against the mean at meanOff. */
  signCodes(from: number, to: number): void {
    this.k.signCodes(this.vecsOff, this.rowBytes, this.scalesOff, this.meanOff, this.dim, this.codesOff, this.codeBytes, from, to);
  }

  /** out[j] = (int8 row rows[j] · int16 query) × its scale, outScale[j] = its scale (f32), for j < nRows. */
  dotRows(nRows: number): void {
    this.k.dotRows(this.vecsOff, this.rowBytes, this.scalesOff, this.rowsOff, nRows, this.queryOff, this.outOff, this.outScaleOff);
  }
}

const align = (n: number, m: number): number => Math.ceil(n / m) * m;
