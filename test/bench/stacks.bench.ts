/**
 * BENCH_ONLY=stacks: exact copies, near-duplicates and bursts (issue 19; docs/decisions/stacks.md).
 *
 *   hashes       dHash, pHash, blockhash (blockhash-core, 64 and 256 bits) and a Haar-wavelet hash
 *                on real photos and their copies: farthest copy per transform, closest different
 *                pair, margin, ms per hash
 *   fingerprint  what computing the fingerprint while decoding adds to the indexer's decode
 *   calibration  the same set decoded and embedded as the indexer does (one decode: tensor and
 *                fingerprint) with BENCH_STACKS_MODEL (default: the vit-b-16 bench model, random
 *                weights — its cosines say nothing about real photos; the numbers show the
 *                procedure): cosine margins and the suggested C1/C2 for that model, then precision
 *                and recall of each kind over the whole set grouped from scratch, with the default
 *                thresholds, with the suggested ones, and with the hash alone
 *   speed        the grouping on SYNTHETIC records (100k by default): pictures/s from scratch, ms
 *                per new picture added to the full library
 *   pass         the stacks pass as the engine runs it on a real library database of those records
 *                (stacks/pass-speed.ts): photos/s from scratch, a restart, ms per new photo
 *   search       search and browsing with each stack shown once vs every photo, same run, on the
 *                query benchmark's library at BENCH_VECTORS (stacks/stacked-search.ts)
 *
 * Options: BENCH_STACKS_EXTRA=dir[:dir…] more real photos (e.g. public test images, see the
 *          decision record for the ones measured); BENCH_STACKS_BURSTS=dir a folder of folders of
 *          video frames 200 ms apart; BENCH_STACKS_MODEL=model dir; BENCH_STACKS_N=100000;
 *          BENCH_STACKS_SOURCES=50 (photos from ../shared/photos);
 *          BENCH_STACKS_PARTS=hashes,fingerprint,calibration,speed,pass,search (which parts run;
 *          all but search by default); BENCH_VECTORS=100000 (search).
 */
import os from 'node:os';
import path from 'node:path';
import { decodeForModel } from '../../electron/engine/media/decode.ts';
import { ModelRuntime } from '../../electron/engine/ml/model-runtime.ts';
import { StackGrouper } from '../../electron/engine/stacks/grouper.ts';
import { hammingDistance } from '../../electron/engine/stacks/phash.ts';
import { DEFAULT_THRESHOLDS, cosine, type StackThresholds } from '../../electron/engine/stacks/relations.ts';
import { burstItems, nearItems, type Item } from './stacks/calibration-set.ts';
import { cosineMargins, precisionRecall } from './stacks/evaluate.ts';
import { hashAll, margins } from './stacks/hash-margins.ts';
import { syntheticLibrary } from './stacks/synthetic-library.ts';
import { benchPassSpeed } from './stacks/pass-speed.ts';
import { benchStackedSearch } from './stacks/stacked-search.ts';
import { listImages, variantsOf } from './stacks/transformed-set.ts';

type Log = (m: string) => void;

const r2 = (x: number): number => Math.round(x * 100) / 100;

function sources(): { shared: string[]; extra: string[] } {
  const n = Number(process.env.BENCH_STACKS_SOURCES ?? 50);
  const shared = listImages(path.resolve('../shared/photos')).slice(0, n);
  const extra = (process.env.BENCH_STACKS_EXTRA ?? '').split(':').filter(Boolean).flatMap((d) => listImages(path.resolve(d)));
  return { shared, extra };
}

async function benchHashes(files: string[], log: Log): Promise<unknown> {
  const set: { variants: Awaited<ReturnType<typeof variantsOf>> }[] = [];
  for (const f of files) {
    try {
      set.push({ variants: await variantsOf(f) });
    } catch (err) {
      log(`hashes: skipping ${f}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  const { images, ms } = await hashAll(set);
  return { photos: set.length, copiesPerPhoto: set[0]?.variants.length ?? 0, candidates: margins(images, ms) };
}

async function benchFingerprintCost(files: string[], spec: ModelRuntime['preprocessSpec']): Promise<unknown> {
  const time = async (fingerprint: boolean): Promise<number> => {
    const t0 = performance.now();
    for (const f of files) await decodeForModel(f, spec, { fingerprint });
    return (performance.now() - t0) / files.length;
  };
  await time(false); // warm-up
  const rounds: { without: number; with: number }[] = [];
  for (let r = 0; r < 3; r++) rounds.push({ without: await time(false), with: await time(true) });
  const without = Math.min(...rounds.map((x) => x.without));
  const withFp = Math.min(...rounds.map((x) => x.with));
  return { photos: files.length, msDecode: r2(without), msDecodeWithFingerprint: r2(withFp), ratio: r2(withFp / without) };
}

function thresholdsFrom(base: StackThresholds, near: number | null, burst: number | null): StackThresholds {
  return { ...base, nearCosine: near ?? base.nearCosine, burstCosine: burst ?? base.burstCosine };
}

async function benchCalibration(files: string[], modelDir: string, log: Log): Promise<{ result: unknown; items: Item[] }> {
  const runtime = ModelRuntime.load(modelDir, { provider: 'cpu', threads: os.availableParallelism() });
  try {
    const near = await nearItems(runtime, files, log);
    // "Something else" must not be one of the photos whose copies are in the set.
    const inSet = new Set(files);
    const intruders = [...listImages(path.resolve('../shared/photos')), ...listImages(path.resolve('../shared/golden/images')).filter((f) => f.endsWith('.JPEG'))].filter((f) => !inSet.has(f));
    const bursts = process.env.BENCH_STACKS_BURSTS ? await burstItems(runtime, path.resolve(process.env.BENCH_STACKS_BURSTS), intruders, log) : [];
    const items = [...near, ...bursts];
    const m = cosineMargins(items, DEFAULT_THRESHOLDS);
    const calibrated = thresholdsFrom(DEFAULT_THRESHOLDS, m.near.suggested, m.burst.suggested);
    const hashOnly = thresholdsFrom(DEFAULT_THRESHOLDS, -1, -1);
    return {
      items,
      result: {
        model: path.basename(modelDir),
        pictures: items.length,
        burstFrames: bursts.filter((b) => b.burst !== null).length,
        margins: m,
        thresholds: { defaults: DEFAULT_THRESHOLDS, suggestedForThisModel: calibrated },
        precisionRecall: {
          defaults: precisionRecall(items, DEFAULT_THRESHOLDS),
          suggestedForThisModel: precisionRecall(items, calibrated),
          hashAndTimeOnly: precisionRecall(items, hashOnly),
        },
      },
    };
  } finally {
    await runtime.close();
  }
}

function benchSpeed(n: number, log: Log): unknown {
  const t0 = performance.now();
  const lib = syntheticLibrary(n);
  const more = syntheticLibrary(2000, 99).pictures.map((p) => ({ ...p, key: `new-${p.key}` }));
  log(`speed: ${lib.pictures.length} synthetic pictures made in ${r2((performance.now() - t0) / 1000)} s`);
  const g = new StackGrouper();
  // CPU seconds beside wall seconds: on a shared machine the wall clock mostly measures the others.
  const cpu = (): number => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  const t1 = performance.now();
  const c1 = cpu();
  g.insertAll(lib.pictures);
  const scratch = (performance.now() - t1) / 1000;
  const scratchCpu = cpu() - c1;
  const t2 = performance.now();
  const c2 = cpu();
  for (const p of more) g.insert(p);
  const perNew = (performance.now() - t2) / more.length;
  const perNewCpu = ((cpu() - c2) * 1000) / more.length;
  // What one new picture would cost compared with every picture (hash distance, and the cosine
  // for those within T1): the baseline the index and the time window avoid, in the same run.
  const sample = more.slice(0, 100);
  const t3 = performance.now();
  let hits = 0;
  for (const q of sample) {
    for (const p of lib.pictures) {
      if (hammingDistance(q.phash!, p.phash!) <= DEFAULT_THRESHOLDS.nearHashDistance && cosine(q.vector!, p.vector!) >= DEFAULT_THRESHOLDS.nearCosine) hits++;
    }
  }
  const perBruteForce = (performance.now() - t3) / sample.length;
  const snap = g.snapshot();
  return {
    pictures: lib.pictures.length,
    photos: lib.photos,
    fromScratchSeconds: r2(scratch),
    fromScratchCpuSeconds: r2(scratchCpu),
    picturesPerSecond: Math.round(lib.pictures.length / scratch),
    picturesPerCpuSecond: Math.round(lib.pictures.length / scratchCpu),
    msPerNewPicture: r2(perNew),
    cpuMsPerNewPicture: r2(perNewCpu),
    msPerNewPictureComparedWithAll: r2(perBruteForce),
    ratioComparedWithAllToIndexed: r2(perBruteForce / perNew),
    bruteForceHits: hits,
    loadAverage: os.loadavg().map(r2),
    nearGroups: snap.near.length,
    bursts: snap.bursts.length,
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

export async function benchStacks(opts: { modelDir: string; log: Log }): Promise<Record<string, unknown>> {
  const { shared, extra } = sources();
  const parts = new Set((process.env.BENCH_STACKS_PARTS ?? 'hashes,fingerprint,calibration,speed,pass').split(','));
  const out: Record<string, unknown> = {};
  const modelDir = process.env.BENCH_STACKS_MODEL ? path.resolve(process.env.BENCH_STACKS_MODEL) : opts.modelDir;
  if (parts.has('speed')) {
    out.speed = benchSpeed(Number(process.env.BENCH_STACKS_N ?? 100_000), opts.log);
    opts.log(`stacks: speed ${JSON.stringify(out.speed)}`);
  }
  if (parts.has('pass')) {
    out.pass = await benchPassSpeed(Number(process.env.BENCH_STACKS_N ?? 100_000), opts.log);
    opts.log(`stacks: pass ${JSON.stringify(out.pass)}`);
  }
  if (parts.has('search')) {
    out.search = await benchStackedSearch(Number(process.env.BENCH_VECTORS ?? 100_000), opts.log);
    opts.log(`stacks: search ${JSON.stringify(out.search)}`);
  }
  if (parts.has('hashes')) {
    opts.log(`stacks: hashes over ${shared.length + extra.length} photos…`);
    out.hashes = await benchHashes([...shared, ...extra], opts.log);
    opts.log(`stacks: ${JSON.stringify(out.hashes)}`);
  }
  if (parts.has('fingerprint')) {
    const runtime = ModelRuntime.load(modelDir, { provider: 'cpu', threads: 1 });
    out.fingerprint = await benchFingerprintCost(shared, runtime.preprocessSpec);
    await runtime.close();
    opts.log(`stacks: fingerprint ${JSON.stringify(out.fingerprint)}`);
  }
  if (parts.has('calibration')) {
    opts.log(`stacks: calibration with ${modelDir}…`);
    out.calibration = (await benchCalibration([...shared, ...extra], modelDir, opts.log)).result;
    opts.log(`stacks: calibration ${JSON.stringify(out.calibration)}`);
  }
  return out;
}
