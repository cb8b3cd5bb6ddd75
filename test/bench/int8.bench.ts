/**
 * BENCH_ONLY=int8: fp32 against int8 (from `models quantize`'s code) and short text sequences, in
 * one run with the contenders interleaved, on the bench model (random weights, official graph form):
 *
 *   image        images/s, fp32 vs int8 (alternating rounds over the same 8 photos)
 *   text         ms per query: fp32 and int8, each padded to 52 and with short sequences
 *   fidelity     int8 vs fp32 on ../shared/photos and a spread of the tag prompts: cosine
 *                mean/min per tower, top-10 overlap (text → photos, photo → prompts)
 *   tagPrompts   seconds to encode every tag prompt of the taxonomy ensembles, per configuration;
 *                measured on BENCH_TAG_PROMPTS spread prompts (default 512) and scaled to all of
 *                them, or BENCH_TAG_PROMPTS=all to encode every one
 *
 * Models are made once under .cache/bench-models: <model>-int8 (quantized, variable-length text),
 * <model>-fp32-varlen and <model>-int8-padded (hard links plus a manifest, no weight copies).
 */
import fs from 'node:fs';
import path from 'node:path';
import { preprocess } from '../../electron/engine/media/decode.ts';
import { ModelRuntime } from '../../electron/engine/ml/model-runtime.ts';
import type { ModelManifest } from '../../electron/engine/ml/manifest.ts';
import { quantizeModelDir } from '../../electron/engine/ml/quantize/quantize-model.ts';
import { addVariableLengthText } from '../../electron/engine/ml/quantize/variable-length-model.ts';
import { measureFidelity } from '../../electron/engine/models/quantize-fidelity.ts';
import { allTagPrompts, spreadSample } from '../../electron/engine/tags/all-prompts.ts';
import { TEXT_BATCH } from '../../electron/engine/tags/ensembles.ts';

interface Int8BenchOptions {
  modelDir: string;
  photosDir: string;
  threads: number;
  log: (msg: string) => void;
}

const r2 = (x: number): number => Math.round(x * 100) / 100;
const r4 = (x: number): number => Math.round(x * 10000) / 10000;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? 0;

/** A directory of hard links to `src`'s files with an edited manifest (no weights copied). */
function linkedVariant(src: string, dest: string, edit: (m: ModelManifest) => ModelManifest): void {
  fs.mkdirSync(dest, { recursive: true });
  for (const f of fs.readdirSync(src)) {
    if (f === 'manifest.json' || fs.existsSync(path.join(dest, f))) continue;
    fs.linkSync(path.join(src, f), path.join(dest, f));
  }
  const m = JSON.parse(fs.readFileSync(path.join(src, 'manifest.json'), 'utf8')) as ModelManifest;
  fs.writeFileSync(path.join(dest, 'manifest.json'), `${JSON.stringify(edit(m), null, 2)}\n`);
}

async function prepareModels(modelDir: string, log: (m: string) => void): Promise<{ dirs: Record<'fp32' | 'fp32Short' | 'int8' | 'int8Padded', string>; quantizeSeconds: number | null }> {
  const base = modelDir.replace(/\/$/, '');
  const dirs = { fp32: base, fp32Short: `${base}-fp32-varlen`, int8: `${base}-int8`, int8Padded: `${base}-int8-padded` };
  let quantizeSeconds: number | null = null;
  if (!fs.existsSync(path.join(dirs.int8, 'manifest.json'))) {
    log(`quantizing ${base} → ${dirs.int8} (once)…`);
    fs.rmSync(dirs.int8, { recursive: true, force: true });
    const t0 = performance.now();
    const r = await quantizeModelDir(base, dirs.int8);
    quantizeSeconds = r2((performance.now() - t0) / 1000);
    log(`quantized in ${quantizeSeconds} s; variable-length text: ${JSON.stringify(r.variableLength)}`);
  }
  if (!fs.existsSync(path.join(dirs.fp32Short, 'manifest.json'))) {
    linkedVariant(base, dirs.fp32Short, (m) => ({ ...m, id: `${m.id}-fp32-varlen` }));
    await addVariableLengthText(dirs.fp32Short);
  }
  if (!fs.existsSync(path.join(dirs.int8Padded, 'manifest.json'))) {
    linkedVariant(dirs.int8, dirs.int8Padded, (m) => ({ ...m, id: `${m.id}-padded`, text: { ...m.text, variableLength: false } }));
  }
  return { dirs, quantizeSeconds };
}

async function images(fp32: ModelRuntime, int8: ModelRuntime, tensors: Float32Array[], rounds: number): Promise<Record<string, number>> {
  const copy = (): Float32Array[] => tensors.map((t) => t.slice());
  await fp32.embedImageTensors(copy().slice(0, 1));
  await int8.embedImageTensors(copy().slice(0, 1));
  const secs = [0, 0];
  for (let r = 0; r < rounds; r++) {
    for (const side of r % 2 === 0 ? [0, 1] : [1, 0]) {
      const t0 = performance.now();
      await (side === 0 ? fp32 : int8).embedImageTensors(copy());
      secs[side]! += (performance.now() - t0) / 1000;
    }
  }
  const n = rounds * tensors.length;
  return { fp32ImagesPerSecond: r2(n / secs[0]!), int8ImagesPerSecond: r2(n / secs[1]!), speedup: r2(secs[0]! / secs[1]!) };
}

/** Encodes `prompts` on each runtime in interleaved TEXT_BATCH blocks; seconds per runtime. */
async function encodeInterleaved(runtimes: ModelRuntime[], prompts: string[]): Promise<number[]> {
  const secs = runtimes.map(() => 0);
  for (let i = 0, block = 0; i < prompts.length; i += TEXT_BATCH, block++) {
    const batch = prompts.slice(i, i + TEXT_BATCH);
    const order = runtimes.map((_, k) => (k + block) % runtimes.length);
    for (const k of order) {
      const t0 = performance.now();
      await runtimes[k]!.embedTexts(batch);
      secs[k]! += (performance.now() - t0) / 1000;
    }
  }
  return secs;
}

export async function benchInt8(o: Int8BenchOptions): Promise<Record<string, unknown>> {
  const { dirs, quantizeSeconds } = await prepareModels(o.modelDir, o.log);
  const session = { provider: 'cpu' as const, threads: o.threads };
  const load = (d: string): ModelRuntime => ModelRuntime.load(d, session);
  const photos = fs.readdirSync(o.photosDir).filter((f) => /\.jpe?g$/i.test(f)).sort().map((f) => path.join(o.photosDir, f));
  const out: Record<string, unknown> = { models: dirs, quantizeSeconds };

  const fp32 = load(dirs.fp32);
  const int8 = load(dirs.int8);
  const fp32Short = load(dirs.fp32Short);
  const int8Padded = load(dirs.int8Padded);
  try {
    const tensors = await Promise.all(photos.slice(0, 8).map(async (p) => (await preprocess(p, fp32.preprocessSpec)).tensor));
    out.image = await images(fp32, int8, tensors, Number(process.env.BENCH_ROUNDS ?? 4));
    o.log(`int8 image: ${JSON.stringify(out.image)}`);

    const texts = { fp32Padded: fp32, fp32Short, int8Padded, int8Short: int8 };
    const runtimes = Object.values(texts);
    for (const r of runtimes) await r.embedTexts(['预热']);
    const queries = ['海边的日落', '穿汉服的女孩在樱花树下', '一只橘猫', '生日蛋糕', '雪山', '夜晚的城市', '发票', '毕业合影', '下雨天的街道', '火锅'];
    const ms: number[][] = runtimes.map(() => []);
    for (let round = 0; round < 2; round++) {
      for (const [qi, q] of queries.entries()) {
        for (let j = 0; j < runtimes.length; j++) {
          const k = (j + qi + round) % runtimes.length;
          const t0 = performance.now();
          await runtimes[k]!.embedTexts([q]);
          ms[k]!.push(performance.now() - t0);
        }
      }
    }
    const textMs = Object.fromEntries(Object.keys(texts).map((name, k) => [name, r2(median(ms[k]!))]));
    out.text = { msPerQueryMedian: textMs, int8Speedup: r2(textMs.fp32Padded! / textMs.int8Padded!), shortSequenceSpeedupFp32: r2(textMs.fp32Padded! / textMs.fp32Short!), int8ShortVsFp32: r2(textMs.fp32Padded! / textMs.int8Short!) };
    o.log(`int8 text: ${JSON.stringify(out.text)}`);

    const all = allTagPrompts();
    const sample = process.env.BENCH_TAG_PROMPTS === 'all' ? all : spreadSample(all, Number(process.env.BENCH_TAG_PROMPTS ?? 512));
    const f = await measureFidelity(fp32, int8, { photos, prompts: spreadSample(all, 256) });
    out.fidelity = {
      photos: f.images.count,
      prompts: f.texts.count,
      image: { meanCosine: r4(f.images.meanCosine), minCosine: r4(f.images.minCosine) },
      text: { meanCosine: r4(f.texts.meanCosine), minCosine: r4(f.texts.minCosine) },
      top10Overlap: { textToImage: r4(f.top10Overlap.textToImage), imageToText: r4(f.top10Overlap.imageToText) },
    };
    o.log(`int8 fidelity: ${JSON.stringify(out.fidelity)}`);

    o.log(`tag prompts: encoding ${sample.length} of ${all.length} prompts with 4 configurations…`);
    const secs = await encodeInterleaved(runtimes, sample);
    const scale = all.length / sample.length;
    out.tagPrompts = {
      prompts: all.length,
      measuredPrompts: sample.length,
      scaledToAll: sample.length < all.length,
      seconds: Object.fromEntries(Object.keys(texts).map((name, k) => [name, r2(secs[k]! * scale)])),
    };
    o.log(`tag prompts: ${JSON.stringify(out.tagPrompts)}`);
  } finally {
    await Promise.all([fp32, int8, fp32Short, int8Padded].map((r) => r.close()));
  }
  return out;
}
