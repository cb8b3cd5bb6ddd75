/**
 * The int8 quantizer on the small model in the official export form (mini-clip): which products
 * became int8 and what stayed float, weights reached through Transpose/Identity and the packed MHA
 * in-projection, Gemm, external data in and out, and the embeddings' fidelity to fp32.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dequantize, quantizePerColumn } from '../../electron/engine/ml/quantize/int8.ts';
import { DT, OnnxModel, isExternal, toNum } from '../../electron/engine/ml/quantize/onnx-model.ts';
import { quantizeGraph, type Int8Kernel } from '../../electron/engine/ml/quantize/quantize-graph.ts';
import { Rng } from '../../scripts/models/onnx-builder.ts';
import { generateMiniClip } from '../../scripts/models/mini-clip.ts';
import { buildModifiedResNet } from '../../scripts/models/resnet.ts';

let root: string;
let src: string;

beforeAll(async () => {
  root = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'shiguang-quantize-'));
  src = path.join(root, 'src');
  await generateMiniClip(src);
});

afterAll(async () => {
  await fs.promises.rm(root, { recursive: true, force: true });
});

async function quantized(tower: 'img' | 'txt', kernel: Int8Kernel, keepProjection = true, fuse = true): Promise<{ file: string; report: Awaited<ReturnType<typeof quantizeGraph>> }> {
  const model = await OnnxModel.load(path.join(src, `mini.${tower}.fp32.onnx`));
  const report = await quantizeGraph(model, { kernel, keepProjection, fuseAttention: fuse, quantizePatchEmbedding: fuse, fuseSharedInput: fuse });
  const file = path.join(root, `${kernel}-${keepProjection}-${fuse}`, `mini.${tower}.int8.onnx`);
  await model.save(file);
  return { file, report };
}

const count = (m: OnnxModel, op: string): number => (m.graph.node ?? []).filter((n) => n.opType === op).length;

function cosine(a: Float32Array, b: Float32Array): number {
  let d = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    d += a[i]! * b[i]!;
    na += a[i]! ** 2;
    nb += b[i]! ** 2;
  }
  return d / Math.sqrt(na * nb);
}

async function outputs(file: string, feeds: Record<string, ort.Tensor>[]): Promise<Float32Array[]> {
  const s = await ort.InferenceSession.create(file, { intraOpNumThreads: 1 });
  try {
    const out: Float32Array[] = [];
    for (const f of feeds) out.push(Float32Array.from((await s.run(f))[s.outputNames[0]!]!.data as Float32Array));
    return out;
  } finally {
    await s.release();
  }
}

const rng = new Rng(7);
const images = Array.from({ length: 6 }, () => ({ image: new ort.Tensor('float32', rng.normal(3 * 32 * 32, 1), [1, 3, 32, 32]) }));
const texts = [[101, 4511, 102], [101, 671, 1373, 4289, 4638, 4212, 4275, 102], [101, ...Array.from({ length: 30 }, (_, i) => 2000 + 13 * i), 102]].map((ids) => ({
  text: new ort.Tensor('int64', BigInt64Array.from({ length: 52 }, (_, i) => BigInt(ids[i] ?? 0)), [1, 52]),
}));

describe('per-channel int8 weights', () => {
  it('reconstructs each column within half its step, transposed input or not', () => {
    const w = new Rng(1).normal(24 * 10, 1);
    for (let j = 0; j < 10; j++) w[3 * 10 + j] *= 1 + j * 3; // columns of very different magnitude
    const q = quantizePerColumn(w, 24, 10);
    const back = dequantize(q);
    for (let i = 0; i < w.length; i++) expect(Math.abs(back[i]! - w[i]!)).toBeLessThanOrEqual(q.scales[i % 10]! / 2 + 1e-7);
    // nn.Linear layout [out, in] with transB gives the same [in, out] result.
    const wt = new Float32Array(240);
    for (let i = 0; i < 24; i++) for (let j = 0; j < 10; j++) wt[j * 24 + i] = w[i * 10 + j]!;
    const qt = quantizePerColumn(wt, 10, 24, true);
    expect(Array.from(qt.values)).toEqual(Array.from(q.values));
    expect(Array.from(qt.scales)).toEqual(Array.from(q.scales));
    expect(Math.max(...Array.from(q.values, Math.abs))).toBe(127);
  });
});

describe.each(['DynamicQuantizeMatMul', 'MatMulInteger'] as const)('quantizing mini-clip with %s', (kernel) => {
  it('image tower, product by product: every weight product but the projection is int8, Conv / LayerNorm / Softmax / attention stay float', async () => {
    const { file, report } = await quantized('img', kernel, true, false);
    expect(report.fusedAttention).toEqual([]);
    // 2 blocks × (in-projection via Transpose, out-projection Gemm, c_fc via Transpose/Identity, c_proj).
    expect(report.quantized).toHaveLength(8);
    expect(report.quantized.filter((q) => q.op === 'Gemm')).toHaveLength(2);
    expect(report.quantized.filter((q) => q.via.join('>') === 'Identity>Transpose')).toHaveLength(1);
    expect(report.quantized.filter((q) => q.k === 64 && q.n === 192)).toHaveLength(2); // packed [3W, W] in-projection
    expect(report.keptFloat).toEqual([expect.objectContaining({ reason: 'final projection to the embedding' })]);
    const m = await OnnxModel.load(file);
    const before = await OnnxModel.load(path.join(src, 'mini.img.fp32.onnx'));
    const int8Op = kernel === 'DynamicQuantizeMatMul' ? 'DynamicQuantizeMatMul' : 'MatMulInteger';
    expect(count(m, int8Op)).toBe(8);
    expect(count(m, 'Gemm')).toBe(0);
    for (const op of ['Conv', 'Softmax', 'ReduceMean', 'Sqrt', 'Sigmoid', 'Slice']) expect(count(m, op), op).toBe(count(before, op));
    expect(count(m, 'MatMul')).toBe(2 * 2 + 1); // q·kᵀ and p·v per block, and the projection
    // The shared c_fc weight is quantized once; no float copy of a quantized weight is left.
    const int8Inits = (m.graph.initializer ?? []).filter((t) => t.dataType === DT.INT8);
    expect(int8Inits).toHaveLength(7);
    expect(int8Inits.every(isExternal)).toBe(true);
    expect(report.floatWeightBytes).toBeGreaterThan(3.5 * report.int8WeightBytes);
    expect(fs.statSync(`${file}.extra_file`).size).toBeLessThan(fs.statSync(path.join(src, 'mini.img.fp32.onnx.extra_file')).size / 2);
    await m.close();
    await before.close();
  });

  it('text tower, product by product: the 12 folded weights are int8, text_projection stays float', async () => {
    const { report } = await quantized('txt', kernel, true, false);
    expect(report.quantized).toHaveLength(12);
    expect(report.quantized.every((q) => q.via.length === 0)).toBe(true);
    expect(report.keptFloat.map((k) => k.weight)).toEqual([expect.stringMatching(/^text_projection/)]);
  });

  it('keeps the embeddings within cosine 0.999 of fp32 (the bound models quantize checks is 0.99)', async () => {
    const [img, txt] = [await quantized('img', kernel), await quantized('txt', kernel)];
    const ref = [...(await outputs(path.join(src, 'mini.img.fp32.onnx'), images)), ...(await outputs(path.join(src, 'mini.txt.fp32.onnx'), texts))];
    const got = [...(await outputs(img.file, images)), ...(await outputs(txt.file, texts))];
    const cos = ref.map((r, i) => cosine(r, got[i]!));
    expect(Math.min(...cos)).toBeGreaterThan(0.999);
    expect(Math.min(...cos)).toBeLessThan(1); // it really is a different (quantized) computation
  });
});

describe('fused attention and patch embedding (DynamicQuantizeMatMul, the default)', () => {
  it('rewrites each traced nn.MultiheadAttention into one QAttention and the patch Conv into an int8 product', async () => {
    const { file, report } = await quantized('img', 'DynamicQuantizeMatMul');
    expect(report.fusedAttention).toEqual([
      expect.objectContaining({ heads: 2, headDim: 32 }),
      expect.objectContaining({ heads: 2, headDim: 32 }),
    ]);
    expect(report.patchEmbedding).toEqual([expect.objectContaining({ patch: 8, grid: 4, channels: 3, dim: 64 })]);
    // Left to quantize product by product: 2 × (out-projection Gemm, c_fc, c_proj).
    expect(report.quantized).toHaveLength(6);
    expect(report.keptFloat).toEqual([expect.objectContaining({ reason: 'final projection to the embedding' })]);
    const m = await OnnxModel.load(file);
    expect(count(m, 'QAttention')).toBe(2);
    expect(count(m, 'DynamicQuantizeLinear')).toBe(2);
    expect(count(m, 'DynamicQuantizeMatMul')).toBe(7);
    for (const op of ['Conv', 'Softmax', 'Slice', 'Gemm']) expect(count(m, op), op).toBe(0);
    expect(count(m, 'MatMul')).toBe(1); // the projection
    const qa = (m.graph.node ?? []).find((n) => n.opType === 'QAttention')!;
    expect((qa.attribute ?? []).map((a) => a.name)).toEqual(['num_heads']); // 1/√d: the kernel's default scale
    await m.close();
  });

  it('text tower: each layer\'s query, key and value products read their input once, as one int8 product', async () => {
    const { file, report } = await quantized('txt', 'DynamicQuantizeMatMul');
    expect(report.sharedInput).toEqual([expect.objectContaining({ widths: [64, 64, 64] }), expect.objectContaining({ widths: [64, 64, 64] })]);
    expect(report.quantized).toHaveLength(8); // 2 layers × (q|k|v, attention output, intermediate, output)
    const m = await OnnxModel.load(file);
    expect(count(m, 'DynamicQuantizeMatMul')).toBe(8);
    expect(count(m, 'Split')).toBe(2);
    await m.close();
    const [a, b, ref] = [await outputs(file, texts), await outputs((await quantized('txt', 'DynamicQuantizeMatMul', true, false)).file, texts), await outputs(path.join(src, 'mini.txt.fp32.onnx'), texts)];
    for (let i = 0; i < texts.length; i++) {
      expect(cosine(a[i]!, ref[i]!)).toBeGreaterThan(0.999);
      expect(cosine(a[i]!, b[i]!)).toBeGreaterThan(0.9999);
    }
  });

  it('computes what the product-by-product int8 graph computes, within int8 noise of fp32', async () => {
    const [fused, plain] = [await quantized('img', 'DynamicQuantizeMatMul'), await quantized('img', 'DynamicQuantizeMatMul', true, false)];
    const ref = await outputs(path.join(src, 'mini.img.fp32.onnx'), images);
    const [a, b] = [await outputs(fused.file, images), await outputs(plain.file, images)];
    for (let i = 0; i < images.length; i++) {
      expect(cosine(a[i]!, ref[i]!)).toBeGreaterThan(0.999);
      expect(cosine(a[i]!, b[i]!)).toBeGreaterThan(0.999);
    }
  });
});

describe('ModifiedResNet (RN50 form, scaled down)', () => {
  it('quantizes the attention pool\'s separate q/k/v projections, keeps c_proj (the projection) and every Conv float', async () => {
    const file = path.join(root, 'rn', 'rn.img.fp32.onnx');
    await buildModifiedResNet({ resolution: 64, layers: [1, 1, 1, 1], width: 16, heads: 8, outDim: 24 }, 5).save(file, { externalData: true });
    const model = await OnnxModel.load(file);
    const convs = count(model, 'Conv');
    const report = await quantizeGraph(model);
    expect(report.quantized.map((q) => q.via.join('>'))).toEqual(['Transpose', 'Transpose', 'Transpose']);
    expect(report.quantized.every((q) => !q.biasFused)).toBe(true); // the bias is Slice(Concat(...)): left to its Add
    expect(report.keptFloat).toEqual([expect.objectContaining({ op: 'Gemm', reason: 'final projection to the embedding' })]);
    expect(count(model, 'Conv')).toBe(convs);
    const out = path.join(root, 'rn', 'rn.img.int8.onnx');
    await model.save(out);
    const feeds = [{ image: new ort.Tensor('float32', new Rng(9).normal(3 * 64 * 64, 1), [1, 3, 64, 64]) }];
    const [a, b] = [(await outputs(file, feeds))[0]!, (await outputs(out, feeds))[0]!];
    expect(cosine(a, b)).toBeGreaterThan(0.999);
  });
});

describe('options and external data', () => {
  it('quantizes the projection too when asked', async () => {
    const { report } = await quantized('txt', 'DynamicQuantizeMatMul', false);
    expect(report.quantized).toHaveLength(9); // 8 (q|k|v fused per layer) + the projection
    expect(report.keptFloat).toEqual([]);
  });

  it('writes a self-contained directory: the graph loads after moving it, its data in its own .extra_file', async () => {
    const { file } = await quantized('img', 'DynamicQuantizeMatMul');
    const moved = path.join(root, 'moved');
    await fs.promises.mkdir(moved);
    for (const f of [file, `${file}.extra_file`]) await fs.promises.rename(f, path.join(moved, path.basename(f)));
    const m = await OnnxModel.load(path.join(moved, 'mini.img.int8.onnx'));
    const locations = new Set((m.graph.initializer ?? []).filter(isExternal).map((t) => t.externalData!.find((e) => e.key === 'location')!.value));
    expect([...locations]).toEqual(['mini.img.int8.onnx.extra_file']);
    const w = (m.graph.initializer ?? []).find((t) => t.dataType === DT.INT8)!;
    const values = await m.readTensor(w);
    expect(values.data.length).toBe((w.dims ?? []).reduce<number>((a, d) => a * toNum(d), 1));
    await m.close();
    const [v] = await outputs(path.join(moved, 'mini.img.int8.onnx'), images.slice(0, 1));
    expect(v!.length).toBe(32);
  });

  it('reads the source weights inline as well as external', async () => {
    const inline = await OnnxModel.load(path.join(src, 'mini.txt.fp32.onnx'));
    const inlineFile = path.join(root, 'inline', 'mini.txt.fp32.onnx');
    await inline.save(inlineFile, Number.MAX_SAFE_INTEGER); // everything inline, like the official fp32 text export
    expect(fs.existsSync(`${inlineFile}.extra_file`)).toBe(false);
    const m = await OnnxModel.load(inlineFile);
    const report = await quantizeGraph(m);
    expect(report.quantized).toHaveLength(8); // 2 layers × (q|k|v, attention output, intermediate, output)
    await m.save(path.join(root, 'inline-int8', 'mini.txt.int8.onnx'));
    const [a] = await outputs(path.join(root, 'inline-int8', 'mini.txt.int8.onnx'), texts.slice(0, 1));
    const [b] = await outputs(path.join(src, 'mini.txt.fp32.onnx'), texts.slice(0, 1));
    expect(cosine(a!, b!)).toBeGreaterThan(0.999);
  });
});
