/**
 * BENCH_ONLY=int8: fp32 against int8 (from `models quantize`'s code) and short text sequences, in
 * one run with the contenders interleaved, on the graph bench-graph.ts chose (the official export
 * when it has been made, else the look-alike; `graph` in the output says which):
 *
 *   image        images/s, fp32 vs int8 as before ("plain": every weight product on its own, one
 *                session with every thread) vs the rewritten graph in one session vs int8 as the
 *                app now runs it (one single-threaded session per thread, model-runtime.ts),
 *                rotating rounds over the same 8 photos; and image1Thread: CPU ms a run of the three graphs with one thread each
 *                (the figure least disturbed by other work on a shared machine)
 *   text         ms per query: fp32 and int8, each padded to 52 and with short sequences
 *   fidelity     each int8 vs fp32 on ../shared/photos, the goldens' images (../shared/golden) and
 *                any folders in BENCH_FIDELITY_DIRS (comma-separated), and a spread of the tag
 *                prompts: cosine mean/min per tower, top-10 overlap (text → photos, photo → prompts)
 *   tagPrompts   seconds to encode every tag prompt of the taxonomy ensembles, per configuration;
 *                measured on BENCH_TAG_PROMPTS spread prompts (default 512) and scaled to all of
 *                them, or BENCH_TAG_PROMPTS=all to encode every one
 *
 * Models are made once beside the fp32 directory: <dir>-int8 (as `models quantize` makes it),
 * <dir>-int8-plain (fuseAttention, quantizePatchEmbedding and fuseSharedInput off), <dir>-fp32-varlen and
 * <dir>-int8-padded (hard links plus a manifest, no weight copies). A stamp in each int8 directory
 * says which quantizer made it; an older one is made again.
 */
import fs from 'node:fs';
import path from 'node:path';
import { preprocess } from '../../electron/engine/media/decode.ts';
import { ModelRuntime } from '../../electron/engine/ml/model-runtime.ts';
import type { ModelManifest } from '../../electron/engine/ml/manifest.ts';
import { resolveModelDir } from '../../electron/engine/ml/model-dir.ts';
import { quantizeModelDir, type QuantizeModelOptions } from '../../electron/engine/ml/quantize/quantize-model.ts';
import { abGraphs } from '../../scripts/models/ab-graphs.ts';
import { int8Dirs } from './bench-graph.ts';
import { addVariableLengthText } from '../../electron/engine/ml/quantize/variable-length-model.ts';
import { measureFidelity } from '../../electron/engine/models/quantize-fidelity.ts';
import { allTagPrompts, spreadSample } from '../../electron/engine/tags/all-prompts.ts';
import { TEXT_BATCH } from '../../electron/engine/tags/ensembles.ts';

interface Int8BenchOptions {
  /** The fp32 model directory of the graph being measured. */
  modelDir: string;
  photosDir: string;
  /** Which graph (bench-graph.ts), recorded with the figures. */
  graph: string;
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
    if (f === 'manifest.json' || fs.existsSync(path.join(dest, f)) || !fs.statSync(path.join(src, f)).isFile()) continue;
    fs.linkSync(path.join(src, f), path.join(dest, f));
  }
  // An official export has no manifest.json: it is recognised by its file names.
  const m = resolveModelDir(src).manifest;
  fs.writeFileSync(path.join(dest, 'manifest.json'), `${JSON.stringify(edit(m), null, 2)}\n`);
}

/** Bump when the quantizer's output changes, so cached int8 models are made again. */
const QUANTIZER_STAMP = 3;
type Dirs = Record<'fp32' | 'fp32Short' | 'int8' | 'int8Plain' | 'int8Padded', string>;

async function quantizeOnce(src: string, dest: string, opts: QuantizeModelOptions, log: (m: string) => void): Promise<number | null> {
  const stampFile = path.join(dest, '.bench-quantizer.json');
  const stamp = JSON.stringify({ version: QUANTIZER_STAMP, opts });
  if (fs.existsSync(path.join(dest, 'manifest.json')) && fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === stamp) return null;
  log(`quantizing ${src} → ${dest} ${JSON.stringify(opts)} (once)…`);
  fs.rmSync(dest, { recursive: true, force: true });
  const t0 = performance.now();
  const r = await quantizeModelDir(src, dest, opts);
  fs.writeFileSync(stampFile, stamp);
  log(`quantized in ${r2((performance.now() - t0) / 1000)} s: ${r.image.fusedAttention.length} attention blocks fused, ${r.image.patchEmbedding.length} patch embedding, ${r.image.quantized.length} image products; variable-length text: ${JSON.stringify(r.variableLength)}`);
  return r2((performance.now() - t0) / 1000);
}

async function prepareModels(modelDir: string, log: (m: string) => void): Promise<{ dirs: Dirs; quantizeSeconds: number | null }> {
  const base = modelDir.replace(/\/$/, '');
  const dirs = { fp32: base, ...int8Dirs(base) };
  const quantizeSeconds = await quantizeOnce(base, dirs.int8, {}, log);
  await quantizeOnce(base, dirs.int8Plain, { id: 'int8-plain', fuseAttention: false, quantizePatchEmbedding: false, fuseSharedInput: false }, log);
  if (!fs.existsSync(path.join(dirs.fp32Short, 'manifest.json'))) {
    linkedVariant(base, dirs.fp32Short, (m) => ({ ...m, id: `${m.id}-fp32-varlen` }));
    await addVariableLengthText(dirs.fp32Short);
  }
  if (quantizeSeconds !== null) fs.rmSync(dirs.int8Padded, { recursive: true, force: true });
  if (!fs.existsSync(path.join(dirs.int8Padded, 'manifest.json'))) {
    linkedVariant(dirs.int8, dirs.int8Padded, (m) => ({ ...m, id: `${m.id}-padded`, text: { ...m.text, variableLength: false } }));
  }
  return { dirs, quantizeSeconds };
}

/** The photos fidelity is measured on: ../shared/photos, the goldens' images, BENCH_FIDELITY_DIRS. */
export function fidelityPhotos(photosDir: string): { photos: string[]; sets: Record<string, number> } {
  const sets: Record<string, number> = {};
  const photos: string[] = [];
  const dirs = [photosDir, path.resolve('../shared/golden/images'), ...(process.env.BENCH_FIDELITY_DIRS ?? '').split(',').filter(Boolean)];
  for (const dir of dirs) {
    if (!fs.existsSync(dir)) continue;
    const files = fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => /\.(jpe?g|png|webp|heic|tiff?|gif|avif)$/i.test(f)).sort().map((f) => path.join(dir, f));
    sets[dir] = files.length;
    photos.push(...files);
  }
  return { photos, sets };
}

async function images(runtimes: Record<string, ModelRuntime>, tensors: Float32Array[], rounds: number): Promise<Record<string, unknown>> {
  const names = Object.keys(runtimes);
  const list = Object.values(runtimes);
  const copy = (): Float32Array[] => tensors.map((t) => t.slice());
  for (const r of list) await r.embedImageTensors(copy().slice(0, 1));
  const secs = list.map(() => 0);
  for (let r = 0; r < rounds; r++) {
    for (let j = 0; j < list.length; j++) {
      const k = (j + r) % list.length;
      const t0 = performance.now();
      await list[k]!.embedImageTensors(copy());
      secs[k]! += (performance.now() - t0) / 1000;
    }
  }
  const n = rounds * tensors.length;
  const ips = Object.fromEntries(names.map((name, k) => [name, r2(n / secs[k]!)]));
  return { imagesPerSecond: ips, speedupVsFp32: Object.fromEntries(names.slice(1).map((name, k) => [name, r2(secs[0]! / secs[k + 1]!)])), images: n };
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
  const out: Record<string, unknown> = { graph: o.graph, models: dirs, quantizeSeconds };

  const fp32 = load(dirs.fp32);
  const int8 = load(dirs.int8);
  // As before: product by product, one session with every thread.
  const int8Plain = ModelRuntime.load(dirs.int8Plain, { ...session, imageSessions: 1 });
  // The rewritten graph in one session with every thread (the graph's share of the gain).
  const int8OneSession = ModelRuntime.load(dirs.int8, { ...session, imageSessions: 1 });
  // fp32 the way int8 now runs (one single-threaded session per thread): what the sessions alone
  // give, for a like-for-like ratio. The app keeps fp32 in one session (~650 MB a session).
  const fp32Sessions = ModelRuntime.load(dirs.fp32, { ...session, imageSessions: o.threads });
  const fp32Short = load(dirs.fp32Short);
  const int8Padded = load(dirs.int8Padded);
  try {
    const tensors = await Promise.all(photos.slice(0, 8).map(async (p) => (await preprocess(p, fp32.preprocessSpec)).tensor));
    out.image = await images({ fp32, int8Plain, int8OneSession, int8, fp32Sessions }, tensors, Number(process.env.BENCH_ROUNDS ?? 4));
    const ips = (out.image as { imagesPerSecond: Record<string, number> }).imagesPerSecond;
    (out.image as Record<string, unknown>).int8VsFp32SameSessions = r2(ips.int8! / ips.fp32Sessions!);
    (out.image as Record<string, unknown>).int8Sessions = await int8.imageSessions();
    o.log(`int8 image (${o.threads} threads): ${JSON.stringify(out.image)}`);
    const graphs = [dirs.fp32, dirs.int8Plain, dirs.int8].map((d) => resolveModelDir(d).imageGraph);
    const one = await abGraphs(graphs, Number(process.env.BENCH_ROUNDS_1T ?? 10), 1);
    out.image1Thread = {
      cpuMsMin: { fp32: one[0]!.cpuMinMs, int8Plain: one[1]!.cpuMinMs, int8: one[2]!.cpuMinMs },
      wallMsMin: { fp32: one[0]!.minMs, int8Plain: one[1]!.minMs, int8: one[2]!.minMs },
      cpuSpeedupVsFp32: { int8Plain: r2(one[0]!.cpuMinMs / one[1]!.cpuMinMs), int8: r2(one[0]!.cpuMinMs / one[2]!.cpuMinMs) },
    };
    o.log(`int8 image, one thread: ${JSON.stringify(out.image1Thread)}`);

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
    const fid = fidelityPhotos(o.photosDir);
    const fidelity: Record<string, unknown> = { photoSets: fid.sets };
    // BENCH_INT8_FIDELITY=0 skips it (a timing-only rerun); BENCH_TAG_PROMPTS=0 skips the tag prompts.
    for (const [name, r] of Object.entries(process.env.BENCH_INT8_FIDELITY === '0' ? {} : { int8, int8Plain })) {
      const f = await measureFidelity(fp32, r, { photos: fid.photos, prompts: spreadSample(all, 256) });
      fidelity[name] = {
        photos: f.images.count,
        prompts: f.texts.count,
        image: { meanCosine: r4(f.images.meanCosine), minCosine: r4(f.images.minCosine) },
        text: { meanCosine: r4(f.texts.meanCosine), minCosine: r4(f.texts.minCosine) },
        top10Overlap: { textToImage: r4(f.top10Overlap.textToImage), imageToText: r4(f.top10Overlap.imageToText) },
      };
    }
    out.fidelity = fidelity;
    o.log(`int8 fidelity: ${JSON.stringify(out.fidelity)}`);

    if (sample.length === 0) return out;
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
    await Promise.all([fp32, int8, int8Plain, int8OneSession, fp32Sessions, fp32Short, int8Padded].map((r) => r.close()));
  }
  return out;
}
