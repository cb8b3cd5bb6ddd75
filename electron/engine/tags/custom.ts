/**
 * Custom tags: a person types "我家的橘猫" or "发票" and every photo that fits gets the tag.
 *
 * The name is embedded with the taxonomy's generic templates and then judged exactly like one more
 * member of the taxonomy (see classify.ts): p = e^(s·c) / (Z_taxonomy + e^(s·c)), kept when
 * p ≥ minProbability and c ≥ minCosine. Competing with the taxonomy, rather than thresholding the
 * raw cosine, matters: "发票" must beat "收据" and "文档" on a receipt photo to claim it, and a
 * photo of a beach does not get "我家的橘猫" just because every cosine in it is high.
 *
 * Z_taxonomy for each photo is remembered from its last tagging pass (PartitionCache), so applying
 * one tag to the library is one dot product per photo — a single vector against all stored
 * vectors. Photos with no remembered Z (e.g. after a restart) are scored against the taxonomy
 * on the way, which costs a full pass for them but gives the same answer.
 */
import { customProbability, resolveOptions, type ClassifyOptions } from './classify.ts';
import { checkBatch, yieldToEventLoop } from './pass.ts';
import { TagScorer } from './scorer.ts';
import type { VectorSource } from './types.ts';

/** Trimmed, inner whitespace collapsed: "  我家的  橘猫 " and "我家的 橘猫" are one tag. */
export function normaliseCustomName(name: string): string {
  const n = name.trim().replace(/\s+/g, ' ');
  if (!n) throw new Error('a custom tag needs a name');
  if ([...n].length > 100) throw new Error('a custom tag name is at most 100 characters');
  return n;
}

/** Per-photo log Z over the taxonomy, valid for one set of tag vectors (see TagService). */
export interface PartitionCache {
  get(photoId: number): number | undefined;
  set(photoId: number, logZ: number): void;
  clear(): void;
}

export class MemoryPartitionCache implements PartitionCache {
  private readonly map = new Map<number, number>();
  get(photoId: number): number | undefined {
    return this.map.get(photoId);
  }
  set(photoId: number, logZ: number): void {
    this.map.set(photoId, logZ);
  }
  clear(): void {
    this.map.clear();
  }
  get size(): number {
    return this.map.size;
  }
}

export interface Assignment {
  photoId: number;
  probability: number;
  cosine: number;
}

/**
 * Scores one tag vector against every stored vector. `taxonomy` scores photos whose log Z is
 * not cached (its first `taxonomyCount` rows are the taxonomy).
 */
export async function applyCustomTag(
  vector: Float32Array,
  source: VectorSource,
  partitions: PartitionCache,
  taxonomy: { scorer: TagScorer; count: number },
  options: ClassifyOptions,
): Promise<Assignment[]> {
  const o = resolveOptions(options);
  const dim = vector.length;
  if (taxonomy.scorer.dim !== dim) throw new Error(`custom tag has ${dim} dims, the taxonomy ${taxonomy.scorer.dim}`);
  const out: Assignment[] = [];
  for await (const batch of source()) {
    checkBatch(batch, dim);
    const { ids, vectors } = batch;
    const missing: number[] = [];
    for (let r = 0; r < ids.length; r++) if (partitions.get(ids[r]) === undefined) missing.push(r);
    if (missing.length > 0) await fillPartitions(vectors, ids, missing, partitions, taxonomy, o.logitScale);
    for (let r = 0; r < ids.length; r++) {
      const base = r * dim;
      let c = 0;
      for (let k = 0; k < dim; k++) c += vectors[base + k] * vector[k];
      if (c < o.minCosine) continue;
      const logZ = partitions.get(ids[r])!;
      const p = taxonomy.count === 0 ? 1 : customProbability(c, logZ, o.logitScale);
      if (p >= o.minProbability) out.push({ photoId: ids[r], probability: p, cosine: c });
    }
    await yieldToEventLoop();
  }
  return out;
}

async function fillPartitions(
  vectors: Float32Array,
  ids: Int32Array,
  rows: number[],
  partitions: PartitionCache,
  taxonomy: { scorer: TagScorer; count: number },
  logitScale: number,
): Promise<void> {
  const { scorer, count } = taxonomy;
  const dim = scorer.dim;
  const page = TagScorer.pageRows;
  for (let i = 0; i < rows.length; i += page) {
    const chunk = rows.slice(i, i + page);
    // Gather the rows into one contiguous block: the scorer reads row-major pages.
    const block = new Float32Array(chunk.length * dim);
    chunk.forEach((r, j) => block.set(vectors.subarray(r * dim, (r + 1) * dim), j * dim));
    const { logZ } = await scorer.score(block, 0, chunk.length, { count, logitScale });
    chunk.forEach((r, j) => partitions.set(ids[r], logZ![j]!));
  }
}
