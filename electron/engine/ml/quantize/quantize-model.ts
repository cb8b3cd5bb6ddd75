/**
 * fp32 model directory → int8 model directory with its own manifest: both towers' weight
 * products quantized (./quantize-graph.ts); the text graph first made variable-length
 * (./variable-length.ts) and kept so only if parity with the fixed-length fp32 graph is proven
 * on it (./parity.ts) — the proof is done in fp32, where it must be exact, before quantizing.
 * The result loads with `--model DIR` and installs with `models import DIR`.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ModelManifest, QuantizationInfo } from '../manifest.ts';
import { resolveModelDir, type ResolvedModel } from '../model-dir.ts';
import { ChineseClipTokenizer } from '../tokenizer.ts';
import { OnnxModel } from './onnx-model.ts';
import { proveVariableLength, type ParityReport } from './parity.ts';
import { quantizeGraph, type Int8Kernel, type QuantizeGraphOptions, type QuantizeGraphReport } from './quantize-graph.ts';
import { makeTextVariableLength, VariableLengthError } from './variable-length.ts';

export class QuantizeError extends Error {}

export interface QuantizeProgress {
  stage: 'image' | 'text' | 'parity' | 'manifest';
  message: string;
}

export interface QuantizeModelOptions extends Pick<QuantizeGraphOptions, 'fuseAttention' | 'quantizePatchEmbedding' | 'fuseSharedInput' | 'attentionKernel'> {
  /** Id of the new model; default `<source id>-int8`. */
  id?: string;
  kernel?: Int8Kernel;
  keepProjection?: boolean;
  /** Try the variable-length text graph (kept only when parity is proven). Default true. */
  variableLength?: boolean;
  /** Texts for the parity proof (default: a built-in set spanning 2 to 52 tokens). */
  parityTexts?: string[];
  onProgress?: (p: QuantizeProgress) => void;
}

export interface QuantizeModelResult {
  dir: string;
  manifest: ModelManifest;
  image: QuantizeGraphReport;
  text: QuantizeGraphReport;
  /** The proof, when a variable-length text graph was tried; `passed` decides whether it is used. */
  variableLength: ParityReport | { passed: false; error: string } | null;
}

/** Short and long Chinese texts (prompt-like, query-like, one past the context length). */
export const DEFAULT_PARITY_TEXTS = [
  '',
  '猫',
  '一只猫的照片',
  '海边的日落',
  '穿汉服的女孩在樱花树下',
  '一张生日蛋糕的照片，上面插着蜡烛',
  '夜晚的城市街道，霓虹灯和雨后的倒影',
  '毕业典礼上穿学士服的同学们在教学楼前合影留念',
  '一只橘色的猫趴在窗台上晒太阳，窗外是下着雪的院子和光秃秃的树枝，远处还有几座红色屋顶的房子和一条小河',
];

/** `vit-b-16.img.fp32.onnx` → `vit-b-16.img.int8.onnx`; other names get `.int8` before `.onnx`. */
export function int8FileName(file: string): string {
  const base = path.basename(file);
  return /\.fp(32|16)\.onnx$/.test(base) ? base.replace(/\.fp(32|16)\.onnx$/, '.int8.onnx') : base.replace(/\.onnx$/, '.int8.onnx');
}

async function removeGraph(file: string): Promise<void> {
  await fs.promises.rm(file, { force: true });
  await fs.promises.rm(`${file}.extra_file`, { force: true });
}

async function quantizeText(
  src: ResolvedModel,
  outFile: string,
  opts: QuantizeModelOptions,
  progress: (p: QuantizeProgress) => void,
): Promise<{ report: QuantizeGraphReport; proof: QuantizeModelResult['variableLength'] }> {
  const spec = src.manifest.text;
  let model = await OnnxModel.load(src.textGraph);
  let proof: QuantizeModelResult['variableLength'] = null;
  const tryVariable = (opts.variableLength ?? true) && !spec.variableLength && !spec.attentionMaskInput;
  if (tryVariable) {
    const tmp = path.join(path.dirname(outFile), `.variable-length-${process.pid}.fp32.onnx`);
    try {
      await makeTextVariableLength(model, spec.input, spec.contextLength);
      progress({ stage: 'parity', message: 'proving the variable-length text graph against the fixed one' });
      await model.save(tmp);
      const tokenizer = ChineseClipTokenizer.fromVocabFile(src.vocabPath, { contextLength: spec.contextLength });
      const rows = (opts.parityTexts ?? DEFAULT_PARITY_TEXTS).map((t) => tokenizer.encode(t));
      proof = await proveVariableLength(src.textGraph, tmp, { input: spec.input, output: spec.output, contextLength: spec.contextLength, dtype: spec.inputDtype }, rows);
    } catch (err) {
      // Optional: a graph that cannot be rewritten (or whose rewrite does not load) stays fixed-length.
      proof = { passed: false, error: err instanceof VariableLengthError ? err.message : `rewrite failed: ${err instanceof Error ? err.message : String(err)}` };
    }
    if (!proof.passed) {
      await model.close();
      model = await OnnxModel.load(src.textGraph); // back to the untouched graph
    }
  }
  progress({ stage: 'text', message: `quantizing the text tower (${path.basename(src.textGraph)})` });
  try {
    const report = await quantizeGraph(model, opts);
    await model.save(outFile);
    return { report, proof };
  } finally {
    await model.close();
    if (tryVariable) await removeGraph(path.join(path.dirname(outFile), `.variable-length-${process.pid}.fp32.onnx`));
  }
}

export async function quantizeModelDir(srcDir: string, outDir: string, opts: QuantizeModelOptions = {}): Promise<QuantizeModelResult> {
  const progress = opts.onProgress ?? ((): void => undefined);
  const src = resolveModelDir(srcDir);
  const m = src.manifest;
  if (m.precision !== 'fp32') {
    throw new QuantizeError(`${m.id} is ${m.precision}: quantize its fp32 export (fp16 graphs compute in half precision and cannot take int8 kernels)`);
  }
  const out = path.resolve(outDir);
  if (out === path.resolve(src.dir)) throw new QuantizeError('the output directory must differ from the source');
  if (fs.existsSync(out) && fs.readdirSync(out).length > 0) throw new QuantizeError(`${out} exists and is not empty`);
  await fs.promises.mkdir(out, { recursive: true });

  const imageFile = int8FileName(m.image.file);
  const textFile = int8FileName(m.text.file);
  progress({ stage: 'image', message: `quantizing the image tower (${path.basename(src.imageGraph)})` });
  const imageModel = await OnnxModel.load(src.imageGraph);
  let image: QuantizeGraphReport;
  try {
    image = await quantizeGraph(imageModel, opts);
    await imageModel.save(path.join(out, imageFile));
  } finally {
    await imageModel.close();
  }
  const { report: text, proof } = await quantizeText(src, path.join(out, textFile), opts, progress);

  progress({ stage: 'manifest', message: 'writing the manifest' });
  const vocab = m.text.vocab ? path.basename(m.text.vocab) : undefined;
  if (vocab) await fs.promises.copyFile(src.vocabPath, path.join(out, vocab));
  const quantization: QuantizationInfo = {
    method: 'dynamic-int8',
    kernel: image.kernel,
    sourceId: m.id,
    createdAt: new Date().toISOString(),
    keptFloat: [...image.keptFloat, ...text.keptFloat].map((k) => `${k.weight ?? k.node}: ${k.reason}`),
  };
  const manifest: ModelManifest = {
    ...m,
    id: opts.id ?? `${m.id}-int8`,
    name: `${m.name} (int8)`,
    precision: 'int8',
    image: { ...m.image, file: imageFile },
    text: { ...m.text, file: textFile, vocab, variableLength: m.text.variableLength || Boolean(proof?.passed) },
    source: `int8 (dynamic, per-channel) of ${m.id}${m.source ? `; ${m.source}` : ''}`,
    quantization,
  };
  await fs.promises.writeFile(path.join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return { dir: out, manifest, image, text, variableLength: proof };
}
