/**
 * Queries: text → photos, photo → similar photos, dropped image → similar photos, a page at a
 * time. The photo filter (library/photo-filter.ts) is handed to the vector query itself, so every
 * page comes from the filtered set rather than from over-fetching and discarding; the next page
 * continues from a keyset cursor (cursor.ts), with no cap on how deep one can go on the index
 * path. Hits carry their tags.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import type { PhotoFilter, QueryReading, SearchMode, SearchResponse } from '../../shared/api.ts';
import { apiError } from '../../shared/api.ts';
import type { Library } from '../store/library.ts';
import type { PhotoQuery } from '../store/photo-filter.ts';
import { resolvePhotoFilter } from '../library/photo-filter.ts';
import { preprocess, type PreprocessSpec } from '../media/decode.ts';
import type { PageCursor, VectorSearch } from './vector-search.ts';
import { attachTags, toHit } from '../library/photo-hits.ts';
import { decodeCursor, encodeCursor, queryKey } from './cursor.ts';
import { RecentCache } from './recent-cache.ts';
import { WorkerGoneError } from '../ml/errors.ts';
import { fusedPage, type FusedHead, type TextMatcher } from './fused-search.ts';
import { browsePage } from '../library/browse-page.ts';

/** Query understanding as the search uses it (query/query-reader.ts): the understood filter and the words left. */
export interface QueryUnderstanding {
  read(query: string, plain?: readonly { start: number; end: number }[]): { reading: QueryReading; filter: PhotoFilter; words: string };
}

/** How a text query is read: understood (default), with some pieces kept as words, or taken whole as words. */
export interface ReadOptions {
  understand?: boolean;
  plain?: readonly { start: number; end: number }[];
}

export interface QueryEmbedder {
  readonly preprocessSpec: PreprocessSpec;
  embedTexts(texts: string[]): Promise<Float32Array[]>;
  embedImageTensors(tensors: Float32Array[]): Promise<Float32Array[]>;
}

/** The model that answers queries: its encoder and its vectors, taken together for one query. */
export interface ServingModel {
  embedder: QueryEmbedder;
  vectors: VectorSearch;
}

export class SearchService {
  private readonly queryVectors = new RecentCache<Float32Array>();
  /** The fused head of recent text queries, by list key, for their next pages. */
  private readonly fusedHeads = new RecentCache<FusedHead>(16);

  constructor(
    private readonly lib: Library,
    /**
     * A function because a model switch can complete at any time. Each query reads it once, so
     * its text is encoded and searched by the same model (never one model's vector against the
     * other model's table).
     */
    private readonly serving: () => ServingModel,
    /** The text read in photos (OCR); without it text queries match by looks only. */
    private readonly matcher?: TextMatcher,
    /** Reads time, place, kind and camera out of queries; without it the whole query is searched. */
    private readonly understanding?: QueryUnderstanding,
  ) {}

  /**
   * One page of photos matching the text, best first; `cursor` (a previous page's nextCursor)
   * continues the same list. The query's vector is kept for the next pages. `mode` 'all' fuses
   * the photos whose text holds the query with those that look like it (fused-search.ts),
   * 'text' lists only the former, 'visual' only the latter.
   *
   * The query is read first (QueryUnderstanding): what it says about time, place, kind of file and
   * camera narrows the search like the filter chosen in the UI (both hold), and only the words left
   * are searched; with no words left the page lists the photos so selected, newest first.
   */
  async text(query: string, limit: number, filters: PhotoFilter = {}, cursor?: string, mode: SearchMode = 'all', read: ReadOptions = {}): Promise<SearchResponse> {
    const whole = query.trim();
    if (!whole) throw apiError('query-empty', {}, 'the query is empty');
    const understood = read.understand !== false && this.understanding ? this.understanding.read(whole, read.plain) : null;
    const filter = resolvePhotoFilter(filters, understood?.filter);
    const q = understood ? understood.words : whole;
    const parsed = understood ? { parsed: understood.reading } : {};
    if (!q) {
      const t0 = performance.now();
      const page = browsePage(this.lib, filter, limit, cursor);
      return { ...page, textMs: 0, searchMs: round(performance.now() - t0), ...parsed };
    }
    const model = this.serving();
    const fused = mode !== 'visual' && this.matcher !== undefined;
    const key = queryKey(fused ? ['text', q, filter, model.vectors.vectors.table, mode] : ['text', q, filter, model.vectors.vectors.table]);
    const after = fused ? undefined : decodeCursor(key, cursor);
    const t0 = performance.now();
    const cacheKey = `${model.vectors.vectors.table}|text|${q}`;
    let vec = this.queryVectors.get(cacheKey) ?? null;
    if (!vec) {
      const switched = (): boolean => this.serving().vectors !== model.vectors;
      [vec] = await model.embedder.embedTexts([q]).catch((err: unknown) => {
        // The old model's encoder closed under a query that raced a switch's completion.
        if (err instanceof WorkerGoneError && switched()) return [null];
        throw err;
      });
      // A model switch completed while the text was encoded: ask the model that serves now.
      if (!vec || switched()) return this.text(query, limit, filters, cursor, mode, read);
      this.queryVectors.set(cacheKey, vec);
    }
    const t1 = performance.now();
    const page = fused
      ? fusedPage({ lib: this.lib, vectors: model.vectors, matcher: this.matcher!, query: q, vec, limit, filter, mode: mode as 'all' | 'text', key, cursor }, this.fusedHeads)
      : this.page(model.vectors, key, vec, limit, filter, after);
    return { ...page, textMs: round(t1 - t0), searchMs: round(performance.now() - t1), ...parsed };
  }

  /** Photos that look like an indexed one (the photo itself left out), a page at a time. */
  async similar(photoId: number, limit: number, filters: PhotoFilter = {}, cursor?: string): Promise<SearchResponse> {
    const model = this.serving();
    const vec = model.vectors.vectors.get(photoId);
    if (!vec) {
      const row = this.lib.photos.get(photoId);
      throw row
        ? apiError('photo-not-indexed', { path: row.path }, `photo ${row.path} has no embedding yet (${row.status})`)
        : apiError('photo-unknown', { id: String(photoId) }, `no photo with id ${photoId}`);
    }
    const filter = resolvePhotoFilter(filters);
    const key = queryKey(['similar', photoId, filter, model.vectors.vectors.table]);
    const after = decodeCursor(key, cursor);
    const t0 = performance.now();
    const page = this.page(model.vectors, key, vec, limit, filter, after, photoId);
    return { ...page, textMs: 0, searchMs: round(performance.now() - t0) };
  }

  /** Photos that look like a dropped image (its vector is kept for the next pages). */
  async similarToImage(input: Buffer | string, limit: number, filters: PhotoFilter = {}, cursor?: string): Promise<SearchResponse> {
    const filter = resolvePhotoFilter(filters);
    const t0 = performance.now();
    const model = this.serving();
    const embedder = model.embedder;
    const digest = crypto.createHash('sha256').update(typeof input === 'string' ? `path:${path.resolve(input)}` : input).digest('base64url');
    const key = queryKey(['image', digest, filter, model.vectors.vectors.table]);
    const after = decodeCursor(key, cursor);
    const cacheKey = `${model.vectors.vectors.table}|image|${digest}`;
    let vec = this.queryVectors.get(cacheKey);
    if (!vec) {
      let tensor: Float32Array;
      try {
        tensor = (await preprocess(input, embedder.preprocessSpec)).tensor;
      } catch (err) {
        throw apiError('image-unreadable', {}, `cannot read that image: ${err instanceof Error ? err.message : String(err)}`);
      }
      [vec] = await embedder.embedImageTensors([tensor]);
      if (this.serving().vectors !== model.vectors) return this.similarToImage(input, limit, filters, cursor);
      this.queryVectors.set(cacheKey, vec!);
    }
    const t1 = performance.now();
    const page = this.page(model.vectors, key, vec!, limit, filter, after);
    return { ...page, textMs: round(t1 - t0), searchMs: round(performance.now() - t1) };
  }

  /**
   * One page from the vector search, as hits with their tags and the cursor for the next one.
   * `exclude` (the photo a similar-search starts from) is dropped from every page: one more is
   * asked for so that the page stays full.
   */
  private page(
    vectors: VectorSearch,
    key: string,
    vec: Float32Array,
    limit: number,
    filter: PhotoQuery,
    after: PageCursor | undefined,
    exclude?: number,
  ): Pick<SearchResponse, 'hits' | 'nextCursor' | 'limit' | 'matched'> {
    const page = vectors.page(vec, exclude === undefined ? limit : limit + 1, filter, after);
    const kept = exclude === undefined ? page.hits : page.hits.filter((h) => h.photoId !== exclude);
    const shown = kept.slice(0, limit);
    const more = page.next !== null || kept.length > limit;
    const last = shown[shown.length - 1];
    const skipped = page.hits.length - kept.length;
    const nextCursor =
      more && last ? encodeCursor(key, { distance: Math.fround(1 - last.score), photoId: last.photoId, depth: (after?.depth ?? 0) + shown.length + skipped }) : null;
    const rows = this.lib.photos.getMany(shown.map((f) => f.photoId));
    const byId = new Map(rows.map((r) => [r.id, r]));
    const hits = attachTags(
      this.lib,
      shown.flatMap((f) => {
        const r = byId.get(f.photoId);
        return r ? [toHit(r, f.score)] : [];
      }),
    );
    const out: Pick<SearchResponse, 'hits' | 'nextCursor' | 'limit' | 'matched'> = { hits, nextCursor };
    if (page.limit) out.limit = { maxResults: page.limit.maxResults, reason: page.limit.reason };
    if (page.matched !== undefined) out.matched = page.matched - (exclude !== undefined && page.matched > 0 ? 1 : 0);
    return out;
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
