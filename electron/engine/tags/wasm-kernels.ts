/**
 * WebAssembly SIMD kernels for the hot loops of tagging. V8 does not vectorise plain JS loops:
 * measured ~1.7 G multiply-adds/s on one core, so 100k photos × 500 tags × 512 dims took ~15 s;
 * f32x4 lanes with a register-blocked micro-kernel reach ~10 G/s, with no native dependency.
 *
 * dots(tags, nT, photos, nP, rowBytes, out, outStrideBytes):
 *   out[i, j] = <photo_i, tag_j> for row-major float32 matrices whose row length in bytes is a
 *   multiple of 16 and whose row counts are multiples of PHOTO_BLOCK / TAG_BLOCK (callers pad
 *   with zero rows and columns, which change no dot product).
 * rowStats(scores, rows, strideBytes, count, scale, stats):
 *   for each row of a score matrix, over its first `count` columns (a multiple of 4, ≥ 4):
 *   stats[2r] = max c, stats[2r+1] = Σ exp(scale·(c − max)) — the softmax partition around the
 *   max, with exp from a degree-6 polynomial (relative error ~1e-7) since wasm has no exp.
 */
import { assembleModule, compileModule, F32, FunctionBuilder, get, I32, i32c, instantiateModule, mem, op, set, simd, simdOp, tee, V128, type WasmMemory } from './wasm-asm.ts';

/** Photos × tags per micro-kernel step: 8 accumulators + 3 operands fit x64's 16 XMM registers (4×2 measured fastest of 2×2…4×4). */
export const PHOTO_BLOCK = 4;
export const TAG_BLOCK = 2;

function f32x4Const(v: number): number[] {
  const b = new Uint8Array(new Float32Array([v, v, v, v]).buffer);
  return simdOp(simd.const, ...b);
}
function i32x4Const(v: number): number[] {
  const b = new Uint8Array(new Int32Array([v, v, v, v]).buffer);
  return simdOp(simd.const, ...b);
}
const v128Load = (): number[] => simdOp(simd.load, ...mem(0));
const lane = (v: number, l: number): number[] => [...get(v), ...simdOp(simd.f32x4ExtractLane, l)];
/** while (cond) { body }: `cond` pushes an i32 that is non-zero to leave. */
function whileNot(f: FunctionBuilder, exitCond: number[], body: () => void): void {
  f.emit(op.block, op.void, op.loop, op.void, exitCond, op.brIf, 1);
  body();
  f.emit(op.br, 0, op.end, op.end);
}

function dots(pb: number, tb: number): FunctionBuilder {
  const f = new FunctionBuilder([I32, I32, I32, I32, I32, I32, I32]);
  const [tags, nT, photos, nP, rowBytes, out, outStride] = [0, 1, 2, 3, 4, 5, 6];
  const [pRow, pEnd, tRow, tEnd, col, k] = f.local(I32, 6);
  const pa = f.local(I32, pb);
  const ta = f.local(I32, tb);
  const orow = f.local(I32, pb);
  const acc = f.local(V128, pb * tb);
  const x = f.local(V128, tb);
  const [y] = f.local(V128);
  /** base + n * stride */
  const offsetBy = (base: number, stride: number, n: number): number[] => (n === 0 ? get(base) : [...get(base), ...get(stride), ...i32c(n), op.i32Mul, op.i32Add]);

  f.emit(get(photos), set(pRow!), get(photos), get(nP), get(rowBytes), op.i32Mul, op.i32Add, set(pEnd!));
  f.emit(get(tags), get(nT), get(rowBytes), op.i32Mul, op.i32Add, set(tEnd!));
  whileNot(f, [...get(pRow!), ...get(pEnd!), op.i32GeU], () => {
    for (let i = 0; i < pb; i++) f.emit(offsetBy(pRow!, rowBytes, i), set(pa[i]!));
    for (let i = 0; i < pb; i++) f.emit(offsetBy(out, outStride, i), set(orow[i]!));
    f.emit(get(tags), set(tRow!), i32c(0), set(col!));
    whileNot(f, [...get(tRow!), ...get(tEnd!), op.i32GeU], () => {
      for (let j = 0; j < tb; j++) f.emit(offsetBy(tRow!, rowBytes, j), set(ta[j]!));
      for (const a of acc) f.emit(f32x4Const(0), set(a));
      // for k in 0..rowBytes step 16: acc[i][j] += photo_i[k..k+4] * tag_j[k..k+4]
      f.emit(i32c(0), set(k!), op.loop, op.void);
      for (let j = 0; j < tb; j++) f.emit(get(ta[j]!), get(k!), op.i32Add, v128Load(), set(x[j]!));
      for (let i = 0; i < pb; i++) {
        f.emit(get(pa[i]!), get(k!), op.i32Add, v128Load(), set(y!));
        for (let j = 0; j < tb; j++) {
          const a = acc[i * tb + j]!;
          f.emit(get(a), get(x[j]!), get(y!), simdOp(simd.f32x4Mul), simdOp(simd.f32x4Add), set(a));
        }
      }
      f.emit(get(k!), i32c(16), op.i32Add, tee(k!), get(rowBytes), op.i32LtU, op.brIf, 0, op.end);
      // out[i][col + j] = horizontal sum of acc[i][j]
      for (let i = 0; i < pb; i++) {
        for (let j = 0; j < tb; j++) {
          const a = acc[i * tb + j]!;
          f.emit(get(orow[i]!), get(col!), op.i32Add);
          f.emit(lane(a, 0), lane(a, 1), op.f32Add, lane(a, 2), lane(a, 3), op.f32Add, op.f32Add);
          f.emit(op.f32Store, mem(2, j * 4));
        }
      }
      f.emit(get(tRow!), get(rowBytes), i32c(tb), op.i32Mul, op.i32Add, set(tRow!));
      f.emit(get(col!), i32c(tb * 4), op.i32Add, set(col!));
    });
    f.emit(get(pRow!), get(rowBytes), i32c(pb), op.i32Mul, op.i32Add, set(pRow!));
    f.emit(get(out), get(outStride), i32c(pb), op.i32Mul, op.i32Add, set(out));
  });
  return f;
}

/** c_k = ln2^k / k!, so Σ c_k f^k = 2^f; |f| ≤ 0.5 after rounding keeps the error near 1e-7. */
const EXP2_COEFFS = [1, 0.6931471805599453, 0.2402265069591007, 0.05550410866482158, 0.009618129107628477, 0.0013333558146428443, 0.0001540353039338161];
/** 2^-43 ≈ e^-30: lower terms are clamped there, which cannot move a sum whose largest term is 1. */
const MIN_EXP2 = -43;

function rowStats(): FunctionBuilder {
  const f = new FunctionBuilder([I32, I32, I32, I32, F32, I32]);
  const [scores, rows, strideBytes, count, scale, stats] = [0, 1, 2, 3, 4, 5];
  const [row, rowEnd, k, endBytes] = f.local(I32, 4);
  const [maxv, zv, t, n, sv] = f.local(V128, 5);
  const [mx] = f.local(F32);

  f.emit(get(scores), set(row!), get(scores), get(rows), get(strideBytes), op.i32Mul, op.i32Add, set(rowEnd!));
  f.emit(get(count), i32c(4), op.i32Mul, set(endBytes!));
  // scale · log2(e), so exp(scale·d) = 2^(sv·d)
  f.emit(get(scale), simdOp(simd.f32x4Splat), f32x4Const(Math.LOG2E), simdOp(simd.f32x4Mul), set(sv!));
  whileNot(f, [...get(row!), ...get(rowEnd!), op.i32GeU], () => {
    f.emit(f32x4Const(-Infinity), set(maxv!), i32c(0), set(k!));
    f.emit(op.loop, op.void, get(maxv!), get(row!), get(k!), op.i32Add, v128Load(), simdOp(simd.f32x4Max), set(maxv!));
    f.emit(get(k!), i32c(16), op.i32Add, tee(k!), get(endBytes!), op.i32LtU, op.brIf, 0, op.end);
    f.emit(lane(maxv!, 0), lane(maxv!, 1), op.f32Max, lane(maxv!, 2), lane(maxv!, 3), op.f32Max, op.f32Max, set(mx!));

    f.emit(f32x4Const(0), set(zv!), i32c(0), set(k!), op.loop, op.void);
    // t = max(sv·(c − max), MIN); n = round(t); f = t − n
    f.emit(get(row!), get(k!), op.i32Add, v128Load(), get(mx!), simdOp(simd.f32x4Splat), simdOp(simd.f32x4Sub), get(sv!), simdOp(simd.f32x4Mul));
    f.emit(f32x4Const(MIN_EXP2), simdOp(simd.f32x4Max), set(t!));
    f.emit(get(t!), simdOp(simd.f32x4Nearest), set(n!));
    f.emit(get(t!), get(n!), simdOp(simd.f32x4Sub), set(t!));
    // Horner: p = ((c6·f + c5)·f + …)·f + c0
    f.emit(f32x4Const(EXP2_COEFFS[6]!));
    for (let c = 5; c >= 0; c--) f.emit(get(t!), simdOp(simd.f32x4Mul), f32x4Const(EXP2_COEFFS[c]!), simdOp(simd.f32x4Add));
    // × 2^n, built as float bits ((n + 127) << 23)
    f.emit(get(n!), simdOp(simd.i32x4TruncSatF32x4S), i32x4Const(127), simdOp(simd.i32x4Add), i32c(23), simdOp(simd.i32x4Shl));
    f.emit(simdOp(simd.f32x4Mul), get(zv!), simdOp(simd.f32x4Add), set(zv!));
    f.emit(get(k!), i32c(16), op.i32Add, tee(k!), get(endBytes!), op.i32LtU, op.brIf, 0, op.end);

    f.emit(get(stats), get(mx!), op.f32Store, mem(2, 0));
    f.emit(get(stats), lane(zv!, 0), lane(zv!, 1), op.f32Add, lane(zv!, 2), lane(zv!, 3), op.f32Add, op.f32Add, op.f32Store, mem(2, 4));
    f.emit(get(row!), get(strideBytes), op.i32Add, set(row!), get(stats), i32c(8), op.i32Add, set(stats));
  });
  return f;
}

export interface KernelInstance {
  memory: WasmMemory;
  dots(tags: number, nT: number, photos: number, nP: number, rowBytes: number, out: number, outStride: number): void;
  rowStats(scores: number, rows: number, strideBytes: number, count: number, scale: number, stats: number): void;
}

const compiled = new Map<string, object>();

/** A fresh instance (own memory); compiling happens once per process and block size. */
export function instantiateKernels(pb = PHOTO_BLOCK, tb = TAG_BLOCK): KernelInstance {
  const key = `${pb}x${tb}`;
  let module = compiled.get(key);
  if (!module) {
    module = compileModule(assembleModule([{ name: 'dots', builder: dots(pb, tb) }, { name: 'rowStats', builder: rowStats() }]));
    compiled.set(key, module);
  }
  const e = instantiateModule(module) as unknown as KernelInstance & { mem: WasmMemory };
  return { memory: e.mem, dots: e.dots, rowStats: e.rowStats };
}

