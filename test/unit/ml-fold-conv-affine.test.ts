/**
 * Folding the scalar arithmetic around convolutions (ml/quantize/fold-conv-affine.ts): on graphs
 * built like paddle2onnx's PP-LCNetV3 blocks (weights in Constant nodes, learnable affine blocks,
 * hard-swish spelled out) and on the shipped PP-OCRv4 graphs themselves, the folded graph computes
 * what the original computes, with the element-wise chains gone; what does not match exactly
 * (a value read twice, a graph output) is left as it was.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { foldConvAffine, foldedGraphBytes } from '../../electron/engine/ml/quantize/fold-conv-affine.ts';
import { OnnxModel } from '../../electron/engine/ml/quantize/onnx-model.ts';
import { defaultOcrManifestPath, resolveOcrModel } from '../../electron/engine/ml/ocr/manifest.ts';
import { f, GraphBuilder, Rng } from '../../scripts/models/onnx-builder.ts';

let root: string;
beforeAll(async () => {
  root = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'shiguang-fold-'));
});
afterAll(async () => {
  await fs.promises.rm(root, { recursive: true, force: true });
});

const C = 4;
const H = 9;
const W = 11;

interface BlockOptions {
  opset: number;
  /** Also make the first affine's result a graph output (it must then stay). */
  exposeAffine?: boolean;
  /** Read the first convolution's output a second time (its affine must then stay). */
  readTwice?: boolean;
}

/**
 * x → Conv3×3(pad 1) → Mul(s) → Add(b) → hard-swish → Mul(s) → Add(b) → depthwise Conv3×3(pad 1)
 *   → Mul(s) → Add(b) → hard-swish → Mul(s) → Add(b) → Conv1×1 → y
 */
async function buildBlocks(file: string, opts: BlockOptions): Promise<void> {
  const g = new GraphBuilder('lcnet-blocks', { opset: opts.opset, irVersion: 8 });
  const rng = new Rng(11);
  const x = g.input('x', 'float32', [1, C, H, W]);
  const scalar = (v: number): string => g.constFloat('s', v);
  const hardSwish = (t: string): string => {
    const shifted = g.node1('Add', [t, scalar(3)]);
    const clipped = opts.opset >= 11 ? g.node1('Clip', [shifted, scalar(0), scalar(6)]) : g.node1('Clip', [shifted], { min: f(0), max: f(6) });
    return g.node1('Div', [g.node1('Mul', [t, clipped]), scalar(6)]);
  };
  const affine = (t: string, s: number, b: number, output?: string): string => g.node1('Add', [g.node1('Mul', [scalar(s), t]), scalar(b)], {}, output);
  const conv = (t: string, k: number, group: number, bias: boolean): string => {
    const w = g.constant('w', rng.normal((C * C * k * k) / group, 0.5), [C, C / group, k, k]);
    const ins = bias ? [t, w, g.constant('b', rng.normal(C, 0.2), [C])] : [t, w];
    return g.node1('Conv', ins, { kernel_shape: [k, k], pads: k === 1 ? [0, 0, 0, 0] : [1, 1, 1, 1], group, strides: [1, 1] });
  };
  const c1 = conv(x, 3, 1, false);
  const a1 = affine(c1, 0.9, 0.5, opts.exposeAffine ? 'a1' : undefined);
  const h1 = hardSwish(a1);
  const side = opts.readTwice ? g.node1('Relu', [c1]) : null;
  const d = conv(affine(h1, 0.47, -0.3), 3, C, true);
  const h2 = hardSwish(affine(d, 1.9, 0.8));
  let y = conv(affine(h2, 0.63, -0.55), 1, 1, true);
  if (side) y = g.node1('Add', [y, side]);
  g.node1('Identity', [y], {}, 'y');
  g.output('y', 'float32', [1, C, H, W]);
  if (opts.exposeAffine) g.output('a1', 'float32', [1, C, H, W]);
  await g.save(file);
}

async function run(graph: string | Uint8Array, feeds: Record<string, ort.Tensor>[]): Promise<Float32Array[]> {
  const s = typeof graph === 'string' ? await ort.InferenceSession.create(graph, { intraOpNumThreads: 1 }) : await ort.InferenceSession.create(graph, { intraOpNumThreads: 1 });
  try {
    const out: Float32Array[] = [];
    for (const feed of feeds) out.push(Float32Array.from((await s.run(feed))[s.outputNames[0]!]!.data as Float32Array));
    return out;
  } finally {
    await s.release();
  }
}

function maxAbsDiff(a: Float32Array[], b: Float32Array[]): number {
  let m = 0;
  a.forEach((x, i) => x.forEach((v, k) => (m = Math.max(m, Math.abs(v - b[i]![k]!)))));
  return m;
}
const ops = (m: OnnxModel, op: string): number => (m.graph.node ?? []).filter((n) => n.opType === op).length;

async function foldedFile(src: string): Promise<{ model: OnnxModel; report: Awaited<ReturnType<typeof foldConvAffine>>; file: string }> {
  const model = await OnnxModel.load(src);
  const report = await foldConvAffine(model);
  const file = src.replace(/\.onnx$/, '.folded.onnx');
  await model.save(file, Infinity);
  return { model, report, file };
}

const rng = new Rng(5);
const feeds = Array.from({ length: 4 }, () => ({ x: new ort.Tensor('float32', rng.normal(C * H * W, 2), [1, C, H, W]) }));

describe('folding learnable affine blocks and hard-swish', () => {
  it.each([11, 9])('opset %i: every affine goes into its convolution, hard-swish becomes x · HardSigmoid(x), the output stays the same', async (opset) => {
    const src = path.join(root, `blocks-${opset}.onnx`);
    await buildBlocks(src, { opset });
    const { model, report, file } = await foldedFile(src);
    expect(report).toMatchObject({ affineAfterConv: 2, hardSwish: 2, affineBeforeConv: 2 });
    expect(ops(model, 'Clip') + ops(model, 'Div')).toBe(0);
    expect(ops(model, 'HardSigmoid')).toBe(2);
    expect(ops(model, 'Conv')).toBe(3);
    // Two Muls of hard-swish remain; of the affines only the shift before the padded depthwise
    // convolution (it cannot go into the bias: the zeros it pads would move too), as a
    // BatchNormalization that ONNX Runtime keeps in its convolutions' layout.
    expect(ops(model, 'Mul')).toBe(2);
    expect(ops(model, 'Add')).toBe(0);
    expect(ops(model, 'BatchNormalization')).toBe(1);
    const before = await run(src, feeds);
    const after = await run(file, feeds);
    expect(maxAbsDiff(before, after)).toBeLessThan(1e-4);
    expect(maxAbsDiff(before, before.map((v) => new Float32Array(v.length)))).toBeGreaterThan(0.5); // not all zeros
  });

  it('leaves an affine whose result is a graph output, or whose convolution\'s output is read by another node, where it was', async () => {
    for (const [name, opts] of [['exposed', { opset: 11, exposeAffine: true }], ['twice', { opset: 11, readTwice: true }]] as const) {
      const src = path.join(root, `${name}.onnx`);
      await buildBlocks(src, opts);
      const { report, file } = await foldedFile(src);
      // The first affine stays; the hard-swish after it still folds (it only reads the value).
      expect(report).toMatchObject({ affineAfterConv: 1, hardSwish: 2, affineBeforeConv: 2 });
      expect(maxAbsDiff(await run(src, feeds), await run(file, feeds))).toBeLessThan(1e-4);
    }
  });
});

describe('the shipped PP-OCRv4 graphs', () => {
  const model = resolveOcrModel(defaultOcrManifestPath());

  it('detector: 28 affines after, 20 before convolutions and 24 hard-swishes folded; the same probability map', async () => {
    const bytes = fs.readFileSync(model.detGraph);
    const { bytes: folded, report } = await foldedGraphBytes(bytes, model.detGraph);
    expect(report).toMatchObject({ affineAfterConv: 28, hardSwish: 24, affineBeforeConv: 20 });
    expect(report.nodesAfter).toBeLessThan(report.nodesBefore / 2);
    const r = new Rng(3);
    const input = Array.from({ length: 2 }, () => ({ x: new ort.Tensor('float32', r.normal(3 * 96 * 128, 1), [1, 3, 96, 128]) }));
    expect(maxAbsDiff(await run(bytes, input), await run(folded, input))).toBeLessThan(1e-4);
  });

  it('recogniser: the same character probabilities for every column of a batch', async () => {
    const bytes = fs.readFileSync(model.recGraph);
    const { bytes: folded, report } = await foldedGraphBytes(bytes, model.recGraph);
    expect(report).toMatchObject({ affineAfterConv: 28, hardSwish: 28, affineBeforeConv: 25 });
    const r = new Rng(4);
    const input = [{ x: new ort.Tensor('float32', r.normal(2 * 3 * 48 * 160, 0.6), [2, 3, 48, 160]) }];
    expect(maxAbsDiff(await run(bytes, input), await run(folded, input))).toBeLessThan(1e-4);
  });
});
