/**
 * The recogniser answering each step's best class and its probability from inside its graph
 * (ml/quantize/best-class-outputs.ts): on the shipped PP-OCRv4 recogniser, folded as the app
 * opens it, the new outputs are exactly what the decoder took from the whole distribution, and the
 * decoded lines are the same; what is not a fixed-size distribution is refused, so the app keeps
 * decoding in JS.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { appendBestClass, bestClassGraphBytes } from '../../electron/engine/ml/quantize/best-class-outputs.ts';
import { foldedGraphBytes } from '../../electron/engine/ml/quantize/fold-conv-affine.ts';
import { OnnxModel } from '../../electron/engine/ml/quantize/onnx-model.ts';
import { ctcDecodeBest, ctcGreedyDecode, parseDictionary } from '../../electron/engine/ml/ocr/ctc.ts';
import { defaultOcrManifestPath, resolveOcrModel } from '../../electron/engine/ml/ocr/manifest.ts';
import { OcrSessions } from '../../electron/engine/ml/ocr/ocr-sessions.ts';
import { Rng } from '../../scripts/models/onnx-builder.ts';

const model = resolveOcrModel(defaultOcrManifestPath());
const rec = model.manifest.recognition;

async function runOnce(bytes: Uint8Array, x: ort.Tensor, outputs: string[]): Promise<ort.InferenceSession.OnnxValueMapType> {
  const s = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  try {
    return await s.run({ [rec.input]: x }, outputs);
  } finally {
    await s.release();
  }
}

describe('best class per step, computed in the graph', () => {
  it('gives the shipped recogniser the decoder\'s inputs exactly, and the same readings', async () => {
    const { bytes: folded } = await foldedGraphBytes(fs.readFileSync(model.recGraph), model.recGraph);
    const { bytes: best, outputs } = bestClassGraphBytes(folded, rec.output, model.recGraph);
    const dictionary = parseDictionary(fs.readFileSync(model.dictionaryPath, 'utf8'), rec.useSpaceChar);
    expect(outputs.classes).toBe(dictionary.length + 1);
    const n = 3;
    const width = 320;
    const x = new ort.Tensor('float32', new Rng(5).normal(n * 3 * rec.height * width, 0.7), [n, 3, rec.height, width]);
    const whole = (await runOnce(folded, x, [rec.output]))[rec.output]!;
    const answered = await runOnce(best, x, [outputs.index, outputs.prob]);
    const [, steps, classes] = whole.dims as number[];
    const probs = whole.data as Float32Array;
    const index = answered[outputs.index]!;
    expect(index.type).toBe('int64');
    expect(index.dims).toEqual([n, steps]);
    const idx = index.data as BigInt64Array;
    const prob = answered[outputs.prob]!.data as Float32Array;
    for (let i = 0; i < n * steps!; i++) {
      const row = probs.subarray(i * classes!, (i + 1) * classes!);
      let b = 0;
      for (let c = 1; c < classes!; c++) if (row[c]! > row[b]!) b = c;
      expect(Number(idx[i])).toBe(b);
      expect(prob[i]).toBe(row[b]);
    }
    for (let line = 0; line < n; line++) {
      const fromWhole = ctcGreedyDecode(probs.subarray(line * steps! * classes!, (line + 1) * steps! * classes!), steps!, classes!, dictionary);
      const fromBest = ctcDecodeBest(idx.subarray(line * steps!, (line + 1) * steps!), prob.subarray(line * steps!, (line + 1) * steps!), dictionary);
      expect(fromBest).toEqual(fromWhole);
    }
  });

  it('refuses what is not a fixed-size distribution over steps, leaving the graph as it was', () => {
    const det = OnnxModel.fromBytes(fs.readFileSync(model.detGraph), model.detGraph);
    const outputsBefore = JSON.stringify(det.graph.output);
    const nodesBefore = det.graph.node!.length;
    // The detector's map is rank 4; a name the graph does not output is not an output.
    expect(() => appendBestClass(det, model.manifest.detection.output)).toThrow(/rank-3 float output/);
    expect(() => appendBestClass(det, 'no-such-output')).toThrow(/rank-3 float output/);
    expect(JSON.stringify(det.graph.output)).toBe(outputsBefore);
    expect(det.graph.node!.length).toBe(nodesBefore);
  });

  it('refuses, when the sessions open, a dictionary that is not the recogniser\'s classes — with the outputs in the graph or decoded in JS', async () => {
    const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'shiguang-dict-'));
    try {
      const dictionaryPath = path.join(dir, 'keys.txt');
      const lines = fs.readFileSync(model.dictionaryPath, 'utf8').split(/\r?\n/);
      fs.writeFileSync(dictionaryPath, lines.slice(1).join('\n'));
      const short = { ...model, clsGraph: null, dictionaryPath };
      for (const bestClassInGraph of [true, false]) {
        await expect(OcrSessions.open(short, { provider: 'cpu', threads: 1, bestClassInGraph })).rejects.toThrow(/6625 classes but the dictionary gives 6624/);
      }
    } finally {
      await fs.promises.rm(dir, { recursive: true, force: true });
    }
  });
});
