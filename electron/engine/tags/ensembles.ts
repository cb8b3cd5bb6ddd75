/**
 * Prompt ensembles: a tag's vector is the mean of the L2-normalised text embeddings of every
 * (name or synonym) × (family template) prompt, re-normalised — the zero-shot recipe of CLIP and
 * Chinese-CLIP, which beats any single prompt because template-specific noise averages out.
 *
 * Encoding ~6k prompts is the slow part (the official text graph runs batch 1), so each tag's
 * vector is cached per model under a fingerprint of (model, method, prompts): unchanged tags are
 * reused across restarts, and a new model or an edited synonym recomputes exactly what changed.
 */
import { createHash } from 'node:crypto';
import { l2NormaliseInPlace } from '../ml/vectors.ts';
import { fillTemplate } from './taxonomy.ts';
import type { TextEmbedder } from './types.ts';

/** Bump when the way prompts become a vector changes, so every cached vector is recomputed. */
const METHOD = 'mean-of-normalised-prompts/v1';

/** Texts per embedTexts call: big enough to keep the encoder busy, small enough to report progress. */
export const TEXT_BATCH = 64;

export interface EnsembleSpec {
  /** The cache key of the tag (taxonomy id, or the custom tag's key). */
  key: string;
  names: string[];
  templates: string[];
}

export function ensemblePrompts(names: string[], templates: string[]): string[] {
  return names.flatMap((n) => templates.map((t) => fillTemplate(t, n)));
}

export function ensembleFingerprint(modelKey: string, prompts: string[]): string {
  const h = createHash('sha256');
  h.update(`${METHOD}\n${modelKey}\n`);
  for (const p of prompts) h.update(`${p}\n`);
  return h.digest('hex').slice(0, 32);
}

/**
 * Where ensemble vectors persist between runs (the store's tag_vectors, or memory in tests).
 * `get` answers only for the same key, model and fingerprint: anything else is a miss.
 */
export interface TagVectorCache {
  get(key: string, modelKey: string, fingerprint: string): Float32Array | undefined;
  set(key: string, modelKey: string, fingerprint: string, vector: Float32Array): void;
}

export interface EnsembleResult {
  vectors: Map<string, Float32Array>;
  /** How many tags had to be encoded (0 when every cached vector was still valid). */
  computed: number;
  promptsEncoded: number;
}

/** Embeds texts in batches, deduplicated (synonym × template products repeat across tags). */
export async function embedUnique(
  embedder: TextEmbedder,
  texts: string[],
  onProgress?: (done: number, total: number) => void,
  beforeBatch?: () => Promise<void>,
): Promise<Map<string, Float32Array>> {
  const unique = [...new Set(texts)];
  const out = new Map<string, Float32Array>();
  for (let i = 0; i < unique.length; i += TEXT_BATCH) {
    await beforeBatch?.();
    const batch = unique.slice(i, i + TEXT_BATCH);
    const vecs = await embedder.embedTexts(batch);
    if (vecs.length !== batch.length) throw new Error(`text embedder returned ${vecs.length} vectors for ${batch.length} texts`);
    batch.forEach((t, j) => out.set(t, vecs[j]!));
    onProgress?.(Math.min(i + TEXT_BATCH, unique.length), unique.length);
  }
  return out;
}

/** Mean of the normalised prompt vectors, re-normalised. */
export function meanOfNormalised(vectors: Float32Array[], dim: number): Float32Array {
  const acc = new Float32Array(dim);
  for (const v of vectors) {
    if (v.length !== dim) throw new Error(`prompt embedding has ${v.length} dims, expected ${dim}`);
    let norm = 0;
    for (let k = 0; k < dim; k++) norm += v[k] * v[k];
    const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let k = 0; k < dim; k++) acc[k] += v[k] * inv;
  }
  return l2NormaliseInPlace(acc);
}

/**
 * Vectors for every spec: from the cache when its fingerprint still matches, otherwise encoded
 * (all stale tags' prompts in one batched pass) and written back to the cache.
 */
export interface EnsembleOptions {
  onProgress?: (done: number, total: number) => void;
  /** Awaited before each batch of prompts is encoded (lets image encoding go first). */
  beforeBatch?: () => Promise<void>;
}

/** What the cache already holds for these specs, and which specs must be encoded. */
export function cachedEnsembles(
  embedder: Pick<TextEmbedder, 'modelKey' | 'dim'>,
  specs: EnsembleSpec[],
  cache: TagVectorCache,
): { vectors: Map<string, Float32Array>; stale: { spec: EnsembleSpec; prompts: string[]; fingerprint: string }[] } {
  const vectors = new Map<string, Float32Array>();
  const stale: { spec: EnsembleSpec; prompts: string[]; fingerprint: string }[] = [];
  for (const spec of specs) {
    const prompts = ensemblePrompts(spec.names, spec.templates);
    if (prompts.length === 0) throw new Error(`tag ${spec.key} has no prompts`);
    const fingerprint = ensembleFingerprint(embedder.modelKey, prompts);
    const hit = cache.get(spec.key, embedder.modelKey, fingerprint);
    if (hit && hit.length === embedder.dim) vectors.set(spec.key, hit);
    else stale.push({ spec, prompts, fingerprint });
  }
  return { vectors, stale };
}

export async function ensureEnsembles(
  embedder: TextEmbedder,
  specs: EnsembleSpec[],
  cache: TagVectorCache,
  opts: EnsembleOptions = {},
): Promise<EnsembleResult> {
  const { vectors, stale } = cachedEnsembles(embedder, specs, cache);
  const encoded = await embedUnique(embedder, stale.flatMap((s) => s.prompts), opts.onProgress, opts.beforeBatch);
  for (const { spec, prompts, fingerprint } of stale) {
    const vector = meanOfNormalised(prompts.map((p) => encoded.get(p)!), embedder.dim);
    cache.set(spec.key, embedder.modelKey, fingerprint, vector);
    vectors.set(spec.key, vector);
  }
  return { vectors, computed: stale.length, promptsEncoded: encoded.size };
}

/** A cache that lives as long as the process: for tests and one-shot CLI runs. */
export class MemoryVectorCache implements TagVectorCache {
  private readonly entries = new Map<string, { fingerprint: string; vector: Float32Array }>();
  get(key: string, modelKey: string, fingerprint: string): Float32Array | undefined {
    const e = this.entries.get(`${modelKey}\u0000${key}`);
    return e && e.fingerprint === fingerprint ? e.vector : undefined;
  }
  set(key: string, modelKey: string, fingerprint: string, vector: Float32Array): void {
    this.entries.set(`${modelKey}\u0000${key}`, { fingerprint, vector });
  }
}
