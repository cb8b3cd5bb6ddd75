/**
 * BENCH_ONLY=relevance: where the relevance boundary (search/relevance.ts) ends result lists with
 * known answers, measured with evaluateRelevance (search/relevance-eval.ts):
 *
 *   clipLike     the search benchmarks' CLIP-like libraries (test/bench/search/vectors.ts) at
 *                BENCH_RELEVANCE_SIZES photos (default 2000,20000,100000), 40 text-like queries
 *                each; a query's answers are the photos of its topic (some topics have none).
 *                Also the best F1 any cut of the first 1000 could reach (the ceiling here).
 *   toyColors    the toy-colors model over 27 coloured photos + ../shared/photos; a colour
 *                query's answers are the photos whose dominant colour under the model it names.
 *   benchModel   the bench ViT-B/16 (random weights: its scores mean nothing) on the same photos,
 *                with the colour queries and the 50 labels: how much it keeps when nothing
 *                should stand out.
 *
 * Numbers are reported, nothing asserted; the tests are test/unit/search-relevance.test.ts and
 * test/integration/search-relevance.test.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { preprocess } from '../../electron/engine/media/decode.ts';
import { ModelRuntime } from '../../electron/engine/ml/model-runtime.ts';
import { evaluateRelevance, type LabelledQuery, type RelevanceEvaluation } from '../../electron/engine/search/relevance-eval.ts';
import { COLOURS, writeColourSet, type ColourName } from '../../scripts/fixtures/colour-photos.ts';
import { TOY_COLORS } from '../../scripts/models/toy-colors.ts';
import { makeQueries, makeVectors } from './search/vectors.ts';

const r3 = (x: number | null): number | null => (x === null ? null : Math.round(x * 1000) / 1000);

function summary(e: RelevanceEvaluation, extra: Record<string, unknown> = {}) {
  return {
    photos: e.photos,
    queries: e.queries,
    precision: r3(e.precision),
    recall: r3(e.recall),
    f1: r3(e.f1),
    emptyWhenNothing: r3(e.emptyWhenNothing),
    medianRelevant: e.medianRelevant,
    methods: e.outcomes.reduce<Record<string, number>>((m, o) => ((m[o.method] = (m[o.method] ?? 0) + 1), m), {}),
    ...extra,
  };
}

/** The best F1 of any cut within the first `window` of each query's ranking: what a perfect boundary could reach. */
function ceilingF1(photos: Float32Array[], queries: LabelledQuery[], window = 1000): number {
  let sum = 0;
  for (const q of queries) {
    const ranked = photos
      .map((v, i) => {
        let s = 0;
        for (let j = 0; j < v.length; j++) s += v[j]! * q.vec[j]!;
        return { i, s };
      })
      .sort((a, b) => b.s - a.s);
    let best = q.answers.size === 0 ? 1 : 0;
    let tp = 0;
    for (let k = 1; k <= Math.min(window, ranked.length); k++) {
      if (q.answers.has(ranked[k - 1]!.i)) tp++;
      if (q.answers.size > 0) best = Math.max(best, (2 * tp) / (k + q.answers.size));
    }
    sum += best;
  }
  return sum / queries.length;
}

function clipLike(n: number, nQueries: number) {
  const dim = 512;
  const topicOf = new Int32Array(n);
  const queryTopic = new Int32Array(nQueries);
  const flat = makeVectors('clip-like', n, dim, 1, topicOf);
  const photos = Array.from({ length: n }, (_, i) => flat.subarray(i * dim, (i + 1) * dim));
  const queries: LabelledQuery[] = makeQueries('clip-like', nQueries, dim, 1, queryTopic).map((vec, q) => {
    const answers = new Set<number>();
    topicOf.forEach((t, i) => t === queryTopic[q] && answers.add(i));
    return { query: `topic ${queryTopic[q]}`, vec, answers };
  });
  return { photos, queries };
}

async function photoSet(): Promise<string[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-relevance-bench-'));
  const made = await writeColourSet(dir, Object.keys(COLOURS) as ColourName[], 3);
  const shared = path.resolve('../shared/photos');
  const real = fs.existsSync(shared) ? fs.readdirSync(shared).filter((f) => f.endsWith('.JPEG')).map((f) => path.join(shared, f)) : [];
  return [...made, ...real];
}

async function embedAll(modelDir: string, files: string[], texts: string[], threads: number) {
  const runtime = ModelRuntime.load(modelDir, { threads });
  try {
    const photos: Float32Array[] = [];
    for (const f of files) photos.push((await runtime.embedImageTensors([(await preprocess(f, runtime.preprocessSpec)).tensor]))[0]!);
    return { photos, texts: await runtime.embedTexts(texts) };
  } finally {
    await runtime.close();
  }
}

export async function benchRelevance(opts: { toyModelDir: string; benchModelDir: string | null; threads: number; log: (m: string) => void }): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const sizes = (process.env.BENCH_RELEVANCE_SIZES ?? '2000,20000,100000').split(',').map(Number);
  out.clipLike = sizes.map((n) => {
    opts.log(`relevance: CLIP-like library of ${n}`);
    const { photos, queries } = clipLike(n, 40);
    const e = evaluateRelevance(photos, queries);
    return { n, ...summary(e, { ceilingF1: r3(ceilingF1(photos, queries)), answersPerQuery: queries.map((q) => q.answers.size) }) };
  });

  const files = await photoSet();
  const colourQueries = TOY_COLORS.map((c) => `${c.char}色`);
  opts.log(`relevance: toy-colors on ${files.length} photos`);
  const toy = await embedAll(opts.toyModelDir, files, colourQueries, opts.threads);
  const dominantOf = toy.photos.map((v) => TOY_COLORS.reduce((best, _, k) => (v[k]! > v[best]! ? k : best), 0));
  const toyQueries = colourQueries.map((query, k) => ({ query, vec: toy.texts[k]!, answers: new Set(dominantOf.flatMap((d, i) => (d === k ? [i] : []))) }));
  const toyEval = evaluateRelevance(toy.photos, toyQueries);
  out.toyColors = summary(toyEval, { perQuery: toyEval.outcomes.map((o) => ({ query: o.query, kept: o.relevant, answers: o.answers, inside: o.found, method: o.method })) });

  if (opts.benchModelDir) {
    const labels = (JSON.parse(fs.readFileSync(path.resolve('../shared/photos/labels.json'), 'utf8')) as { photos: { label_cn: string }[] }).photos.map((p) => p.label_cn);
    const texts = [...colourQueries, ...labels];
    opts.log(`relevance: bench model (random weights) on ${files.length} photos, ${texts.length} queries`);
    const bench = await embedAll(opts.benchModelDir, files, texts, opts.threads);
    // Random weights: no photo is the answer to anything.
    const e = evaluateRelevance(bench.photos, texts.map((query, i) => ({ query, vec: bench.texts[i]!, answers: new Set<number>() })));
    out.benchModel = summary(e, { keptPerQuery: e.outcomes.map((o) => o.relevant) });
  }
  return out;
}
