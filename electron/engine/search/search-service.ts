/**
 * Queries: text → photos, photo → similar photos, dropped image → similar photos. Filters
 * (folder subtree, date-taken range, tag) are handed to the vector query itself, so the top K
 * come from the filtered set rather than from over-fetching and discarding. Hits carry their tags.
 */
import path from 'node:path';
import type { PhotoHit, SearchResponse } from '../../shared/api.ts';
import { ApiError } from '../../shared/api.ts';
import type { Library } from '../store/library.ts';
import type { VectorFilter } from '../store/vector-repository.ts';
import { preprocess, type PreprocessSpec } from '../media/decode.ts';
import type { VectorSearch } from './vector-search.ts';
import { attachTags, toHit } from './hits.ts';
import { WorkerGoneError } from '../ml/errors.ts';

export interface SearchFilters {
  folder?: string;
  after?: string;
  before?: string;
  tag?: string;
}

export interface QueryEmbedder {
  readonly preprocessSpec: PreprocessSpec;
  embedTexts(texts: string[]): Promise<Float32Array[]>;
  embedImageTensors(tensors: Float32Array[]): Promise<Float32Array[]>;
}

/** Parse an ISO date; a bare day for `before` means the end of that day (inclusive range). */
export function parseDateBound(value: string, bound: 'after' | 'before'): number {
  const dayOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const t = Date.parse(dayOnly ? `${value}T00:00:00` : value);
  if (Number.isNaN(t)) throw new ApiError('BAD_REQUEST', `not a date: ${value}`);
  return dayOnly && bound === 'before' ? t + 86_400_000 - 1 : t;
}

/** The model that answers queries: its encoder and its vectors, taken together for one query. */
export interface ServingModel {
  embedder: QueryEmbedder;
  vectors: VectorSearch;
}

export class SearchService {
  constructor(
    private readonly lib: Library,
    /**
     * A function because a model switch can complete at any time. Each query reads it once, so
     * its text is encoded and searched by the same model (never one model's vector against the
     * other model's table).
     */
    private readonly serving: () => ServingModel,
  ) {}

  toVectorFilter(f: SearchFilters): VectorFilter {
    const filter: VectorFilter = {};
    if (f.folder) {
      const abs = path.resolve(f.folder);
      filter.dirPrefix = abs.endsWith(path.sep) ? abs : abs + path.sep;
    }
    if (f.after) filter.after = parseDateBound(f.after, 'after');
    if (f.before) filter.before = parseDateBound(f.before, 'before');
    if (f.after && f.before && filter.after! > filter.before!) {
      throw new ApiError('BAD_REQUEST', `date range is empty: ${f.after} is after ${f.before}`);
    }
    if (f.tag) filter.tag = f.tag;
    return filter;
  }

  async text(query: string, limit: number, filters: SearchFilters = {}): Promise<SearchResponse> {
    const q = query.trim();
    if (!q) throw new ApiError('BAD_REQUEST', 'the query is empty');
    const filter = this.toVectorFilter(filters);
    const model = this.serving();
    const t0 = performance.now();
    const switched = (): boolean => this.serving().vectors !== model.vectors;
    const [vec] = await model.embedder.embedTexts([q]).catch((err: unknown) => {
      // The old model's encoder closed under a query that raced a switch's completion.
      if (err instanceof WorkerGoneError && switched()) return [null];
      throw err;
    });
    // A model switch completed while the text was encoded: ask the model that serves now.
    if (!vec || switched()) return this.text(query, limit, filters);
    const t1 = performance.now();
    const hits = this.knn(model.vectors, vec, limit, filter);
    return { hits, textMs: round(t1 - t0), searchMs: round(performance.now() - t1) };
  }

  async similar(photoId: number, limit: number, filters: SearchFilters = {}): Promise<SearchResponse> {
    const model = this.serving();
    const vec = model.vectors.vectors.get(photoId);
    if (!vec) {
      const row = this.lib.photos.get(photoId);
      throw new ApiError('NOT_FOUND', row ? `photo ${row.path} has no embedding yet (${row.status})` : `no photo with id ${photoId}`);
    }
    const t0 = performance.now();
    // The photo itself is its own best match: ask for one more and drop it.
    const hits = this.knn(model.vectors, vec, limit + 1, this.toVectorFilter(filters))
      .filter((h) => h.id !== photoId)
      .slice(0, limit);
    return { hits, textMs: 0, searchMs: round(performance.now() - t0) };
  }

  async similarToImage(input: Buffer | string, limit: number, filters: SearchFilters = {}): Promise<SearchResponse> {
    const filter = this.toVectorFilter(filters);
    const t0 = performance.now();
    const model = this.serving();
    const embedder = model.embedder;
    let tensor: Float32Array;
    try {
      tensor = (await preprocess(input, embedder.preprocessSpec)).tensor;
    } catch (err) {
      throw new ApiError('BAD_REQUEST', `cannot read that image: ${err instanceof Error ? err.message : String(err)}`);
    }
    const [vec] = await embedder.embedImageTensors([tensor]);
    if (this.serving().vectors !== model.vectors) return this.similarToImage(input, limit, filters);
    const t1 = performance.now();
    const hits = this.knn(model.vectors, vec, limit, filter);
    return { hits, textMs: round(t1 - t0), searchMs: round(performance.now() - t1) };
  }

  private knn(vectors: VectorSearch, vec: Float32Array, limit: number, filter: VectorFilter): PhotoHit[] {
    if (filter.photoIds && filter.photoIds.length === 0) return [];
    const found = vectors.search(vec, limit, filter);
    const rows = this.lib.photos.getMany(found.map((f) => f.photoId));
    const byId = new Map(rows.map((r) => [r.id, r]));
    return attachTags(
      this.lib,
      found.flatMap((f) => {
        const r = byId.get(f.photoId);
        return r ? [toHit(r, f.score)] : [];
      }),
    );
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
