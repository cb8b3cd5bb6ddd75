/**
 * The generated test models (tiny, toy-colors) honour the official graph contract and their
 * manifests, and toy-colors' embeddings carry the colour semantics other tests rely on.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIP_MEAN, CLIP_STD, parseManifest, type ModelManifest } from '../../electron/engine/ml/manifest.ts';
import { generateTestModels } from '../../scripts/models/generate-test-models.ts';
import type { GraphBuilder } from '../../scripts/models/onnx-builder.ts';
import { buildModifiedResNet } from '../../scripts/models/resnet.ts';
import { RBT3, buildTextTower } from '../../scripts/models/text-transformer.ts';
import { TOY_COLORS } from '../../scripts/models/toy-colors.ts';
import { buildVit } from '../../scripts/models/vit.ts';

// Always generate afresh (milliseconds): the shared .cache copy may predate a generator change.
let root: string;

beforeAll(async () => {
  root = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'shiguang-models-'));
  await generateTestModels(root);
});

afterAll(async () => {
  await fs.promises.rm(root, { recursive: true, force: true });
});

function loadManifest(name: string): ModelManifest {
  const file = path.join(root, name, 'manifest.json');
  return parseManifest(JSON.parse(fs.readFileSync(file, 'utf8')), file);
}

async function session(name: string, file: string): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(path.join(root, name, file), { intraOpNumThreads: 1 });
}

/** [n,3,R,R] normalised per the manifest from RGB in [0,1], one colour per image. */
function solidImages(colours: [number, number, number][], res: number): ort.Tensor {
  const data = new Float32Array(colours.length * 3 * res * res);
  colours.forEach((rgb, i) => {
    for (let c = 0; c < 3; c++) {
      const v = (rgb[c]! - CLIP_MEAN[c]!) / CLIP_STD[c]!;
      data.fill(v, (i * 3 + c) * res * res, (i * 3 + c + 1) * res * res);
    }
  });
  return new ort.Tensor('float32', data, [colours.length, 3, res, res]);
}

/** [CLS] ids… [SEP] padded to 52, without the tokenizer (one token per CJK character). */
function textIds(ids: number[]): ort.Tensor {
  const out = new BigInt64Array(52);
  [101, ...ids, 102].forEach((id, i) => (out[i] = BigInt(id)));
  return new ort.Tensor('int64', out, [1, 52]);
}

const vocab = fs.readFileSync(path.resolve('resources/vocab.txt'), 'utf8').split('\n');
const tokenId = (ch: string): number => {
  const id = vocab.indexOf(ch);
  if (id < 0) throw new Error(`${ch} not in vocab`);
  return id;
};
const ids = (s: string): number[] => [...s].map(tokenId);

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! ** 2;
    nb += b[i]! ** 2;
  }
  return dot / Math.sqrt(na * nb);
}

async function run(s: ort.InferenceSession, input: ort.Tensor): Promise<ort.Tensor> {
  const out = await s.run({ [s.inputNames[0]!]: input });
  return out[s.outputNames[0]!]!;
}

describe.each(['tiny', 'toy-colors'])('%s graphs match the manifest', (name) => {
  it('has the official input/output names and shapes', async () => {
    const m = loadManifest(name);
    const img = await session(name, m.image.file);
    const txt = await session(name, m.text.file);
    expect(img.inputNames).toEqual([m.image.input]);
    expect(img.outputNames).toEqual([m.image.output]);
    expect(txt.inputNames).toEqual([m.text.input]);
    expect(txt.outputNames).toEqual([m.text.output]);
    const batch = m.image.batch === 'dynamic' ? 2 : 1;
    const colours = Array.from({ length: batch }, (_, i): [number, number, number] => [0.2 * i, 0.5, 0.9]);
    const imgOut = await run(img, solidImages(colours, m.image.resolution));
    expect(imgOut.type).toBe('float32');
    expect(imgOut.dims).toEqual([batch, m.embeddingDim]);
    const txtOut = await run(txt, textIds(ids('一只猫')));
    expect(txtOut.type).toBe('float32');
    expect(txtOut.dims).toEqual([1, m.embeddingDim]);
  });
});

describe('tiny', () => {
  it('runs a batch of 3 images, and different inputs give different outputs', async () => {
    const m = loadManifest('tiny');
    expect(m.image.batch).toBe('dynamic');
    const img = await session('tiny', m.image.file);
    const out = await run(img, solidImages([[1, 0, 0], [0, 1, 0], [0.3, 0.3, 0.9]], 32));
    expect(out.dims).toEqual([3, 8]);
    const v = out.data as Float32Array;
    const rows = [0, 1, 2].map((i) => Array.from(v.subarray(i * 8, i * 8 + 8)));
    expect(cosine(rows[0]!, rows[1]!)).toBeLessThan(0.999);
    expect(cosine(rows[1]!, rows[2]!)).toBeLessThan(0.999);
    // Batch rows equal single runs: the batch axis is really independent.
    const single = await run(img, solidImages([[0, 1, 0]], 32));
    expect(Array.from(single.data as Float32Array)).toEqual(rows[1]!.map((x) => Math.fround(x)));

    const txt = await session('tiny', m.text.file);
    const a = Array.from((await run(txt, textIds(ids('猫')))).data as Float32Array);
    const b = Array.from((await run(txt, textIds(ids('狗')))).data as Float32Array);
    expect(cosine(a, b)).toBeLessThan(0.999);
  });
});

describe('toy-colors', () => {
  let img: ort.InferenceSession;
  let txt: ort.InferenceSession;
  const embedText = async (s: string): Promise<number[]> => Array.from((await run(txt, textIds(ids(s)))).data as Float32Array);
  const embedImage = async (rgb: [number, number, number]): Promise<number[]> =>
    Array.from((await run(img, solidImages([rgb], 64))).data as Float32Array);

  beforeAll(async () => {
    const m = loadManifest('toy-colors');
    expect(m.image.batch).toBe('fixed');
    img = await session('toy-colors', m.image.file);
    txt = await session('toy-colors', m.text.file);
  });

  it('hard-codes the right vocabulary ids', () => {
    for (const c of TOY_COLORS) expect(c.tokenIds[0]).toBe(tokenId(c.char));
  });

  it.each([
    ['prototype colours', TOY_COLORS.map((c) => c.rgb)],
    [
      'plain web colours',
      [[1, 0, 0], [1, 0.55, 0], [1, 1, 0], [0, 0.5, 0], [0, 0, 1], [0.5, 0, 0.5], [0, 0, 0], [1, 1, 1], [0.5, 0.5, 0.5]] as [number, number, number][],
    ],
  ])('solid %s match their colour word best (diagonal dominant)', async (_label, colours) => {
    const texts = await Promise.all(TOY_COLORS.map((c) => embedText(`${c.char}色`)));
    const images: number[][] = [];
    for (const rgb of colours) images.push(await embedImage(rgb)); // sequential: fixed batch 1
    for (let i = 0; i < 9; i++) {
      const row = texts.map((t) => cosine(images[i]!, t));
      const best = row.indexOf(Math.max(...row));
      expect(TOY_COLORS[best]!.name, `image ${TOY_COLORS[i]!.name}`).toBe(TOY_COLORS[i]!.name);
      expect(row[i]).toBeGreaterThan(0.9);
      const col = images.map((im) => cosine(im, texts[i]!));
      expect(col.indexOf(Math.max(...col)), `text ${TOY_COLORS[i]!.char}`).toBe(i);
    }
  });

  it('colour words point the same way alone and inside phrases', async () => {
    const red = await embedText('红');
    expect(cosine(red, await embedText('红色的花'))).toBeGreaterThan(0.9);
    expect(cosine(red, await embedText('一朵红色的花'))).toBeGreaterThan(0.9);
    expect(cosine(await embedText('蓝'), await embedText('蓝天'))).toBeGreaterThan(0.9);
    expect(cosine(red, await embedText('紅色'))).toBeGreaterThan(0.9); // traditional form too
    expect(cosine(red, await embedText('蓝色'))).toBeLessThan(0.1);
    // A text without colour words is not all-zero (the engine must be able to normalise it).
    const plain = await embedText('一只猫');
    expect(Math.hypot(...plain)).toBeGreaterThan(0);
  });

  const photos = path.resolve('../shared/photos');
  it.skipIf(!fs.existsSync(photos))('does not collapse real photos onto one colour', async () => {
    const files = fs.readdirSync(photos).filter((f) => /\.jpe?g$/i.test(f)).slice(0, 30);
    const dominant = new Set<number>();
    for (const f of files) {
      const { data } = await sharp(path.join(photos, f)).resize(64, 64, { fit: 'fill' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      const input = new Float32Array(3 * 64 * 64);
      for (let p = 0; p < 64 * 64; p++) {
        for (let c = 0; c < 3; c++) input[c * 4096 + p] = (data[p * 3 + c]! / 255 - CLIP_MEAN[c]!) / CLIP_STD[c]!;
      }
      const e = Array.from((await run(img, new ort.Tensor('float32', input, [1, 3, 64, 64]))).data as Float32Array).slice(0, 9);
      dominant.add(e.indexOf(Math.max(...e)));
    }
    expect(dominant.size).toBeGreaterThanOrEqual(4);
  });
});

describe('bench model builders (scaled down, same code paths)', () => {
  // Full-size bench models take ~30 s and 1 GB to generate, so check the builders on small specs,
  // including weights stored as external data in `<graph>.extra_file`.
  async function build(g: GraphBuilder, file: string): Promise<ort.InferenceSession> {
    const p = path.join(root, 'bench-small', file);
    await g.save(p, { externalData: true });
    expect(fs.existsSync(`${p}.extra_file`)).toBe(true);
    return ort.InferenceSession.create(p, { intraOpNumThreads: 1 });
  }

  it('ViT and ModifiedResNet image towers follow the official contract', async () => {
    const vit = await build(buildVit({ resolution: 64, patch: 16, width: 64, layers: 2, heads: 4, outDim: 32 }, 1), 'vit.img.fp32.onnx');
    const rn = await build(buildModifiedResNet({ resolution: 64, layers: [1, 2, 1, 1], width: 8, heads: 4, outDim: 24 }, 2), 'rn.img.fp32.onnx');
    for (const [s, dim] of [[vit, 32], [rn, 24]] as const) {
      expect(s.inputNames).toEqual(['image']);
      expect(s.outputNames).toEqual(['unnorm_image_features']);
      const a = await run(s, solidImages([[0.9, 0.1, 0.1]], 64));
      const b = await run(s, solidImages([[0.1, 0.1, 0.9]], 64));
      expect(a.dims).toEqual([1, dim]);
      expect(Array.from(a.data as Float32Array).every(Number.isFinite)).toBe(true);
      expect(cosine(a.data as Float32Array, b.data as Float32Array)).toBeLessThan(0.9999);
    }
  });

  it('BERT text tower follows the official contract and ignores padding', async () => {
    const spec = { ...RBT3(16), width: 32, heads: 4, layers: 2 };
    const s = await build(buildTextTower(spec, 3), 'bert.txt.fp32.onnx');
    expect(s.inputNames).toEqual(['text']);
    expect(s.outputNames).toEqual(['unnorm_text_features']);
    const cat = await run(s, textIds(ids('猫')));
    expect(cat.dims).toEqual([1, 16]);
    const dog = await run(s, textIds(ids('狗')));
    expect(cosine(cat.data as Float32Array, dog.data as Float32Array)).toBeLessThan(0.99);
    // Same seed, context 3: identical weights, no padding at all. Masked padding must not matter.
    const short = await build(buildTextTower({ ...spec, contextLength: 3 }, 3), 'bert3.txt.fp32.onnx');
    const unpadded = await short.run({ text: new ort.Tensor('int64', BigInt64Array.from([101n, BigInt(tokenId('猫')), 102n]), [1, 3]) });
    const u = unpadded['unnorm_text_features']!.data as Float32Array;
    const c = cat.data as Float32Array;
    for (let i = 0; i < 16; i++) expect(c[i]).toBeCloseTo(u[i]!, 4);
  });
});
