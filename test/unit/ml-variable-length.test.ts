/**
 * Short sequences: the fixed-length [1,52] text graph in the official export form, rewritten to
 * take [1,n], gives the same [CLS] vectors (parity), a graph that is not padding-invariant fails
 * the proof, and the engine trims rows only for a manifest that says so.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseManifest } from '../../electron/engine/ml/manifest.ts';
import { resolveModelDir } from '../../electron/engine/ml/model-dir.ts';
import { TowerSession, unpaddedLength } from '../../electron/engine/ml/onnx-session.ts';
import { OnnxModel, toNum } from '../../electron/engine/ml/quantize/onnx-model.ts';
import { proveVariableLength } from '../../electron/engine/ml/quantize/parity.ts';
import { DEFAULT_PARITY_TEXTS, quantizeModelDir } from '../../electron/engine/ml/quantize/quantize-model.ts';
import { makeTextVariableLength } from '../../electron/engine/ml/quantize/variable-length.ts';
import { addVariableLengthText } from '../../electron/engine/ml/quantize/variable-length-model.ts';
import { importModel } from '../../electron/engine/models/install.ts';
import { ChineseClipTokenizer, defaultVocabPath } from '../../electron/engine/ml/tokenizer.ts';
import { GraphBuilder } from '../../scripts/models/onnx-builder.ts';
import { generateMiniClip } from '../../scripts/models/mini-clip.ts';
import { writeMeanPoolTextGraph } from '../../scripts/models/mean-pool-text.ts';
import { officialContractManifest, writeManifest } from '../../scripts/models/write-manifest.ts';

let root: string;
let mini: string;
const tokenizer = ChineseClipTokenizer.fromVocabFile(defaultVocabPath(), { contextLength: 52 });
const rows = DEFAULT_PARITY_TEXTS.map((t) => tokenizer.encode(t));
const io = { input: 'text', output: 'unnorm_text_features', contextLength: 52, dtype: 'int64' as const };

beforeAll(async () => {
  root = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'shiguang-varlen-'));
  mini = path.join(root, 'mini');
  await generateMiniClip(mini);
});

afterAll(async () => {
  await fs.promises.rm(root, { recursive: true, force: true });
});

async function rewrite(src: string, out: string): Promise<Awaited<ReturnType<typeof makeTextVariableLength>>> {
  const m = await OnnxModel.load(src);
  const report = await makeTextVariableLength(m, 'text', 52);
  await m.save(out);
  return report;
}

describe('variable-length text graph', () => {
  it('rewrites the baked-in length and proves parity at every length from 2 to 52', async () => {
    const out = path.join(root, 'var', 'mini.txt.onnx');
    const report = await rewrite(path.join(mini, 'mini.txt.fp32.onnx'), out);
    expect(report.reshapes).toBe(2 * 4); // q, k, v heads and the merge, per layer
    expect(report.slicedConstants).toHaveLength(2); // position ids [52], token types [1,52]
    const m = await OnnxModel.load(out);
    expect(m.graph.input![0]!.type!.tensorType!.shape!.dim![1]!.dimParam).toBe('sequence');
    expect(toNum(m.graph.input![0]!.type!.tensorType!.shape!.dim![0]!.dimValue)).toBe(1);
    await m.close();
    const proof = await proveVariableLength(path.join(mini, 'mini.txt.fp32.onnx'), out, io, rows);
    expect(proof.passed).toBe(true);
    expect(proof.lengths[0]).toBe(2); // "" → [CLS][SEP]
    expect(proof.lengths.at(-1)).toBe(52); // truncated at the context length
    expect(proof.maxAbsDiff).toBeLessThan(1e-5);
  });

  it('fails the proof for a tower that is not padding-invariant (mean over all positions)', async () => {
    const fixed = path.join(root, 'mean', 'fixed.onnx');
    await writeMeanPoolTextGraph(fixed);
    const variable = path.join(root, 'mean', 'variable.onnx');
    await rewrite(fixed, variable);
    const proof = await proveVariableLength(fixed, variable, io, rows);
    expect(proof.passed).toBe(false);
    expect(proof.minCosine).toBeLessThan(0.999);
  });
});

describe('models quantize output', () => {
  it('uses the variable-length graph once proven, and its vectors match the fixed fp32 model', async () => {
    const out = path.join(root, 'mini-int8');
    const result = await quantizeModelDir(mini, out);
    expect(result.variableLength).toMatchObject({ passed: true });
    const manifest = parseManifest(JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')), out);
    expect(manifest).toMatchObject({ id: 'test-mini-clip-int8', precision: 'int8', text: { variableLength: true, file: 'mini.txt.int8.onnx' }, image: { file: 'mini.img.int8.onnx' } });
    expect(manifest.quantization).toMatchObject({ method: 'dynamic-int8', kernel: 'DynamicQuantizeMatMul', sourceId: 'test-mini-clip' });
    expect(manifest.quantization!.keptFloat).toHaveLength(2);

    const fp32 = await TowerSession.open(resolveModelDir(mini), 'text', { provider: 'cpu', threads: 1 });
    const int8 = await TowerSession.open(resolveModelDir(out), 'text', { provider: 'cpu', threads: 1 });
    try {
      const a = await fp32.encodeTexts(rows);
      const b = await int8.encodeTexts(rows);
      a.forEach((v, i) => expect(v.reduce((s, x, j) => s + x * b[i]![j]!, 0)).toBeGreaterThan(0.999));
    } finally {
      await fp32.close();
      await int8.close();
    }
  });
});

describe('short sequences for a model that stays fp32', () => {
  it('adds a variable-length text graph sharing the weights file, proven, and installable', async () => {
    const dir = path.join(root, 'fp32-varlen');
    await generateMiniClip(dir);
    const { file, proof, manifest } = await addVariableLengthText(dir);
    expect(proof.passed).toBe(true);
    expect(file).toBe('mini.txt.fp32.varlen.onnx');
    expect(manifest.text).toMatchObject({ file, variableLength: true });
    expect(fs.existsSync(path.join(dir, `${file}.extra_file`))).toBe(false); // weights shared, not copied
    expect(fs.statSync(path.join(dir, file)).size).toBeLessThan(200_000);
    const installed = await importModel(dir, path.join(root, 'installed'));
    expect(fs.existsSync(path.join(installed.dir, 'mini.txt.fp32.onnx.extra_file'))).toBe(true);
    const a = await TowerSession.open(resolveModelDir(mini), 'text', { provider: 'cpu', threads: 1 });
    const b = await TowerSession.open(resolveModelDir(installed.dir), 'text', { provider: 'cpu', threads: 1 });
    try {
      const [va, vb] = [await a.encodeTexts(rows), await b.encodeTexts(rows)];
      va.forEach((v, i) => v.forEach((x, j) => expect(x).toBeCloseTo(vb[i]![j]!, 5)));
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('encodeTexts trims padding only for a variable-length manifest', () => {
  // A graph whose output is [n, 1]: it tells which length it was given.
  async function lengthModel(dir: string, variableLength: boolean): Promise<string> {
    const g = new GraphBuilder('length', { opset: 13, irVersion: 7 });
    g.input('text', 'int64', [1, 'sequence']);
    const n = g.node1('Cast', [g.node1('Gather', [g.node1('Shape', ['text']), g.ints('one', [1])], { axis: 0 })], { to: 1 });
    g.node('Concat', [g.node1('Unsqueeze', [n, g.ints('axes', [0])]), g.floats('one', [1], [1, 1])], ['unnorm_text_features'], { axis: 1 });
    g.output('unnorm_text_features', 'float32', [1, 2]);
    await g.save(path.join(dir, 'len.txt.onnx'));
    const img = new GraphBuilder('img');
    img.input('image', 'float32', [1, 3, 8, 8]);
    img.node('ReduceMean', ['image'], ['unnorm_image_features'], { axes: [2, 3], keepdims: 0 });
    img.output('unnorm_image_features', 'float32', [1, 2]);
    await img.save(path.join(dir, 'len.img.onnx'));
    const base = officialContractManifest({ id: 'len', name: 'len', architecture: 'test', embeddingDim: 2, resolution: 8, stem: 'len', imageBatch: 'fixed', source: 'test' });
    const text = { ...(base.text as object), file: 'len.txt.onnx', variableLength };
    await writeManifest(dir, { ...base, image: { ...(base.image as object), file: 'len.img.onnx' }, text });
    return dir;
  }

  it.each([
    [true, 3],
    [false, 52],
  ])('variableLength %s → the graph sees length %i', async (variableLength, expected) => {
    const dir = await lengthModel(path.join(root, `len-${variableLength}`), variableLength);
    const s = await TowerSession.open(resolveModelDir(dir), 'text', { provider: 'cpu', threads: 1 });
    try {
      const [v] = await s.encodeTexts([tokenizer.encode('猫')]);
      expect(v![0]! / v![1]!).toBeCloseTo(expected, 4);
    } finally {
      await s.close();
    }
  });

  it('unpaddedLength drops only trailing [PAD]', () => {
    expect(unpaddedLength([101, 0, 5, 102, 0, 0])).toBe(4);
    expect(unpaddedLength([101, 102])).toBe(2);
    expect(unpaddedLength([0, 0])).toBe(1);
  });
});
