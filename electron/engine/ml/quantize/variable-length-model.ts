/**
 * Short sequences for a model that stays fp32: writes `<text graph>.varlen.onnx` beside the text
 * graph (its weights shared with the original when they are external, so this costs a few hundred
 * KB; an inline-weights graph gets its own `.extra_file`), proves parity with the fixed-length
 * graph, and only then points the manifest at it with `text.variableLength: true`.
 *
 * For model directories the app manages (installed models, bench models): it writes into the
 * directory, so never call it on a person's own export folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ModelManifest } from '../manifest.ts';
import { resolveModelDir } from '../model-dir.ts';
import { ChineseClipTokenizer } from '../tokenizer.ts';
import { OnnxModel } from './onnx-model.ts';
import { proveVariableLength, type ParityReport } from './parity.ts';
import { DEFAULT_PARITY_TEXTS } from './quantize-model.ts';
import { makeTextVariableLength } from './variable-length.ts';

export interface VariableLengthOutcome {
  file: string;
  proof: ParityReport;
  manifest: ModelManifest;
}

export async function addVariableLengthText(modelDir: string, parityTexts: string[] = DEFAULT_PARITY_TEXTS): Promise<VariableLengthOutcome> {
  const model = resolveModelDir(modelDir);
  const spec = model.manifest.text;
  if (spec.variableLength) throw new Error(`${model.manifest.id}: the text graph is already variable-length`);
  const file = spec.file.replace(/\.onnx$/, '.varlen.onnx');
  const out = path.join(model.dir, file);
  const graph = await OnnxModel.load(model.textGraph);
  try {
    await makeTextVariableLength(graph, spec.input, spec.contextLength);
    await graph.save(out, 1024, { shareExternal: true });
  } finally {
    await graph.close();
  }
  const tokenizer = ChineseClipTokenizer.fromVocabFile(model.vocabPath, { contextLength: spec.contextLength });
  const proof = await proveVariableLength(model.textGraph, out, { input: spec.input, output: spec.output, contextLength: spec.contextLength, dtype: spec.inputDtype }, parityTexts.map((t) => tokenizer.encode(t)));
  if (!proof.passed) {
    await fs.promises.rm(out, { force: true });
    await fs.promises.rm(`${out}.extra_file`, { force: true });
    throw new Error(`${model.manifest.id}: the variable-length text graph differs from the fixed one (max |Δ| ${proof.maxAbsDiff.toExponential(2)}); left unchanged`);
  }
  const manifestFile = path.join(model.dir, 'manifest.json');
  const written = fs.existsSync(manifestFile) ? (JSON.parse(await fs.promises.readFile(manifestFile, 'utf8')) as ModelManifest) : model.manifest;
  const manifest: ModelManifest = { ...written, text: { ...written.text, file, variableLength: true } };
  await fs.promises.writeFile(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
  return { file, proof, manifest };
}
