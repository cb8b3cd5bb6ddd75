/**
 * The vector index's WebAssembly kernels: the checked-in module is exactly what the pinned
 * AssemblyScript compiler makes of assembly/scan.ts, and each kernel agrees with a plain-JS
 * reference on random data (block layout, nibble lookups, masks, int8 × int16 dots).
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileKernel, KERNEL_MODULE, renderModule } from '../../scripts/build-wasm.ts';
import { HIST_BUCKETS, KernelMemory } from '../../electron/engine/search/vector-index/kernel.ts';
import { mulberry32 as rng } from '../../scripts/random.ts';

describe('vector index kernels', () => {
  it('kernel-wasm.ts is the compiled assembly/scan.ts (run npm run build:wasm after editing it)', async () => {
    expect(fs.readFileSync(KERNEL_MODULE, 'utf8')).toBe(renderModule(await compileKernel()));
  }, 60_000);

  it('scanCodes sums the LUT entries each row selects, nibble by nibble, 16 rows a block', () => {
    const rnd = rng(1);
    const codeBytes = 8;
    const k = new KernelMemory(64, codeBytes, 64);
    const rows = 50; // not a multiple of 16: the last block is partly empty
    k.reserve(rows);
    const codes = k.u8(k.codesOff, k.cap * codeBytes);
    const rowCodes = Array.from({ length: rows }, () => Array.from({ length: codeBytes }, () => Math.floor(rnd() * 256)));
    rowCodes.forEach((c, r) => c.forEach((byte, p) => (codes[((r >> 4) * codeBytes + p) * 16 + (r & 15)] = byte)));
    const lut = k.u8(k.lutOff, codeBytes * 32);
    for (let i = 0; i < lut.length; i++) lut[i] = Math.floor(rnd() * 128);
    k.scanCodes(Math.ceil(rows / 16));
    const scores = k.u16(k.scoresOff, rows);
    rowCodes.forEach((c, r) => {
      const want = c.reduce((s, byte, p) => s + lut[p * 32 + (byte & 15)]! + lut[p * 32 + 16 + (byte >> 4)]!, 0);
      expect(scores[r]).toBe(want);
    });
  });

  it('histogram and collect honour the mask and the score range', () => {
    const rnd = rng(2);
    const k = new KernelMemory(64, 8, 64);
    const n = 1000;
    k.reserve(n);
    const scores = k.u16(k.scoresOff, n);
    const mask = k.u8(k.maskOff, n);
    for (let i = 0; i < n; i++) {
      scores[i] = Math.floor(rnd() * 2000);
      mask[i] = rnd() < 0.3 ? 1 : 0;
    }
    const hist = k.histogram(n, true, 2);
    const want = new Array<number>(HIST_BUCKETS).fill(0);
    for (let i = 0; i < n; i++) if (mask[i]) want[scores[i]! >> 2]!++;
    expect(Array.from(hist)).toEqual(want);
    expect(Array.from(k.histogram(n, false, 0)).reduce((a, b) => a + b, 0)).toBe(n);
    const got = k.collect(n, true, 500, 1500);
    const expected = [...Array(n).keys()].filter((i) => mask[i] && scores[i]! >= 500 && scores[i]! < 1500);
    expect(Array.from(k.i32(k.rowsOff, got))).toEqual(expected);
  });

  it('dotRows is the int8 · int16 dot product of each listed row times its scale, and that scale', () => {
    const rnd = rng(3);
    const rowBytes = 96;
    const k = new KernelMemory(96, 12, rowBytes);
    const n = 40;
    k.reserve(n);
    const vecs = k.i8(k.vecsOff, n * rowBytes);
    for (let i = 0; i < vecs.length; i++) vecs[i] = Math.floor(rnd() * 255) - 127;
    const scales = new Float32Array(k.memory.buffer, k.scalesOff, n);
    for (let r = 0; r < n; r++) scales[r] = 0.0005 + rnd() * 0.002;
    const q = k.i16(k.queryOff, rowBytes);
    for (let i = 0; i < rowBytes; i++) q[i] = Math.floor(rnd() * 65535) - 32767;
    // 21 rows: two blocks of eight scored side by side, then five one at a time.
    const list = [39, 0, 17, 17, 5, ...Array.from({ length: 16 }, () => Math.floor(rnd() * n))];
    k.i32(k.rowsOff, list.length).set(list);
    k.dotRows(list.length);
    const out = new Float32Array(k.memory.buffer, k.outOff, list.length);
    const outScale = new Float32Array(k.memory.buffer, k.outScaleOff, list.length);
    list.forEach((r, j) => {
      let s = 0;
      for (let i = 0; i < rowBytes; i++) s += vecs[r * rowBytes + i]! * q[i]!;
      expect(out[j]).toBe(Math.fround(Math.fround(s) * scales[r]!));
      expect(outScale[j]).toBe(scales[r]);
    });
  });

  it('signCodes sets bit i where row[i] × scale > mean[i], in the block layout, whole groups of 16 and the rest', () => {
    const rnd = rng(5);
    for (const dim of [512, 40]) {
      const codeBytes = Math.ceil(dim / 8);
      const rowBytes = Math.ceil(dim / 32) * 32;
      const k = new KernelMemory(dim, codeBytes, rowBytes);
      const n = 37;
      k.reserve(n);
      const vecs = k.i8(k.vecsOff, n * rowBytes);
      for (let i = 0; i < vecs.length; i++) vecs[i] = Math.floor(rnd() * 255) - 127;
      const scales = new Float32Array(k.memory.buffer, k.scalesOff, n);
      for (let r = 0; r < n; r++) scales[r] = 0.001 + rnd() * 0.01;
      const mean = new Float32Array(k.memory.buffer, k.meanOff, dim);
      for (let i = 0; i < dim; i++) mean[i] = (rnd() - 0.5) * 0.5;
      k.signCodes(3, n);
      const codes = k.u8(k.codesOff, k.cap * codeBytes);
      for (let r = 3; r < n; r++) {
        for (let p = 0; p < codeBytes; p++) {
          let want = 0;
          for (let b = 0; b < 8; b++) {
            const i = p * 8 + b;
            if (i < dim && Math.fround(vecs[r * rowBytes + i]! * scales[r]!) > mean[i]!) want |= 1 << b;
          }
          expect(codes[((r >> 4) * codeBytes + p) * 16 + (r & 15)]).toBe(want);
        }
      }
      expect(codes[0]).toBe(0); // rows before `from` untouched
    }
  });

  it('keeps codes and int8 rows when it grows', () => {
    const k = new KernelMemory(32, 4, 32);
    k.reserve(16);
    k.u8(k.codesOff, 64).fill(7);
    k.i8(k.vecsOff, 16 * 32).fill(-3);
    k.reserve(100_000);
    expect(k.u8(k.codesOff, 64).every((b) => b === 7)).toBe(true);
    expect(k.i8(k.vecsOff, 16 * 32).every((b) => b === -3)).toBe(true);
    expect(k.u8(k.codesOff + 64, 64).every((b) => b === 0)).toBe(true);
  });
});

describe('exact distances', () => {
  it('cosineRows is bit-identical to sqlite-vec’s formula (cosineDistance) on unnormalised float32 rows', async () => {
    const { cosineDistance } = await import('../../electron/engine/search/vector-index/exact-vectors.ts');
    const { EXACT_BATCH } = await import('../../electron/engine/search/vector-index/kernel.ts');
    const rnd = rng(4);
    const dim = 512;
    const k = new KernelMemory(dim, 64, 512);
    const q = Float32Array.from({ length: dim }, () => (rnd() - 0.5) * 3);
    new Float32Array(k.memory.buffer, k.queryF32Off, dim).set(q);
    const rows = Array.from({ length: EXACT_BATCH }, (_, r) => Float32Array.from({ length: dim }, () => (rnd() - 0.5) * (r + 1)));
    rows.forEach((v, r) => new Float32Array(k.memory.buffer, k.exactOff + r * dim * 4, dim).set(v));
    k.cosineRows(rows.length);
    const out = new Float32Array(k.memory.buffer, k.exactOutOff, rows.length);
    rows.forEach((v, r) => expect(out[r]).toBe(cosineDistance(q, v)));
  });
});
