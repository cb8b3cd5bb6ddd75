/**
 * Turn a directory on disk into a model: either it has a manifest.json, or it holds an official
 * Chinese-CLIP ONNX export (`vit-b-16.img.fp16.onnx`, `vit-b-16.txt.fp32.onnx`, `*.extra_file`),
 * recognised by file names, whose manifest is completed from the shipped catalogue manifests
 * (models/cn-clip-<arch>/manifest.json).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseManifest, type ModelManifest } from './manifest.ts';
import { defaultVocabPath } from './tokenizer.ts';
import { apiError } from '../../shared/api.ts';

export interface ResolvedModel {
  dir: string;
  manifest: ModelManifest;
  imageGraph: string;
  textGraph: string;
  vocabPath: string;
  /** How the model was recognised, for `inspect model` and error messages. */
  recognisedAs: 'manifest' | 'official-export';
}

const OFFICIAL_FILE = /^(rn50|vit-b-16|vit-l-14-336|vit-l-14|vit-h-14)\.(img|txt)\.(fp32|fp16)\.onnx$/;

/** Directory of shipped manifests (models/ in the repo, resources in a packaged app). */
export function catalogueManifestsDir(): string {
  return process.env.SHIGUANG_MODELS_CATALOGUE_DIR ?? fileURLToPath(new URL('../../../models/', import.meta.url));
}

export function resolveModelDir(dirArg: string): ResolvedModel {
  const dir = path.resolve(dirArg);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw apiError('model-dir-missing', { path: dir }, `model directory not found: ${dir}`);
  }
  const manifestFile = path.join(dir, 'manifest.json');
  if (fs.existsSync(manifestFile)) {
    const manifest = parseManifest(JSON.parse(fs.readFileSync(manifestFile, 'utf8')), manifestFile);
    return finish(dir, manifest, 'manifest');
  }
  return finish(dir, manifestFromOfficialExport(dir), 'official-export');
}

function manifestFromOfficialExport(dir: string): ModelManifest {
  const files = fs.readdirSync(dir);
  const graphs = files.map((f) => OFFICIAL_FILE.exec(f)).filter((m): m is RegExpExecArray => m !== null);
  if (graphs.length === 0) {
    throw apiError(
      'model-dir-not-a-model',
      { path: dir, expected: 'manifest.json, vit-b-16.img.fp32.onnx + vit-b-16.txt.fp32.onnx' },
      `${dir} has no manifest.json and no official Chinese-CLIP ONNX export ` +
        `(expected files like vit-b-16.img.fp32.onnx and vit-b-16.txt.fp32.onnx). Files seen: ${files.slice(0, 12).join(', ') || '(none)'}`,
    );
  }
  const arch = graphs[0][1];
  // Prefer fp32 on CPU-friendly terms; the session layer may still pick fp16 for GPUs later.
  const pick = (tower: 'img' | 'txt'): string | undefined => {
    const candidates = graphs.filter((g) => g[1] === arch && g[2] === tower);
    return (candidates.find((g) => g[3] === 'fp32') ?? candidates[0])?.[0];
  };
  const img = pick('img');
  const txt = pick('txt');
  if (!img || !txt) {
    throw apiError('model-dir-not-a-model', { path: dir, expected: `${arch}.img.*.onnx + ${arch}.txt.*.onnx` }, `${dir}: official export for ${arch} is incomplete: need both ${arch}.img.*.onnx and ${arch}.txt.*.onnx`);
  }
  const catalogueFile = path.join(catalogueManifestsDir(), `cn-clip-${arch}`, 'manifest.json');
  if (!fs.existsSync(catalogueFile)) throw new Error(`no catalogue manifest for architecture ${arch} (${catalogueFile})`);
  const base = parseManifest(JSON.parse(fs.readFileSync(catalogueFile, 'utf8')), catalogueFile);
  const precision = img.includes('.fp16.') || txt.includes('.fp16.') ? (img.includes('.fp16.') && txt.includes('.fp16.') ? 'fp16' : 'mixed') : 'fp32';
  return {
    ...base,
    precision,
    image: { ...base.image, file: img },
    text: { ...base.text, file: txt },
    source: `official Chinese-CLIP ONNX export recognised in ${dir}`,
  };
}

function finish(dir: string, manifest: ModelManifest, recognisedAs: ResolvedModel['recognisedAs']): ResolvedModel {
  const imageGraph = path.join(dir, manifest.image.file);
  const textGraph = path.join(dir, manifest.text.file);
  for (const [tower, file] of [['image', imageGraph], ['text', textGraph]] as const) {
    if (!fs.existsSync(file)) throw new Error(`model ${manifest.id}: ${tower} graph missing: ${file}`);
  }
  const vocabPath = manifest.text.vocab ? path.join(dir, manifest.text.vocab) : defaultVocabPath();
  if (!fs.existsSync(vocabPath)) throw new Error(`model ${manifest.id}: vocabulary missing: ${vocabPath}`);
  return { dir, manifest, imageGraph, textGraph, vocabPath, recognisedAs };
}
