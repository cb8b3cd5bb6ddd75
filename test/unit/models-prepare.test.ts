/**
 * Installing a model prepares it: the test encode, then short sequences for the text tower when the
 * rewrite is proven exact on that graph. An inline-weights text graph (the official fp32 export's
 * form) is replaced, so the model takes no more disk; a graph the proof rejects is left alone.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveModelDir } from '../../electron/engine/ml/model-dir.ts';
import { ModelRuntime } from '../../electron/engine/ml/model-runtime.ts';
import { prepareModelDir } from '../../electron/engine/ml/prepare-model.ts';
import { OnnxModel, externalDataFiles } from '../../electron/engine/ml/quantize/onnx-model.ts';
import { importModel } from '../../electron/engine/models/install.ts';
import { generateMiniClip } from '../../scripts/models/mini-clip.ts';
import { writeMeanPoolTextGraph } from '../../scripts/models/mean-pool-text.ts';

const testModels = process.env.SHIGUANG_TEST_MODELS ?? path.resolve('.cache/test-models');
let root: string;
let mini: string;

beforeAll(async () => {
  root = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'shiguang-prepare-'));
  mini = path.join(root, 'mini');
  await generateMiniClip(mini);
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

async function textVector(dir: string, text: string): Promise<Float32Array> {
  const runtime = ModelRuntime.load(dir, { provider: 'cpu', threads: 1 });
  try {
    return (await runtime.embedTexts([text]))[0]!;
  } finally {
    await runtime.close();
  }
}

describe('model preparation at install', () => {
  it('gives the imported model a proven variable-length text graph with the same vectors', async () => {
    const lines: string[] = [];
    const models = path.join(root, 'models-a');
    const installed = await importModel(mini, models, { validate: (dir) => prepareModelDir(dir, { log: (l) => lines.push(l) }) });
    const manifest = resolveModelDir(installed.dir).manifest;
    expect(manifest.text.variableLength).toBe(true);
    expect(manifest.text.file).toMatch(/\.varlen\.onnx$/);
    expect(lines.join('\n')).toMatch(/short sequences/);
    for (const q of ['猫', '海边的日落', '穿汉服的女孩在樱花树下']) {
      const [a, b] = [await textVector(mini, q), await textVector(installed.dir, q)];
      let dot = 0;
      for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
      expect(dot).toBeGreaterThan(0.99999);
    }
  });

  it('replaces an inline-weights text graph instead of keeping two copies', async () => {
    // The official fp32 export keeps its weights inside the .onnx file: make mini-clip's text graph so.
    const inlineDir = path.join(root, 'inline');
    fs.cpSync(mini, inlineDir, { recursive: true });
    const model = resolveModelDir(inlineDir);
    const graph = await OnnxModel.load(model.textGraph);
    const tmp = `${model.textGraph}.tmp`;
    await graph.save(tmp, Number.MAX_SAFE_INTEGER);
    await graph.close();
    fs.renameSync(tmp, model.textGraph);
    const check = await OnnxModel.load(model.textGraph);
    expect(externalDataFiles(check.graph)).toEqual([]);
    await check.close();

    const models = path.join(root, 'models-b');
    const installed = await importModel(inlineDir, models, { validate: (dir) => prepareModelDir(dir) });
    const files = fs.readdirSync(installed.dir);
    const manifest = resolveModelDir(installed.dir).manifest;
    expect(manifest.text.variableLength).toBe(true);
    expect(files).not.toContain(path.basename(model.textGraph)); // the fixed-length original is gone
    expect(files).toContain(manifest.text.file);
  });

  it('leaves a text graph the proof rejects as it was', async () => {
    // A text tower that averages over all 52 positions: its vector depends on the padding, so the
    // short-sequence rewrite must be refused and the fixed graph kept.
    const dir = path.join(root, 'mean-pool');
    fs.cpSync(path.join(testModels, 'tiny'), dir, { recursive: true });
    await writeMeanPoolTextGraph(path.join(dir, 'tiny.txt.fp32.onnx'));

    const lines: string[] = [];
    const installed = await importModel(dir, path.join(root, 'models-c'), { validate: (d) => prepareModelDir(d, { log: (l) => lines.push(l) }) });
    const manifest = resolveModelDir(installed.dir).manifest;
    expect(manifest.text.variableLength).toBeUndefined();
    expect(manifest.text.file).toBe('tiny.txt.fp32.onnx');
    expect(lines.join('\n')).toMatch(/stays at its fixed length/);
    expect(fs.readdirSync(installed.dir).some((f) => f.includes('varlen'))).toBe(false);
    expect((await textVector(installed.dir, '红色')).length).toBe(8);
  });
});
