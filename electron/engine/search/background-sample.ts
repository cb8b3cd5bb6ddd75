/**
 * The background a query is measured against (relevance.ts): its scores over a fixed sample of
 * the model's photos, spread over the whole library. The sample is read once (≤ SAMPLE_SIZE
 * vectors through the store's shadow tables, ~1–2 MB at 512-d) and read again only when the
 * library has changed by more than a tenth; a query then costs SAMPLE_SIZE dot products (well
 * under a millisecond at 512-d). A library of at most SAMPLE_SIZE photos is its own background.
 *
 * The sample ignores the query's filters on purpose: the photos in one folder or one month are
 * still photos of everything else, and a folder that is all cats must not make cats the
 * background a search for 猫 there is compared with.
 */
import type { VectorRepository } from '../store/vector-repository.ts';

export const SAMPLE_SIZE = 1024;
/** Re-read the sample once the number of vectors differs from the sampled count by this share. */
const REFRESH_SHARE = 0.1;

interface Sample {
  count: number;
  dim: number;
  vectors: Float32Array;
  n: number;
}

export class BackgroundSample {
  /** By repository: one sample per model's vector table. */
  private readonly samples = new WeakMap<VectorRepository, Sample>();

  constructor(private readonly size = SAMPLE_SIZE) {}

  /** The query's cosine (dot product: vectors are unit length) with every sampled photo. */
  scores(repo: VectorRepository, query: Float32Array): Float32Array {
    const s = this.sampleOf(repo);
    if (query.length !== s.dim) throw new Error(`query has ${query.length} dimensions; the sample has ${s.dim}`);
    const out = new Float32Array(s.n);
    const { vectors, dim } = s;
    for (let r = 0; r < s.n; r++) {
      let dot = 0;
      const o = r * dim;
      for (let i = 0; i < dim; i++) dot += vectors[o + i]! * query[i]!;
      out[r] = dot;
    }
    return out;
  }

  private sampleOf(repo: VectorRepository): Sample {
    const count = repo.count();
    const cached = this.samples.get(repo);
    // A small library is all in the sample: any change is read again (it costs little).
    const stale = !cached || (cached.count < this.size ? count !== cached.count : Math.abs(count - cached.count) > REFRESH_SHARE * cached.count);
    if (!stale) return cached;
    const batch = repo.sample(this.size);
    const s: Sample = { count, dim: repo.dim, vectors: batch.vectors, n: batch.ids.length };
    this.samples.set(repo, s);
    return s;
  }
}
