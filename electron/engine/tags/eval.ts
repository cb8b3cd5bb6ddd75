/**
 * Zero-shot evaluation the way Chinese-CLIP's official ImageNet script does it: each class name
 * × every template → text embeddings → mean of the normalised vectors, re-normalised (the same
 * ensembles the tags use) → top-1 / top-5 accuracy of image vectors against the class vectors.
 * The official ImageNet run uses the 'openai' template family of prompt_templates.json.
 */
import fs from 'node:fs';
import { z } from 'zod';
import { embedUnique, ensemblePrompts, meanOfNormalised } from './ensembles.ts';
import { TagScorer } from './scorer.ts';
import type { TextEmbedder } from './types.ts';

export const OFFICIAL_IMAGENET_TEMPLATE_FAMILY = 'openai';

export interface ZeroShotInput {
  /** One L2-normalised vector per image (or one row-major matrix of them). */
  imageVectors: Float32Array[] | Float32Array;
  /** Class index per image. */
  labels: number[];
  classNames: string[];
  templates: string[];
  embedder: TextEmbedder;
  onProgress?: (done: number, total: number) => void;
}

export interface ZeroShotResult {
  top1: number;
  top5: number;
  n: number;
}

const templatesFile = z.object({ templates: z.record(z.string(), z.array(z.string())) });

/** Templates of one family from the official prompt_templates.json. */
export function loadPromptTemplates(file: string, family: string = OFFICIAL_IMAGENET_TEMPLATE_FAMILY): string[] {
  const parsed = templatesFile.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
  const list = parsed.templates[family];
  if (!list) throw new Error(`no template family '${family}' in ${file} (has ${Object.keys(parsed.templates).join(', ')})`);
  return list;
}

/** One class name per line (blank lines ignored), e.g. imagenet_label_cn.txt. */
export function loadClassNames(file: string): string[] {
  return fs
    .readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}

export async function buildClassMatrix(embedder: TextEmbedder, classNames: string[], templates: string[], onProgress?: (done: number, total: number) => void): Promise<Float32Array> {
  const dim = embedder.dim;
  const prompts = classNames.map((c) => ensemblePrompts([c], templates));
  const encoded = await embedUnique(embedder, prompts.flat(), onProgress);
  const matrix = new Float32Array(classNames.length * dim);
  prompts.forEach((ps, i) => matrix.set(meanOfNormalised(ps.map((p) => encoded.get(p)!), dim), i * dim));
  return matrix;
}

function toMatrix(v: Float32Array[] | Float32Array, dim: number): Float32Array {
  if (!Array.isArray(v)) return v;
  const m = new Float32Array(v.length * dim);
  v.forEach((row, i) => {
    if (row.length !== dim) throw new Error(`image vector ${i} has ${row.length} dims, expected ${dim}`);
    m.set(row, i * dim);
  });
  return m;
}

export async function evaluateZeroShot(input: ZeroShotInput): Promise<ZeroShotResult> {
  const { labels, classNames, templates, embedder } = input;
  const dim = embedder.dim;
  if (classNames.length === 0) throw new Error('no class names');
  if (templates.length === 0) throw new Error('no templates');
  const images = toMatrix(input.imageVectors, dim);
  const n = images.length / dim;
  if (n !== labels.length) throw new Error(`${n} image vectors but ${labels.length} labels`);
  labels.forEach((l, i) => {
    if (!Number.isInteger(l) || l < 0 || l >= classNames.length) throw new Error(`label ${l} of image ${i} is not a class index`);
  });
  if (n === 0) return { top1: 0, top5: 0, n: 0 };

  const scorer = new TagScorer(await buildClassMatrix(embedder, classNames, templates, input.onProgress), dim);
  let hit1 = 0;
  let hit5 = 0;
  for (let from = 0; from < n; from += TagScorer.pageRows) {
    const rows = Math.min(TagScorer.pageRows, n - from);
    const { values, stride } = await scorer.score(images, from, rows);
    for (let r = 0; r < rows; r++) {
      const rank = rankOfTrueClass(values, r * stride, classNames.length, labels[from + r]!);
      if (rank === 0) hit1++;
      if (rank < 5) hit5++;
    }
  }
  return { top1: hit1 / n, top5: hit5 / n, n };
}

/** How many classes rank above the true one; a tie goes to the lower index, as a stable sort would. */
function rankOfTrueClass(row: Float32Array, offset: number, count: number, label: number): number {
  const truth = row[offset + label];
  let above = 0;
  for (let j = 0; j < count; j++) {
    const v = row[offset + j];
    if (v > truth || (v === truth && j < label)) above++;
  }
  return above;
}
