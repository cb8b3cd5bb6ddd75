/**
 * The resampler's two passes on WebAssembly SIMD (source: assembly/resample.ts, compiled by
 * scripts/build-wasm.ts into resample-wasm.ts). Same integers as the plain-JS passes in
 * resample.ts — which stay as the reference and the fallback — at a fraction of the CPU: the
 * indexer resamples every photo on the thread that also feeds the encoder, so this is CPU taken
 * from the model's cores.
 *
 * One linear memory per thread, grown to the largest raster seen (a few MB for photos, which are
 * reduced to < 2 × 3 × 224 px per side before this), laid out per call:
 *   horizontal bounds | horizontal weights | vertical bounds | vertical weights | source | between | out
 * with 16 spare bytes after each raster (the kernels load and store in 4- and 16-byte units).
 */
import { RESAMPLE_WASM_BASE64 } from './resample-wasm.ts';

const PAGE = 65536;
/** Above this much memory for one call the JS passes run instead (exact decodes of huge images). */
const MAX_BYTES = 64 * 2 ** 20;

interface Exports {
  horizontal(src: number, srcWidth: number, channels: number, rowFirst: number, rows: number, outWidth: number, bounds: number, weights: number, ksize: number, out: number): void;
  vertical(src: number, stride: number, outHeight: number, bounds: number, weights: number, ksize: number, rowShift: number, out: number): void;
}

/** What the passes need of resample.ts's coefficients. */
export interface PassCoefficients {
  ksize: number;
  bounds: Int32Array;
  weights: Int32Array;
}

/** The kernel's functions, checked by name when it is instantiated (a stale build fails loudly). */
const RESAMPLE_FUNCTIONS = ['horizontal', 'vertical'] as const satisfies readonly (keyof Exports)[];

function isResampleKernel(exports: Record<string, unknown>): exports is Record<string, unknown> & Exports {
  return RESAMPLE_FUNCTIONS.every((name) => typeof exports[name] === 'function');
}

let state: { memory: WebAssembly.Memory; k: Exports } | null | undefined;

function kernel(): { memory: WebAssembly.Memory; k: Exports } | null {
  // SHIGUANG_RESAMPLE=js: the plain-JS passes (benchmarks compare the two in one run).
  if (state === undefined && process.env.SHIGUANG_RESAMPLE === 'js') state = null;
  if (state === undefined) {
    try {
      const mod = new WebAssembly.Module(Buffer.from(RESAMPLE_WASM_BASE64, 'base64'));
      const memory = new WebAssembly.Memory({ initial: 16, maximum: MAX_BYTES / PAGE + 16 });
      const exports = new WebAssembly.Instance(mod, { env: { memory } }).exports;
      state = isResampleKernel(exports) ? { memory, k: exports } : null;
    } catch {
      state = null; // no WebAssembly SIMD here: the JS passes do the work
    }
  }
  return state;
}

const align = (n: number): number => Math.ceil(n / 16) * 16;

/**
 * Runs the passes resample.ts decided on, as it runs them: with `horiz`, the horizontal pass over
 * `rows` source rows from `rowShift`, then (with `vert`) the vertical pass over that, its bounds
 * shifted by `rowShift`; without `horiz`, the vertical pass over the source itself (rowShift 0).
 * Returns the output bytes, or null when the kernel is unavailable or the call would need more
 * than MAX_BYTES (the caller then uses the JS passes).
 */
export function resamplePasses(
  src: { data: Uint8Array; width: number; height: number; channels: number },
  outW: number,
  outH: number,
  horiz: PassCoefficients | null,
  vert: PassCoefficients | null,
  rowShift: number,
  rows: number,
): Uint8Array | null {
  const ch = src.channels;
  const midBytes = horiz ? outW * rows * ch : 0;
  const outBytes = vert ? outW * outH * ch : midBytes;
  const coef = (c: PassCoefficients | null): number => (c ? c.bounds.byteLength + c.weights.byteLength : 0);
  const vOff = align(coef(horiz));
  const srcOff = align(vOff + coef(vert));
  const midOff = align(srcOff + src.data.length + 16);
  const outOff = vert ? align(midOff + midBytes + 16) : midOff;
  const need = outOff + outBytes + 16;
  if (need > MAX_BYTES) return null;
  const kn = kernel();
  if (!kn) return null;
  const have = kn.memory.buffer.byteLength;
  if (need > have) kn.memory.grow(Math.ceil((need - have) / PAGE));
  const mem = new Uint8Array(kn.memory.buffer);
  const put = (off: number, c: PassCoefficients): number => {
    mem.set(new Uint8Array(c.bounds.buffer, c.bounds.byteOffset, c.bounds.byteLength), off);
    mem.set(new Uint8Array(c.weights.buffer, c.weights.byteOffset, c.weights.byteLength), off + c.bounds.byteLength);
    return off + c.bounds.byteLength;
  };
  mem.set(src.data, srcOff);
  if (horiz) kn.k.horizontal(srcOff, src.width, ch, rowShift, rows, outW, 0, put(0, horiz), horiz.ksize, midOff);
  if (vert) kn.k.vertical(horiz ? midOff : srcOff, outW * ch, outH, vOff, put(vOff, vert), vert.ksize, horiz ? rowShift : 0, outOff);
  return mem.slice(outOff, outOff + outBytes);
}
