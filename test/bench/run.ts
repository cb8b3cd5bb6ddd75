/**
 * `npm run bench`: throughput and latency with the full-size ViT-B/16 bench model (random
 * weights, real shapes and cost) on the CPU, written as JSON under bench-results/. Not part of
 * the tests: numbers are reported, ratios are measured in the same run, nothing is asserted.
 *
 *   encoder        images/s of the bare image encoder (batch 1, and batched requests)
 *   indexing       end-to-end images/s over ../shared/photos repeated to ≥ 500 distinct files,
 *                  its ratio to the bare encoder, peak RSS
 *   query          search as the UI runs it at BENCH_VECTORS CLIP-like photos: first page of
 *                  UI_PAGE_SIZE, filtered first page, next pages, recall, cold start in a fresh
 *                  process, index memory, and through the HTTP API (test/bench/search/query.bench.ts)
 *   tagging        100k vectors against the whole taxonomy; one custom tag over 100k
 *   paging         (only when asked) paging to the end in pages of UI_PAGE_SIZE, the pager before it was
 *                  made exact against today's: coverage, order, ms a page, ratios (search/paging.bench.ts;
 *                  BENCH_PAGING_SIZES=100000)
 *   index-candidates  (only when asked) vector index candidates side by side at 100k and 1M:
 *                  sqlite-vec, today's int8 index, the codes index, usearch, hnswlib-node
 *                  (test/bench/search/index-candidates.bench.ts)
 *   firstrun       a new library as a person runs it: `index` then `index --tags` in fresh
 *                  processes, for 40 photos and for BENCH_FILES photos (first-run.bench.ts);
 *                  BENCH_FIRSTRUN_MIXED=1 adds the OCR cost bench's mixed library and the shared
 *                  photos at 12 MP (indexer vs text pass), BENCH_FIRSTRUN_MIXED=only runs those alone
 *   int8           fp32 vs int8 and short text sequences (./int8.bench.ts; not in the default set)
 *   integrity      the open-time damage check at 100k photos vs whole-file checks (not in the default set)
 *   relevance      (only when asked) where the relevance boundary ends lists with known answers:
 *                  CLIP-like libraries, the toy-colors model and the bench model on real photos
 *                  (./relevance.bench.ts; BENCH_RELEVANCE_SIZES=2000,20000,100000)
 *   video          the video decoder (./video.bench.ts; not in the default set): the sampling rule on a
 *                  reel of real clips, video seconds decoded per second on a 1-minute 1080p clip,
 *                  the decoder's peak memory, and with the bench model's encoder rate the cost per
 *                  clip and per 100 clips
 *   video-index    videos end to end through the engine and the videos pass (fp32 and int8): video
 *                  seconds per second, CPU per 1-minute 1080p clip, peak memory, 100 clips; photos and
 *                  a video arriving together (./video-index.bench.ts; not in the default set)
 *   video-search   search latency of a photo-only library through SearchService against the bare
 *                  vector page (same run), and with 3k / 30k video frames beside the photos
 *                  (./search/video-search.bench.ts; not in the default set)
 *   query-parse    query understanding p95, reverse geocoding photos/s, gazetteer size (when-where.bench.ts;
 *                  not in the default set)
 *   when-where     at BENCH_VECTORS photos with GPS and cameras: the places pass (photos/s), a filter-only
 *                  query's first page, time + place + words against words alone, the timeline's month
 *                  counts, the Places tree (when-where-library.bench.ts; not in the default set)
 *   ocr            OCR with the real PP-OCRv4 weights: ms per photo with and without text,
 *                  photos/s of the pass, accuracy on rendered images, text index size and query
 *                  latency at 100k photos (see ocr.bench.ts for its options)
 *   stacks         exact / near-duplicate / burst grouping: perceptual hash candidates and margins on
 *                  real photos and their copies, cosine calibration and precision/recall of each
 *                  kind, grouping speed at 100k (stacks.bench.ts; not in the default set)
 *   ocr-real       (only when asked) OCR accuracy by kind on images other projects made
 *                  (test/data/ocr-real) next to the rendered set (ocr-real.bench.ts)
 *   ocr-cost       (only when asked) photos/s and peak memory of the OCR pass over a mixed library
 *                  in a process of its own (ocr-cost.bench.ts)
 *
 * Options: BENCH_ONLY=encoder,indexing,query,tagging,firstrun,ocr,int8,integrity,video,video-index,video-search,relevance,stacks,ocr-real,ocr-cost,paging  BENCH_FILES=500  BENCH_VECTORS=100000
 *          BENCH_MODEL=vit-b-16|vit-b-16-int8|vit-b-16-int8-plain|rn50
 *          BENCH_GRAPH=official|lookalike (default: the official export when `npm run models:official`
 *          has made it; see bench-graph.ts). `graph` in the output says which one the figures come
 *          from. The query section's text tower is always the look-alike's (its cached library is
 *          keyed by that model's id); its vector figures do not depend on the model.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateBenchModels } from '../../scripts/models/generate-bench-models.ts';
import { benchGraph } from './bench-graph.ts';
import { ModelRuntime } from '../../electron/engine/ml/model-runtime.ts';
import { preprocess } from '../../electron/engine/media/decode.ts';
import { Engine } from '../../electron/engine/engine.ts';
import { createLogger } from '../../electron/engine/util/log.ts';
import { benchTagging } from './tagging.bench.ts';
import { benchIntegrity } from './integrity.bench.ts';
import { benchIndexCandidates } from './search/index-candidates.bench.ts';
import { benchQuery } from './search/query.bench.ts';
import { benchPaging } from './search/paging.bench.ts';
import { benchFirstRun, installForFirstRun } from './first-run.bench.ts';
import { benchInt8 } from './int8.bench.ts';
import { benchOcr } from './ocr.bench.ts';
import { benchRelevance } from './relevance.bench.ts';
import { generateTestModels } from '../../scripts/models/generate-test-models.ts';
import { benchVideo } from './video.bench.ts';
import { benchVideoIndex } from './video-index.bench.ts';
import { benchVideoSearch } from './search/video-search.bench.ts';
import { benchWhenWhere } from './when-where.bench.ts';
import { benchWhenWhereLibrary } from './when-where-library.bench.ts';
import { benchStacks } from './stacks.bench.ts';
import { benchOcrCost, mixedLibraryFiles, twelveMegapixel } from './ocr-cost.bench.ts';
import { benchOcrReal } from './ocr-real.bench.ts';

const only = new Set((process.env.BENCH_ONLY ?? 'encoder,indexing,query,tagging,firstrun,ocr').split(','));
const modelName = process.env.BENCH_MODEL ?? 'vit-b-16';
const nFiles = Number(process.env.BENCH_FILES ?? 500);
const nVectors = Number(process.env.BENCH_VECTORS ?? 100_000);
const modelsDir = path.resolve('.cache/bench-models');
const log = (msg: string): void => void process.stderr.write(`[bench] ${msg}\n`);
const graph = await benchGraph(modelName, log);
const modelDir = graph.modelDir;
const sharedPhotos = path.resolve('../shared/photos');
const threads = os.availableParallelism();

const results: Record<string, unknown> = {
  date: new Date().toISOString(),
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memGiB: Math.round(os.totalmem() / 2 ** 30), platform: `${process.platform}-${process.arch}`, node: process.version },
  model: modelName,
  graph: { graph: graph.graph, note: graph.note, modelDir },
  provider: 'cpu',
  threads,
};

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] * 100) / 100;
};
const r2 = (x: number): number => Math.round(x * 100) / 100;

function samplePhotos(): string[] {
  return fs.readdirSync(sharedPhotos).filter((f) => /\.jpe?g$/i.test(f)).sort().map((f) => path.join(sharedPhotos, f));
}

async function benchEncoder(): Promise<void> {
  const runtime = ModelRuntime.load(modelDir, { provider: 'cpu', threads });
  try {
    const tLoad = performance.now();
    await runtime.warm('image');
    const imageTowerLoadSeconds = (performance.now() - tLoad) / 1000;
    const photos = samplePhotos().slice(0, 8);
    const tensors = await Promise.all(photos.map(async (p) => (await preprocess(p, runtime.preprocessSpec)).tensor));
    const copy = (): Float32Array[] => tensors.map((t) => t.slice());
    await runtime.embedImageTensors(copy().slice(0, 1)); // warm-up (session start, first-run allocations)
    const dynamic = await runtime.imageBatchIsDynamic();
    const perBatch: Record<string, number> = {};
    const cpuPerBatch: Record<string, number> = {};
    for (const batch of [1, 4, 8]) {
      const rounds = Math.max(2, Math.ceil(16 / batch));
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      for (let i = 0; i < rounds; i++) await runtime.embedImageTensors(copy().slice(0, batch));
      perBatch[`batch${batch}`] = r2((rounds * batch) / ((performance.now() - t0) / 1000));
      const c = process.cpuUsage(c0);
      cpuPerBatch[`batch${batch}`] = r2((c.user + c.system) / 1000 / (rounds * batch));
      log(`encoder batch ${batch}: ${perBatch[`batch${batch}`]} images/s`);
    }
    const best = Math.max(...Object.values(perBatch));
    // Text encoder cost, for reference against the real model (~67 ms per query on this machine).
    await runtime.embedTexts(['预热']);
    const tt: number[] = [];
    for (const q of ['海边的日落', '穿汉服的女孩在樱花树下', '一只橘猫', '生日蛋糕', '雪山', '夜晚的城市', '发票', '毕业合影']) {
      const t0 = performance.now();
      await runtime.embedTexts([q]);
      tt.push(performance.now() - t0);
    }
    results.encoder = {
      graphBatch: dynamic ? 'dynamic' : 'fixed (1): batched requests loop inside the worker',
      imagesPerSecond: perBatch,
      bestImagesPerSecond: best,
      msPerImageBatch1: r2(1000 / perBatch.batch1),
      // CPU of the whole process (every ORT thread, spinning included) per image.
      cpuMsPerImage: cpuPerBatch,
      imageSessions: await runtime.imageSessions(),
      imageTowerLoadSeconds: r2(imageTowerLoadSeconds),
      textMsPerQuery: { p50: pct(tt, 50), max: r2(Math.max(...tt)) },
    };
  } finally {
    await runtime.close();
  }
}

/** ≥ nFiles distinct files: the sample photos repeated, each copy made unique after the JPEG end
 * marker so content hashing does not treat them as copies of one another. */
function makeCorpus(dir: string, n = nFiles): number {
  const photos = samplePhotos();
  return copyUnique(Array.from({ length: n }, (_, i) => photos[i % photos.length]), dir);
}

/** The files copied into dir, each made a distinct file (bytes after the image's end) so content hashing keeps every copy. */
function copyUnique(files: string[], dir: string): number {
  fs.mkdirSync(dir, { recursive: true });
  files.forEach((src, i) => {
    const bytes = Buffer.concat([fs.readFileSync(src), Buffer.from(`shiguang-bench-${i}`)]);
    fs.writeFileSync(path.join(dir, `${String(i).padStart(4, '0')}-${path.basename(src)}`), bytes);
  });
  return files.length;
}

async function benchIndexing(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-bench-'));
  try {
    const corpus = path.join(tmp, 'photos');
    makeCorpus(corpus);
    const engine = await Engine.open({
      dbPath: path.join(tmp, 'lib.db'),
      modelDir,
      session: { provider: 'cpu', threads },
      autoTag: false,
      logger: createLogger('bench', 'warn'),
    });
    try {
      await engine.model.warm('image');
      const rssBefore = process.memoryUsage().rss;
      const t0 = performance.now();
      const s = await engine.indexFolders([corpus]);
      const seconds = (performance.now() - t0) / 1000;
      const ips = s.encoded / seconds;
      const enc = results.encoder as { imagesPerSecond: { batch1: number }; bestImagesPerSecond: number } | undefined;
      results.indexing = {
        files: nFiles,
        encoded: s.encoded,
        seconds: r2(seconds),
        imagesPerSecond: r2(ips),
        ratioToBareEncoderBatch1: enc ? r2(ips / enc.imagesPerSecond.batch1) : null,
        ratioToBestBareEncoder: enc ? r2(ips / enc.bestImagesPerSecond) : null,
        peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
        rssBeforeMiB: Math.round(rssBefore / 2 ** 20),
      };
      log(`indexing: ${JSON.stringify(results.indexing)}`);
    } finally {
      await engine.close();
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}


if (['encoder', 'indexing', 'firstrun', 'video', 'video-index', 'relevance', 'stacks'].some((k) => only.has(k)) && !fs.existsSync(modelDir)) {
  throw new Error(`${modelDir} does not exist: BENCH_MODEL=${modelName} is made by BENCH_ONLY=int8 first`);
}
log(`graph: ${graph.note}`);
if (only.has('encoder')) await benchEncoder();
if (only.has('indexing')) await benchIndexing();
if (only.has('query')) {
  // The look-alike fp32 model: the cached search libraries are keyed by its id.
  const lookalike = path.join(modelsDir, 'vit-b-16');
  if (!fs.existsSync(path.join(lookalike, 'manifest.json'))) await generateBenchModels(modelsDir, ['vit-b-16']);
  const manifest = JSON.parse(fs.readFileSync(path.join(lookalike, 'manifest.json'), 'utf8')) as { id: string };
  results.query = await benchQuery({ n: nVectors, modelDir: lookalike, modelKey: manifest.id, threads });
  log(`query: ${JSON.stringify(results.query)}`);
}
if (only.has('tagging')) results.tagging = await benchTagging();
if (only.has('index-candidates')) results.indexCandidates = await benchIndexCandidates();
if (only.has('paging')) results.paging = await benchPaging();
if (only.has('firstrun')) {
  // The indexer sends batches (4 photos for a fixed-batch graph): its ratio is to the bare
  // encoder's best rate, which for an int8 model running several sessions is not batch 1's.
  const enc = results.encoder as { bestImagesPerSecond: number; imageTowerLoadSeconds: number; cpuMsPerImage: Record<string, number> } | undefined;
  const runs = [];
  log('first run: installing the model as a person does (models import + use)…');
  const installed = await installForFirstRun(modelDir);
  try {
    // The last run repeats the full corpus with the plain-JS resampler (as before the WebAssembly
    // passes), for a before/after in the same run.
    type Corpus = 'shared' | 'ocr-mixed' | 'shared-12mp';
    const plan: { files: number; resample: 'wasm' | 'js'; corpus: Corpus }[] = [
      { files: 40, resample: 'wasm', corpus: 'shared' },
      { files: nFiles, resample: 'wasm', corpus: 'shared' },
    ];
    if (process.env.BENCH_FIRSTRUN_BEFORE !== '0') plan.push({ files: nFiles, resample: 'js', corpus: 'shared' });
    // BENCH_FIRSTRUN_MIXED=1: also the OCR cost bench's mixed library (12 MP photos, long captures,
    // 30 % with text), so the indexer's rate and the text pass's are compared on the same photos in
    // the command a person runs, decoding included on both sides.
    // And the shared photos brought to 12 MP, as a phone library is: mostly photos without text,
    // so what the text pass's gate and the encoder's decoding cost there. BENCH_FIRSTRUN_MIXED=only:
    // these two libraries alone.
    const mixedDir = ['1', 'only'].includes(process.env.BENCH_FIRSTRUN_MIXED ?? '') ? fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-bench-mixed-')) : null;
    if (process.env.BENCH_FIRSTRUN_MIXED === 'only') plan.length = 0;
    const mixed = mixedDir ? await mixedLibraryFiles(samplePhotos(), mixedDir, Number(process.env.BENCH_OCR_LIBRARY ?? 60)) : [];
    const phone = mixedDir ? await twelveMegapixel(samplePhotos(), fs.mkdtempSync(path.join(mixedDir, '12mp-'))) : [];
    if (mixedDir) plan.push({ files: mixed.length, resample: 'wasm', corpus: 'ocr-mixed' }, { files: phone.length, resample: 'wasm', corpus: 'shared-12mp' });
    try {
      for (const { files, resample, corpus } of plan) {
        log(`first run: ${files} photos (${corpus}) on a new library (resampler: ${resample})…`);
        const env = resample === 'js' ? { SHIGUANG_RESAMPLE: 'js' } : {};
        const make = corpus === 'shared' ? makeCorpus : (dir: string) => copyUnique(corpus === 'ocr-mixed' ? mixed : phone, dir);
        const r = await benchFirstRun({ home: installed.home, makeCorpus: make, files, env, bareImagesPerSecond: enc?.bestImagesPerSecond ?? null, bareCpuMsPerImage: enc ? Math.min(...Object.values(enc.cpuMsPerImage)) : null, modelLoadSeconds: enc?.imageTowerLoadSeconds ?? 0 });
        const ocrPerSecond = r.ocrPhotos && r.ocrSeconds ? r2(r.ocrPhotos / r.ocrSeconds) : null;
        runs.push({ corpus, modelImportSeconds: installed.importSeconds, resample, ...r, ocrPhotosPerSecond: ocrPerSecond, ocrToIndexerRatio: ocrPerSecond ? r2(ocrPerSecond / r.imagesPerSecond) : null });
        log(`first run: ${JSON.stringify(runs.at(-1))}`);
      }
    } finally {
      if (mixedDir) fs.rmSync(mixedDir, { recursive: true, force: true });
    }
  } finally {
    installed.close();
  }
  results.firstRun = runs;
}
if (only.has('ocr')) results.ocr = await benchOcr(samplePhotos(), log);
if (only.has('ocr-real')) results.ocrReal = await benchOcrReal(samplePhotos(), log);
if (only.has('ocr-cost')) results.ocrCost = await benchOcrCost(samplePhotos(), log);
if (only.has('int8')) results.int8 = await benchInt8({ modelDir: graph.fp32Dir, graph: graph.note, photosDir: sharedPhotos, threads, log });
if (only.has('integrity')) results.integrity = await benchIntegrity();
if (only.has('relevance')) {
  const testModels = path.resolve('.cache/test-models');
  await generateTestModels(testModels);
  results.relevance = await benchRelevance({ toyModelDir: path.join(testModels, 'toy-colors'), benchModelDir: modelDir, threads, log });
}
if (only.has('video')) results.video = await benchVideo({ modelDir, threads, log });
if (only.has('video-index')) results.videoIndex = await benchVideoIndex({ modelDir, sharedPhotos, log });
if (only.has('video-search')) results.videoSearch = await benchVideoSearch({ n: nVectors, log });
if (only.has('query-parse')) results.whenWhere = benchWhenWhere(log);
if (only.has('when-where')) results.whenWhereLibrary = await benchWhenWhereLibrary({ n: nVectors, modelKey: 'bench-vit-b-16' });
if (only.has('stacks')) results.stacks = await benchStacks({ modelDir, log });

fs.mkdirSync('bench-results', { recursive: true });
const file = path.join('bench-results', `bench-${modelName}${graph.graph === 'official' ? '-official' : ''}-${results.date as string}.json`.replace(/:/g, '-'));
fs.writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
fs.writeFileSync(path.join('bench-results', 'latest.json'), JSON.stringify(results, null, 2) + '\n');
process.stdout.write(JSON.stringify(results, null, 2) + '\n');
log(`written ${file}`);
