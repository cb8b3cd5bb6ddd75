/**
 * Tagging throughput: 100k random normalised 512-d photo vectors against the whole taxonomy
 * (target ≤ 5 s on the 2-core dev machine), and one custom tag applied to the same 100k photos
 * (target ≤ 1 s, with each photo's taxonomy partition remembered from the first pass, as in the
 * app). Vectors come from memory in store-sized pages, so this measures tagging, not SQLite.
 *
 * Run alone: npx tsx test/bench/tagging.bench.ts
 */
import { pathToFileURL } from 'node:url';
import { DEFAULT_MIN_COSINE } from '../../electron/engine/tags/classify.ts';
import { applyCustomTag, MemoryPartitionCache } from '../../electron/engine/tags/custom.ts';
import { classifySource } from '../../electron/engine/tags/pass.ts';
import { TagScorer } from '../../electron/engine/tags/scorer.ts';
import { loadTaxonomy } from '../../electron/engine/tags/taxonomy.ts';
import type { VectorBatch } from '../../electron/engine/tags/types.ts';

const PHOTOS = 100_000;
const DIM = 512;
const STORE_PAGE = 2048;
const LOGIT_SCALE = 100;

/** Deterministic xorshift + Box–Muller, so runs are comparable. */
function gaussian(seed: number): () => number {
  let s = seed >>> 0 || 1;
  const u = (): number => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return (s + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

function randomUnitRows(rows: number, dim: number, seed: number): Float32Array {
  const g = gaussian(seed);
  const m = new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    let n = 0;
    for (let k = 0; k < dim; k++) {
      const v = g();
      m[r * dim + k] = v;
      n += v * v;
    }
    const inv = 1 / Math.sqrt(n);
    for (let k = 0; k < dim; k++) m[r * dim + k] *= inv;
  }
  return m;
}

function* pages(all: Float32Array): Generator<VectorBatch> {
  for (let from = 0; from < PHOTOS; from += STORE_PAGE) {
    const rows = Math.min(STORE_PAGE, PHOTOS - from);
    const ids = new Int32Array(rows);
    for (let i = 0; i < rows; i++) ids[i] = from + i + 1;
    yield { ids, vectors: all.subarray(from * DIM, (from + rows) * DIM) };
  }
}

export async function benchTagging(): Promise<Record<string, number>> {
  const tagCount = loadTaxonomy().tags.length;
  const tags = randomUnitRows(tagCount, DIM, 7);
  const photos = randomUnitRows(PHOTOS, DIM, 11);
  // Random 512-d vectors have cosines of ±0.04, far below real photo–text cosines: a threshold
  // of 0 makes every photo go through the full softmax and selection, like real photos do.
  const options = { logitScale: LOGIT_SCALE, minCosine: 0 };
  const scorer = new TagScorer(tags, DIM);
  const partitions = new MemoryPartitionCache();

  let assigned = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await classifySource(() => pages(photos), scorer, tagCount, options, (page) => {
    for (const p of page) {
      assigned += p.tags.length;
      partitions.set(p.photoId, p.logZ);
    }
  });
  const taxonomySeconds = (performance.now() - t0) / 1000;
  const taxonomyCpu = cpuSeconds(cpu0);

  const custom = randomUnitRows(1, DIM, 13);
  const cpu1 = process.cpuUsage();
  const t1 = performance.now();
  const hits = await applyCustomTag(custom, () => pages(photos), partitions, { scorer, count: tagCount }, { logitScale: LOGIT_SCALE, minCosine: DEFAULT_MIN_COSINE / 4 });
  const customSeconds = (performance.now() - t1) / 1000;
  const customCpu = cpuSeconds(cpu1);

  return {
    tagging_100k_photos_s: round(taxonomySeconds),
    // CPU time too: on a shared machine it says what the code costs when wall time is inflated by others.
    tagging_100k_photos_cpu_s: round(taxonomyCpu),
    tagging_photos_per_s: Math.round(PHOTOS / taxonomySeconds),
    tagging_tags: tagCount,
    tagging_assigned_per_photo: round(assigned / PHOTOS),
    custom_tag_100k_photos_s: round(customSeconds),
    custom_tag_100k_photos_cpu_s: round(customCpu),
    custom_tag_hits: hits.length,
    tagging_on_onnxruntime: 1,
  };
}

const round = (x: number): number => Math.round(x * 1000) / 1000;

function cpuSeconds(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1e6;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await benchTagging();
  for (const [k, v] of Object.entries(result)) console.log(`${k.padEnd(30)} ${v}`);
}
