import { describe, expect, it } from 'vitest';
import { resolveOptions, selectTags, type PhotoTags } from '../../electron/engine/tags/classify.ts';
import { applyCustomTag, MemoryPartitionCache } from '../../electron/engine/tags/custom.ts';
import { ensembleFingerprint, ensemblePrompts, ensureEnsembles, MemoryVectorCache } from '../../electron/engine/tags/ensembles.ts';
import { classifySource } from '../../electron/engine/tags/pass.ts';
import { TagScorer } from '../../electron/engine/tags/scorer.ts';
import { parseTaxonomy } from '../../electron/engine/tags/taxonomy.ts';
import type { VectorBatch } from '../../electron/engine/tags/types.ts';
import { axis, COLOURS, colourTaxonomyJson, ColourEmbedder, DIM, EMPTY_AXIS, mix, normalise } from './tags-fakes.ts';

const RED = 0;
const BLUE = 4;
const taxonomy = parseTaxonomy(colourTaxonomyJson());

async function colourTagMatrix(embedder = new ColourEmbedder()): Promise<Float32Array> {
  const specs = taxonomy.tags.map((t) => ({ key: t.id, names: [t.zh], templates: taxonomy.families[0]!.templates }));
  const { vectors } = await ensureEnsembles(embedder, specs, new MemoryVectorCache());
  const m = new Float32Array(specs.length * DIM);
  specs.forEach((s, i) => m.set(vectors.get(s.key)!, i * DIM));
  return m;
}

function batchOf(rows: Float32Array[], firstId = 1): VectorBatch {
  const vectors = new Float32Array(rows.length * DIM);
  rows.forEach((r, i) => vectors.set(r, i * DIM));
  return { ids: Int32Array.from(rows, (_, i) => firstId + i), vectors };
}

async function classifyRows(rows: Float32Array[], matrix: Float32Array, taxonomyCount: number, options = {}): Promise<PhotoTags[]> {
  const out: PhotoTags[] = [];
  await classifySource(() => [batchOf(rows)], new TagScorer(matrix, DIM), taxonomyCount, { logitScale: 100, ...options }, (page) => void out.push(...page));
  return out;
}

const names = (p: PhotoTags): string[] => p.tags.map((t) => taxonomy.tags[t.tag]?.zh ?? `custom#${t.tag}`);

describe('classification', () => {
  it('gives a photo near the red axis the red tag, and only that', async () => {
    const [photo] = await classifyRows([mix([RED, 1], [BLUE, 0.15])], await colourTagMatrix(), 9);
    expect(names(photo!)).toEqual(['红色']);
    expect(photo!.tags[0]!.probability).toBeGreaterThan(0.9);
    expect(photo!.tags[0]!.cosine).toBeGreaterThan(0.9);
  });

  it('gives nothing to a photo far from every tag, however the softmax splits', async () => {
    const [photo] = await classifyRows([axis(EMPTY_AXIS)], await colourTagMatrix(), 9);
    expect(photo!.tags).toEqual([]);
  });

  it('keeps two close tags when both are likely (red and orange photo)', async () => {
    const [photo] = await classifyRows([mix([RED, 1], [1, 1])], await colourTagMatrix(), 9);
    expect(names(photo!).sort()).toEqual(['橙色', '红色']);
  });

  it('caps a photo at five taxonomy tags, best first', async () => {
    // Seven colours almost equally present: each passes both thresholds (p ≈ 1/7, cos ≈ 0.38),
    // only the five strongest are kept.
    const photo = mix(...[0, 1, 2, 3, 4, 5, 6].map((k): [number, number] => [k, 1 + k * 0.002]));
    const [result] = await classifyRows([photo], await colourTagMatrix(), 9);
    expect(result!.tags).toHaveLength(5);
    expect(names(result!)).toEqual(['黑色', '紫色', '蓝色', '绿色', '黄色']);
    const cos = result!.tags.map((t) => t.cosine);
    expect([...cos].sort((a, b) => b - a)).toEqual(cos);
  });

  it('respects both thresholds as options', async () => {
    const matrix = await colourTagMatrix();
    const photo = mix([RED, 1], [1, 1]);
    const [strictP] = await classifyRows([photo], matrix, 9, { minProbability: 0.6 });
    expect(strictP!.tags).toEqual([]);
    const [strictCos] = await classifyRows([photo], matrix, 9, { minCosine: 0.9 });
    expect(strictCos!.tags).toEqual([]);
  });

  it('reports softmax probabilities that match a direct computation', () => {
    const row = new Float32Array([0.3, 0.29, 0.1, 0.25]);
    // p ≈ 0.73, 0.27, 2e-9, 0.0049: a 0.004 floor keeps tags 0, 1 and 3; tag 2 also fails minCosine.
    const o = resolveOptions({ logitScale: 100, minProbability: 0.004 });
    const tags = selectTags(row, 0, 4, 4, o);
    const z = [...row].reduce((s, c) => s + Math.exp(100 * c), 0);
    for (const t of tags) expect(t.probability).toBeCloseTo(Math.exp(100 * row[t.tag]!) / z, 6);
    expect(tags.map((t) => t.tag)).toEqual([0, 1, 3]);
  });

  it('streams any number of batches and pages', async () => {
    const matrix = await colourTagMatrix();
    const scorer = new TagScorer(matrix, DIM);
    const rows = Array.from({ length: 2500 }, (_, i) => (i % 2 ? axis(BLUE) : axis(RED)));
    const batches = [batchOf(rows.slice(0, 1100), 1), batchOf(rows.slice(1100), 1101)];
    const seen = new Map<number, string[]>();
    const res = await classifySource(() => batches, scorer, 9, { logitScale: 100 }, (page) => page.forEach((p) => seen.set(p.photoId, names(p))));
    expect(res.photos).toBe(2500);
    expect(seen.size).toBe(2500);
    expect(seen.get(1)).toEqual(['红色']);
    expect(seen.get(2500)).toEqual(['蓝色']);
  });

  it('rejects a batch whose vectors do not match its ids', async () => {
    const bad: VectorBatch = { ids: new Int32Array([1, 2]), vectors: new Float32Array(DIM) };
    await expect(classifySource(() => [bad], new TagScorer(await colourTagMatrix(), DIM), 9, { logitScale: 100 }, () => {})).rejects.toThrow(/floats for 2 ids/);
  });
});

describe('custom tags', () => {
  it('one-tag pass over stored vectors agrees with a full pass that includes the tag', async () => {
    const embedder = new ColourEmbedder();
    const matrix = await colourTagMatrix(embedder);
    const [custom] = await ensureEnsembles(embedder, [{ key: 'custom:红紫', names: ['红紫'], templates: taxonomy.customTemplates }], new MemoryVectorCache()).then((r) => [...r.vectors.values()]);
    const photos = [mix([RED, 1], [5, 1]), axis(RED), axis(5), axis(BLUE), mix([RED, 1], [5, 0.8], [BLUE, 0.3]), axis(EMPTY_AXIS)];

    const withCustom = new Float32Array(matrix.length + DIM);
    withCustom.set(matrix);
    withCustom.set(custom!, matrix.length);
    const full = await classifyRows(photos, withCustom, 9);
    const fromFull = full.flatMap((p) => p.tags.filter((t) => t.tag === 9).map((t) => ({ photoId: p.photoId, probability: t.probability })));

    // The one-tag pass, with partitions remembered from a taxonomy-only pass …
    const partitions = new MemoryPartitionCache();
    const scorer = new TagScorer(matrix, DIM);
    await classifySource(() => [batchOf(photos)], scorer, 9, { logitScale: 100 }, (page) => page.forEach((p) => partitions.set(p.photoId, p.logZ)));
    const remembered = await applyCustomTag(custom!, () => [batchOf(photos)], partitions, { scorer, count: 9 }, { logitScale: 100 });
    // … and with nothing remembered (after a restart).
    const cold = await applyCustomTag(custom!, () => [batchOf(photos)], new MemoryPartitionCache(), { scorer, count: 9 }, { logitScale: 100 });

    expect(fromFull.map((a) => a.photoId)).toEqual([1, 5]);
    for (const pass of [remembered, cold]) {
      expect(pass.map((a) => a.photoId)).toEqual(fromFull.map((a) => a.photoId));
      pass.forEach((a, i) => expect(a.probability).toBeCloseTo(fromFull[i]!.probability, 5));
    }
  });

  it('does not take a photo that a taxonomy tag explains better', async () => {
    const embedder = new ColourEmbedder();
    const scorer = new TagScorer(await colourTagMatrix(embedder), DIM);
    const { vectors } = await ensureEnsembles(embedder, [{ key: 'custom:红', names: ['红红红蓝'], templates: taxonomy.customTemplates }], new MemoryVectorCache());
    const photos = [axis(BLUE), mix([RED, 3], [BLUE, 1])];
    const hits = await applyCustomTag([...vectors.values()][0]!, () => [batchOf(photos)], new MemoryPartitionCache(), { scorer, count: 9 }, { logitScale: 100 });
    expect(hits.map((h) => h.photoId)).toEqual([2]);
  });
});

describe('tag vector cache', () => {
  const specs = (synonym?: string) =>
    taxonomy.tags.map((t, i) => ({ key: t.id, names: i === 0 && synonym ? [t.zh, synonym] : [t.zh], templates: taxonomy.families[0]!.templates }));

  it('encodes once, reuses while unchanged, and recomputes on a new model or new prompts', async () => {
    const cache = new MemoryVectorCache();
    const a = new ColourEmbedder('model-a');
    const first = await ensureEnsembles(a, specs(), cache);
    expect(first.computed).toBe(9);
    expect(a.texts).toBe(27);

    const again = await ensureEnsembles(a, specs(), cache);
    expect(again.computed).toBe(0);
    expect(a.texts).toBe(27); // no new encoding
    expect(again.vectors.get('c0')).toEqual(first.vectors.get('c0'));

    const b = new ColourEmbedder('model-b');
    expect((await ensureEnsembles(b, specs(), cache)).computed).toBe(9);
    expect(b.texts).toBe(27);

    const edited = await ensureEnsembles(a, specs('赤红'), cache);
    expect(edited.computed).toBe(1); // only the tag whose prompts changed
    expect(a.texts).toBe(27 + 6);
  });

  it('averages normalised prompt vectors into a unit vector', async () => {
    const { vectors } = await ensureEnsembles(new ColourEmbedder(), specs(), new MemoryVectorCache());
    for (const v of vectors.values()) expect(Math.hypot(...v)).toBeCloseTo(1, 6);
    // The ensemble of 红色 prompts points at the red axis, template noise mostly averaged out.
    expect(vectors.get('c0')![RED]).toBeGreaterThan(0.99);
  });

  it('batches the text encoder rather than calling it per prompt', async () => {
    const e = new ColourEmbedder();
    const many = Array.from({ length: 100 }, (_, i) => ({ key: `k${i}`, names: [`${COLOURS[i % 9]}${i}`], templates: ['{c}的照片', '这是{c}'] }));
    await ensureEnsembles(e, many, new MemoryVectorCache());
    expect(e.texts).toBe(200);
    expect(e.calls).toBeLessThanOrEqual(4);
  });

  it('refuses a cached vector of the wrong dimension', async () => {
    const cache = new MemoryVectorCache();
    const e = new ColourEmbedder();
    await ensureEnsembles(e, specs(), cache);
    const fingerprint = ensembleFingerprint(e.modelKey, ensemblePrompts(['红色'], taxonomy.families[0]!.templates));
    expect(cache.get('c0', e.modelKey, fingerprint)).toBeDefined();
    cache.set('c0', e.modelKey, fingerprint, normalise(new Float32Array(8).fill(1)));
    expect((await ensureEnsembles(e, specs(), cache)).computed).toBe(1);
  });
});
