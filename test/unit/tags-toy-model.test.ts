/**
 * Tagging with a real ONNX model end to end: the toy-colors test model (see
 * scripts/models/toy-colors.ts) encodes the tag prompts and synthetic photos, and the tags,
 * custom-tag competition and zero-shot accuracy must follow the colours in the pictures.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preprocess } from '../../electron/engine/media/decode.ts';
import { ModelRuntime } from '../../electron/engine/ml/model-runtime.ts';
import { resolveOptions, selectTags } from '../../electron/engine/tags/classify.ts';
import { ensureEnsembles, MemoryVectorCache } from '../../electron/engine/tags/ensembles.ts';
import { evaluateZeroShot } from '../../electron/engine/tags/eval.ts';
import { TagScorer } from '../../electron/engine/tags/scorer.ts';
import { parseTaxonomy } from '../../electron/engine/tags/taxonomy.ts';
import { colourTaxonomyJson } from './tags-fakes.ts';

const modelDir = path.join(process.env.SHIGUANG_TEST_MODELS ?? path.resolve('.cache/test-models'), 'toy-colors');
const haveModel = fs.existsSync(path.join(modelDir, 'manifest.json'));

type Rgb = [number, number, number];
const RED: Rgb = [220, 25, 25];
const YELLOW: Rgb = [240, 230, 25];
const BLUE: Rgb = [25, 60, 220];
const GREEN: Rgb = [25, 180, 50];

/** A 64×64 picture: the top `split` rows in `a`, the rest in `b`. */
async function picture(a: Rgb, b: Rgb = a, split = 32): Promise<Buffer> {
  const raw = Buffer.alloc(64 * 64 * 3);
  for (let y = 0; y < 64; y++) for (let x = 0; x < 64; x++) raw.set(y < split ? a : b, (y * 64 + x) * 3);
  return sharp(raw, { raw: { width: 64, height: 64, channels: 3 } }).png().toBuffer();
}

describe.skipIf(!haveModel)('tags with the toy-colors ONNX model', () => {
  let runtime: ModelRuntime;
  beforeAll(() => {
    runtime = ModelRuntime.load(modelDir);
  });
  afterAll(async () => runtime?.close());

  async function embedPictures(pics: Buffer[]): Promise<Float32Array[]> {
    const tensors = await Promise.all(pics.map(async (p) => (await preprocess(p, runtime.preprocessSpec)).tensor));
    return runtime.embedImageTensors(tensors);
  }

  it('tags pictures by their colours, and lets a custom tag claim only what it describes better', async () => {
    const tax = parseTaxonomy(colourTaxonomyJson());
    const specs = tax.tags.map((t) => ({ key: t.zh, names: [t.zh], templates: tax.families[0]!.templates }));
    const custom = { key: '红黄', names: ['红黄'], templates: tax.customTemplates };
    const { vectors } = await ensureEnsembles(runtime, [...specs, custom], new MemoryVectorCache());
    const keys = [...specs.map((s) => s.key), custom.key];
    const matrix = new Float32Array(keys.length * runtime.dim);
    keys.forEach((k, i) => matrix.set(vectors.get(k)!, i * runtime.dim));

    const photos = await embedPictures([await picture(RED), await picture(BLUE), await picture(RED, YELLOW), await picture(GREEN, GREEN)]);
    const flat = new Float32Array(photos.length * runtime.dim);
    photos.forEach((p, i) => flat.set(p, i * runtime.dim));
    const scorer = new TagScorer(matrix, runtime.dim);
    const scores = await scorer.score(flat, 0, photos.length);
    const o = resolveOptions({ logitScale: runtime.logitScale });
    const names = photos.map((_, r) =>
      selectTags(scores.values, r * scores.stride, specs.length, keys.length, o)
        .map((t) => keys[t.tag])
        .sort(),
    );
    expect(names).toEqual([['红色'], ['蓝色'], ['红色', '红黄', '黄色'], ['绿色']]);
  });

  it('scores zero-shot accuracy on pictures with known colours', async () => {
    const classNames = ['红色', '黄色', '绿色', '蓝色'];
    const pics = [RED, YELLOW, GREEN, BLUE, RED];
    const imageVectors = await embedPictures(await Promise.all(pics.map((c) => picture(c))));
    // The last picture is labelled wrong on purpose: accuracy must count it as a miss.
    const result = await evaluateZeroShot({ imageVectors, labels: [0, 1, 2, 3, 3], classNames, templates: ['{c}的照片', '一张{c}的照片'], embedder: runtime });
    expect(result).toEqual({ top1: 0.8, top5: 1, n: 5 });
  });
});
