/**
 * Queries: text → photos, photo → similar photos, dropped image → similar photos, a page at a
 * time — and the segments of videos that match, in the same list (a video once per matching
 * segment: video-segments.ts, mixed-pages.ts). The photo filter (library/photo-filter.ts) is handed
 * to the vector query itself, so every page comes from the filtered set rather than from
 * over-fetching and discarding; the next page continues from a keyset cursor (cursor.ts), with no
 * cap on how deep one can go on the index path. Hits carry their tags.
 *
 * Text and similar-photo lists end (query-relevance.ts): the first page measures the query's
 * relevance boundary from its own scores and the library's background, marks each hit relevant or
 * weaker, and pages stop after the relevant hits, offering the weaker rest by `weakerCursor`.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import type { PhotoFilter, QueryReading, SearchMode, SearchResponse } from '../../shared/api.ts';
import { BackgroundSample } from './background-sample.ts';
import { describeBoundary, listBoundary, markVisual, measureRelevance, RELEVANCE_WINDOW } from './query-relevance.ts';
import type { RelevanceBoundary } from './relevance.ts';
import { apiError } from '../../shared/api.ts';
import type { Library } from '../store/library.ts';
import type { PhotoQuery } from '../store/photo-filter.ts';
import { resolvePhotoFilter } from '../library/photo-filter.ts';
import { preprocess, type PreprocessSpec } from '../media/decode.ts';
import type { VectorSearch } from './vector-search.ts';
import type { FrameSearch } from './frame-search.ts';
import { stackHider } from '../library/stack-collapse.ts';
import { attachTags, toHit } from '../library/photo-hits.ts';
import { cursorAfter, VisualList } from './mixed-pages.ts';
import { sideFilters, videoSegments, VIDEOS_ONLY_MAX_VIDEOS, type SegmentHit, type SegmentSearchOptions } from './video-segments.ts';
import { decodeCursor, encodeCursor, queryKey, type ListCursor } from './cursor.ts';
import { RecentCache } from './recent-cache.ts';
import { WorkerGoneError } from '../ml/errors.ts';
import { fusedPage, type FusedHead, type TextMatcher } from './fused-search.ts';
import { posterTime } from '../video/frames.ts';
import { browsePage } from '../library/browse-page.ts';

/** Query understanding as the search uses it (query/query-reader.ts): the understood filter and the words left. */
export interface QueryUnderstanding {
  read(query: string, plain?: readonly { start: number; end: number }[]): { reading: QueryReading; filter: PhotoFilter; words: string };
}

/** How a text query is read: understood (default), with some pieces kept as words, or taken whole as words. */
export interface ReadOptions {
  understand?: boolean;
  plain?: readonly { start: number; end: number }[];
  /** Go on past the relevance boundary in the same pages (the weaker hits marked): `search --all`. */
  all?: boolean;
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
  /** The model's video frames (absent: the list holds photos only). */
  frames?: FrameSearch;
}

export interface SearchServiceOptions {
  /** How video segments are cut (video-segments.ts): the margin, calibrated with real weights. */
  segments?: Pick<SegmentSearchOptions, 'margin' | 'maxVideos'>;
  /** The person's sensitivity setting (settings: searchSensitivity), read at each list's first page; default 0. */
  sensitivity?: () => number;
}

/** How a list's boundary is measured: the query's vector against the serving model's background. */
interface Measurer {
  measure(top: readonly { score: number }[], total: number | undefined): RelevanceBoundary;
  sensitivity: number;
}

type ListPage = Pick<SearchResponse, 'hits' | 'nextCursor' | 'limit' | 'matched' | 'relevance' | 'weakerCursor'>;

/** What a similar-search starts from, to leave it out of its own results. */
type Origin = { photoId: number; at?: number };

export class SearchService {
  private readonly queryVectors = new RecentCache<Float32Array>();
  /** The fused head of recent text queries, by list key, for their next pages. */
  private readonly fusedHeads = new RecentCache<FusedHead>(16);
  /** The video segments of recent lists, by list key, for their next pages. */
  private readonly segmentLists = new RecentCache<SegmentHit[]>(16);
  /** Each model's background sample, which relevance boundaries are measured against. */
  private readonly background = new BackgroundSample();

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
    private readonly opts: SearchServiceOptions = {},
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
    const cur = fused ? undefined : decodeCursor(key, cursor);
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
    const visual = this.visual(model, key, vec, filter, cursor === undefined);
    const page = fused
      ? fusedPage({ lib: this.lib, vectors: visual, matcher: this.matcher!, query: q, vec, limit, filter, mode: mode as 'all' | 'text', key, cursor, all: read.all, ...this.measurer(model, vec) }, this.fusedHeads)
      : this.page(visual, key, vec, limit, cur, this.measurer(model, vec), undefined, read.all);
    return { ...page, textMs: round(t1 - t0), searchMs: round(performance.now() - t1), ...parsed };
  }

  /**
   * Photos and video moments that look like an indexed photo (the photo itself left out), a page
   * at a time. For a video, the frame nearest `at` seconds (default: its poster's moment) is what
   * is looked for, and the segment holding it is left out.
   */
  async similar(photoId: number, limit: number, filters: PhotoFilter = {}, cursor?: string, at?: number, all?: boolean): Promise<SearchResponse> {
    const model = this.serving();
    const row = this.lib.photos.get(photoId);
    const frame = row?.kind === 'video' ? model.frames?.frames.frameNear(photoId, at ?? posterTime(row.durationS ?? 0)) : undefined;
    const vec = frame?.vector ?? model.vectors.vectors.get(photoId);
    if (!vec) {
      throw row
        ? apiError('photo-not-indexed', { path: row.path }, `${row.kind} ${row.path} has no embedding yet (${row.status})`)
        : apiError('photo-unknown', { id: String(photoId) }, `no photo with id ${photoId}`);
    }
    const filter = resolvePhotoFilter(filters);
    const key = queryKey(['similar', photoId, frame?.t ?? null, filter, model.vectors.vectors.table]);
    const cur = decodeCursor(key, cursor);
    const t0 = performance.now();
    const origin: Origin = frame ? { photoId, at: frame.t } : { photoId };
    const page = this.page(this.visual(model, key, vec, filter, cursor === undefined, origin), key, vec, limit, cur, this.measurer(model, vec), origin, all);
    return { ...page, textMs: 0, searchMs: round(performance.now() - t0) };
  }

  /**
   * Photos that look like an image: its bytes (a dropped file), a path (the CLI), or the key an
   * earlier answer gave for the same bytes (their vector is kept; `image-expired` once it is not).
   */
  async similarToImage(input: Buffer | string | { imageKey: string }, limit: number, filters: PhotoFilter = {}, cursor?: string, all?: boolean): Promise<SearchResponse> {
    const filter = resolvePhotoFilter(filters);
    const t0 = performance.now();
    const model = this.serving();
    const embedder = model.embedder;
    // What to read when the vector is not kept: the bytes or the path; null when only the key came.
    const source = typeof input === 'string' || Buffer.isBuffer(input) ? input : null;
    const digest =
      source === null
        ? (input as { imageKey: string }).imageKey
        : crypto.createHash('sha256').update(typeof source === 'string' ? `path:${path.resolve(source)}` : source).digest('base64url');
    const key = queryKey(['image', digest, filter, model.vectors.vectors.table]);
    const cur = decodeCursor(key, cursor);
    const cacheKey = `${model.vectors.vectors.table}|image|${digest}`;
    let vec = this.queryVectors.get(cacheKey);
    if (!vec) {
      if (source === null) throw apiError('image-expired', {}, 'that image is no longer kept: send its bytes');
      let tensor: Float32Array;
      try {
        tensor = (await preprocess(source, embedder.preprocessSpec)).tensor;
      } catch (err) {
        throw apiError('image-unreadable', {}, `cannot read that image: ${err instanceof Error ? err.message : String(err)}`);
      }
      [vec] = await embedder.embedImageTensors([tensor]);
      if (this.serving().vectors !== model.vectors) return this.similarToImage(input, limit, filters, cursor, all);
      this.queryVectors.set(cacheKey, vec!);
    }
    const t1 = performance.now();
    const page = this.page(this.visual(model, key, vec!, filter, cursor === undefined), key, vec!, limit, cur, this.measurer(model, vec!), undefined, all);
    return { ...page, textMs: round(t1 - t0), searchMs: round(performance.now() - t1), ...(typeof input === 'string' ? {} : { imageKey: digest }) };
  }

  /**
   * The list a query pages through: photos by their vectors and the videos' matching segments,
   * each side with its part of the filter. The segments are computed on a list's first page and
   * kept for its next pages (recomputed when evicted: the same query gives the same list).
   */
  private visual(model: ServingModel, key: string, vec: Float32Array, filter: PhotoQuery, first: boolean, origin?: Origin): VisualList {
    const sides = sideFilters(filter);
    let segments = first ? undefined : this.segmentLists.get(key);
    if (!segments) {
      segments =
        sides.videos && model.frames
          ? videoSegments(model.frames, (ids) => this.durations(ids), vec, sides.videos, {
              ...(sides.photos ? {} : { maxVideos: VIDEOS_ONLY_MAX_VIDEOS }),
              ...this.opts.segments,
              exclude: origin?.at !== undefined ? { photoId: origin.photoId, at: origin.at } : undefined,
            })
          : [];
      this.segmentLists.set(key, segments);
    }
    // Each stack once on the photo side (library/stack-collapse.ts); videos are never stacked.
    return new VisualList(model.vectors, sides.photos, segments, sides.photos ? stackHider(this.lib, sides.photos) : undefined);
  }

  /** The query's boundary from a list's first visual hits, with the setting as it is now. */
  private measurer(model: ServingModel, vec: Float32Array): Measurer {
    const sensitivity = this.opts.sensitivity?.() ?? 0;
    return { sensitivity, measure: (top, total) => measureRelevance({ repo: model.vectors.vectors, sample: this.background, vec, top, total, sensitivity }) };
  }

  private durations(ids: number[]): Map<number, number | null> {
    return new Map(this.lib.photos.getMany(ids).map((r) => [r.id, r.durationS]));
  }

  /**
   * One page from the vector search, as hits with their tags and the cursor for the next one.
   * Each stack is shown once (the VisualList's photo side); `exclude` (the photo a similar-search
   * starts from) is dropped from every page: one more is asked for so that the page stays full.
   *
   * The first page measures the list's relevance boundary on the first RELEVANCE_WINDOW hits;
   * the cursors carry it. Until the weaker hits are asked for (`cur.weaker`), a page ends at the
   * first hit below the boundary and offers `weakerCursor` instead of `nextCursor` (one more hit
   * is read to know whether the next page would hold any relevant hit at all). `all`: the list goes
   * on past the boundary from the first page (its cursors say so).
   */
  private page(visual: VisualList, key: string, vec: Float32Array, limit: number, cur: ListCursor | undefined, m: Measurer, origin?: Origin, all = false): ListPage {
    // A photo's similar-search leaves the photo out (a video's left its segment out of the segments).
    const exclude = origin && origin.at === undefined ? origin.photoId : undefined;
    const keep = <T extends { photoId: number; segment?: unknown }>(hits: readonly T[]): T[] =>
      exclude === undefined ? [...hits] : hits.filter((h) => h.segment !== undefined || h.photoId !== exclude);
    let measured: RelevanceBoundary | undefined;
    let boundary = cur?.boundary;
    if (cur === undefined) {
      const window = visual.page(vec, RELEVANCE_WINDOW + (exclude === undefined ? 0 : 1));
      const kept = keep(window.hits);
      const left = window.hits.length - kept.length;
      measured = m.measure(kept.slice(0, RELEVANCE_WINDOW), window.matched === undefined ? undefined : window.matched - left);
      boundary = listBoundary(measured);
    }
    const weakerToo = all || cur?.weaker === true;
    const stopBelow = boundary && !weakerToo ? boundary.threshold : undefined;
    const after = cur?.after;
    const page = visual.page(vec, limit + 1 + (exclude === undefined ? 0 : 1), after);
    const kept = keep(page.hits);
    const firstWeaker = stopBelow === undefined ? -1 : kept.findIndex((h) => h.score < stopBelow);
    const stopped = firstWeaker !== -1 && firstWeaker <= limit;
    const shown = kept.slice(0, stopped ? firstWeaker : limit);
    const more = !stopped && (page.next !== null || kept.length > limit);
    const last = shown[shown.length - 1];
    // Where this page ends in the list: after its last hit (and any photo left out before it).
    const pos = last ? cursorAfter(last, (after?.depth ?? 0) + page.hits.indexOf(last) + 1) : after;
    const rows = this.lib.photos.getMany(shown.map((f) => f.photoId));
    const byId = new Map(rows.map((r) => [r.id, r]));
    const hits = attachTags(
      this.lib,
      shown.flatMap((f) => {
        const r = byId.get(f.photoId);
        return r ? [boundary ? Object.assign(toHit(r, f.score, f.segment), markVisual(f.score, boundary)) : toHit(r, f.score, f.segment)] : [];
      }),
    );
    const out: ListPage = { hits, nextCursor: more && pos ? encodeCursor(key, pos, { boundary, weaker: weakerToo }) : null };
    if (stopped) out.weakerCursor = encodeCursor(key, pos, { boundary, weaker: true });
    if (measured) out.relevance = describeBoundary(measured, measured.relevant, measured.complete, m.sensitivity);
    if (page.limit) out.limit = { maxResults: page.limit.maxResults, reason: page.limit.reason };
    // Counted on a list's first page when it collapses stacks (the hidden count is a query of its own).
    const collapses = visual.collapsesStacks;
    if (page.matched !== undefined && (after === undefined || !collapses)) {
      const hidden = collapses ? this.lib.stacks.hiddenCount(collapses) : 0;
      out.matched = Math.max(0, page.matched - hidden - (exclude !== undefined && page.matched > 0 ? 1 : 0));
    }
    return out;
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
