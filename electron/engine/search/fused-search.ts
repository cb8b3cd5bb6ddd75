/**
 * A text query answered from both sides — the text read in photos and what photos look like —
 * as one ranked list that pages like the visual one.
 *
 * The list: the text hits (at most TEXT_CAP, whole-query matches first) fused with the best
 * FUSION_WINDOW visual hits by reciprocal rank (fuse.ts), followed by the rest of the visual list
 * in its own order without the photos already shown. Fixing the window per query keeps the order
 * the same from page to page, so paging never repeats or skips a photo. Filters apply to both
 * sides (the text side receives the same filter). Every hit has its real cosine score, and text
 * hits carry the line that matched.
 *
 * The list ends (query-relevance.ts): on the first page the visual window's scores set the
 * query's relevance boundary; text matches are relevant by their text, the others by their looks.
 * The relevant hits come first, ordered by relevance; pages stop after them and the last one
 * offers a cursor to the weaker rest (the head's weaker hits, then the visual list past the
 * window). A text query without text hits is the visual list, ending at the boundary too.
 */
import type { SearchMode, SearchRelevance, SearchResponse } from '../../shared/api.ts';
import { apiError } from '../../shared/api.ts';
import type { Library } from '../store/library.ts';
import type { PhotoQuery } from '../store/vector-repository.ts';
import { fuseRankings, hitKey, type FusedHit } from './fuse.ts';
import type { RecentCache } from './recent-cache.ts';
import { attachTags, toHit } from '../library/photo-hits.ts';
import { cursorMark, cursorStart, listState, positionFields, readCursor, readListState, writeCursor } from './cursor.ts';
import { cursorAfter, type MixedCursor, type MixedHit, type VisualList } from './mixed-pages.ts';
import { describeBoundary, listBoundary, markVisual, orderFusedHead, type ListBoundary, type Mark } from './query-relevance.ts';
import type { RelevanceBoundary } from './relevance.ts';
import { stackHider } from '../library/stack-collapse.ts';

/** Visual ranks fused with the text hits; deeper visual hits follow in visual order. */
export const FUSION_WINDOW = 1000;
/** Text hits considered per query (the best by share of the photo's text). */
export const TEXT_CAP = 1000;

/** The text side, as the OCR service offers it. */
export interface TextMatcher {
  /** Ranked photos whose text holds the query (exact = the whole query, else all its words). */
  search(query: string, limit: number, filter: PhotoQuery): { photoId: number; exact: boolean }[];
  /** The matching line of each photo, for the page shown. */
  snippets(query: string, hits: readonly { photoId: number; exact: boolean }[]): Map<number, { text: string; start: number; end: number } | null>;
}

/** `after` undefined in the tail: the visual list from its start (a weaker cursor when nothing was relevant). */
type Position = ({ phase: 'head'; offset: number } | { phase: 'tail'; after: MixedCursor | undefined }) & { weaker: boolean };

const VERSION = 2;

function encode(key: string, p: Position, boundary: ListBoundary | null): string {
  const state = listState({ boundary, weaker: p.weaker });
  if (p.phase === 'head') return writeCursor({ v: VERSION, k: key, o: p.offset, ...state });
  const a = p.after;
  if (!a) return writeCursor({ v: VERSION, k: key, t: 0, ...state });
  return writeCursor({ v: VERSION, k: key, ...positionFields(a), ...state });
}

function decode(key: string, cursor: string | undefined): Position & { boundary?: ListBoundary } {
  if (cursor === undefined) return { phase: 'head', offset: 0, weaker: false };
  const c = readCursor(cursor);
  if (c.v !== VERSION) throw apiError('cursor-invalid', {}, 'not a search cursor');
  if (c.k !== key) throw apiError('cursor-stale', {}, 'this cursor belongs to another search (query, filters, mode or model changed): start again from the first page');
  const state = readListState(c);
  if (Number.isInteger(c.o) && (c.o as number) >= 0) return { phase: 'head', offset: c.o as number, ...state };
  if (c.t === 0) return { phase: 'tail', after: undefined, ...state };
  const start = cursorStart(c.s);
  const first = cursorMark(c);
  if (typeof c.d === 'number' && Number.isInteger(c.i) && Number.isInteger(c.n) && start !== null && first !== null) {
    return { phase: 'tail', after: { distance: c.d, photoId: c.i as number, depth: c.n as number, ...(start !== undefined ? { start } : {}), ...(first ? { first } : {}) }, ...state };
  }
  throw apiError('cursor-invalid', {}, 'not a search cursor');
}

export interface FusedPageArgs {
  lib: Library;
  /** Photos by their vectors and videos' segments, with the filter of this list. */
  vectors: VisualList;
  matcher: TextMatcher;
  query: string;
  vec: Float32Array;
  limit: number;
  filter: PhotoQuery;
  mode: Exclude<SearchMode, 'visual'>;
  /** Identifies the list (query, filters, mode, model): cursors of another list are refused. */
  key: string;
  cursor?: string;
  /** The query's relevance boundary from the window's scores (SearchService: the background sample, the setting). */
  measure(top: readonly { score: number }[], total: number | undefined): RelevanceBoundary;
  /** The sensitivity `measure` uses, for the first page's summary. */
  sensitivity: number;
  /** Go on past the boundary from the first page (`search --all`). */
  all?: boolean;
}

type Page = Pick<SearchResponse, 'hits' | 'nextCursor' | 'limit' | 'matched' | 'relevance' | 'weakerCursor'>;

/** What every page of one fused list is cut from: the text hits, the fused head, the visual window, the boundary. */
export interface FusedHead {
  text: { photoId: number; exact: boolean }[];
  /** Relevant hits first (by relevance), then the weaker ones. */
  head: FusedHit[];
  top: Pick<ReturnType<VisualList['page']>, 'next' | 'limit' | 'matched'> | null;
  /** The list's boundary (null: text matches alone, which are all relevant). */
  boundary: ListBoundary | null;
  /** As measured on this list's first page (absent when it came from a cursor). */
  measured: RelevanceBoundary | null;
  marks: Map<string, Mark>;
  /** Relevant hits at the front of `head`. */
  relevant: number;
}

/** `carried`: the boundary a cursor brought (a head recomputed after eviction is cut as before). */
function fusedHead(a: FusedPageArgs, carried: ListBoundary | undefined): FusedHead {
  const text = a.matcher.search(a.query, TEXT_CAP, a.filter);
  if (a.mode === 'text') {
    const hits = text.map((t, i): FusedHit => ({ photoId: t.photoId, matchedBy: 'text', fused: 0, textRank: i + 1, exactText: t.exact }));
    return { text, ...orderFusedHead(hits, null, a.query, hitKey), top: null, boundary: null, measured: null };
  }
  // Ranked over every photo, as the text side is; stacks are left out when pages are cut (below).
  const top = a.vectors.everyPhoto().page(a.vec, FUSION_WINDOW);
  const measured = carried ? null : a.measure(top.hits, top.matched);
  const boundary = carried ?? listBoundary(measured!);
  const window = { next: top.next, limit: top.limit, matched: top.matched };
  if (text.length === 0) return { text, head: [], marks: new Map(), relevant: 0, top: window, boundary, measured };
  // One character says little as text ("猫" in a screenshot vs a photo of a cat): no first tier.
  const fused = fuseRankings(text, top.hits, { exactFirst: [...a.query.replace(/\s/gu, '')].length >= 2 });
  return { text, ...orderFusedHead(fused, boundary, a.query, hitKey), top: window, boundary, measured };
}

/** The first page's summary: relevant hits in the head, and past it while the boundary goes on. */
function summary(fh: FusedHead, a: FusedPageArgs): SearchRelevance | undefined {
  if (fh.boundary === null) return describeBoundary(null, fh.relevant, fh.text.length < TEXT_CAP, a.sensitivity);
  if (!fh.measured) return undefined;
  if (fh.text.length === 0) return describeBoundary(fh.measured, fh.measured.relevant, fh.measured.complete, a.sensitivity);
  return describeBoundary(fh.measured, fh.relevant, fh.boundary.complete, a.sensitivity);
}

/**
 * One page of the fused list. The first page computes the head; the next pages reuse it from
 * `heads` (keyed by the list's key) so they neither search the text nor the visual window again,
 * and are cut from exactly the list the first page was — recomputed only when it was evicted.
 */
export function fusedPage(a: FusedPageArgs, heads?: RecentCache<FusedHead>): Page {
  const decoded = decode(a.key, a.cursor);
  const at = a.all ? { ...decoded, weaker: true } : decoded;
  let fh = a.cursor === undefined ? undefined : heads?.get(a.key);
  if (!fh) {
    fh = fusedHead(a, at.boundary);
    heads?.set(a.key, fh);
  }
  const { text, head, top, boundary } = fh;
  // Until the weaker hits are asked for, the list stops after the relevant ones.
  const relevantEnd = at.weaker ? head.length : fh.relevant;
  const shown: FusedHit[] = [];
  let next: Position | null = null;
  let weaker: Position | null = null;
  let limitInfo = top?.limit;
  // Each stack once (library/stack-collapse.ts): the head is walked from the offset, leaving out
  // the members a better one stands in for; the offset counts what was walked past.
  const hide = stackHider(a.lib, a.filter);
  if (at.phase === 'head') {
    const end = Math.max(at.offset, relevantEnd);
    const hidden = hide(head.slice(at.offset, Math.min(end, at.offset + a.limit * 2 + 64)).map((h) => h.photoId));
    let i = at.offset;
    for (; i < end && shown.length < a.limit; i++) {
      if (i >= at.offset + a.limit * 2 + 64) for (const id of hide([head[i]!.photoId])) hidden.add(id);
      if (!hidden.has(head[i]!.photoId)) shown.push(head[i]!);
    }
    if (i < end) next = { phase: 'head', offset: i, weaker: at.weaker };
    else if (relevantEnd < head.length) weaker = { phase: 'head', offset: relevantEnd, weaker: true };
  }
  // Past the fused head: the visual list after the window, without the photos the head had. No
  // text hits at all (most queries of a library without text): the visual list as it is, paged
  // exactly like a visual-only search.
  const visualOnly = a.mode === 'all' && text.length === 0;
  const tailFrom: MixedCursor | undefined | null = at.phase === 'tail' ? at.after : visualOnly ? undefined : (top?.next ?? null);
  if (!next && !weaker && shown.length < a.limit && tailFrom !== null && a.mode === 'all') {
    // Relevant hits go on past the head only in the visual list, or where the window was relevant to its end.
    const tailRelevant = at.weaker || (boundary !== null && (visualOnly || !boundary.complete));
    if (!tailRelevant) {
      weaker = { phase: 'tail', after: tailFrom, weaker: true };
    } else {
      const inHead = new Set(head.map(hitKey));
      const stopBelow = at.weaker ? undefined : boundary?.threshold;
      const tail = fillTail(a.vectors.everyPhoto(), a.vec, tailFrom, a.limit - shown.length, inHead, a.filter.collapseStacks ? hide : undefined, stopBelow);
      limitInfo ??= tail.limit;
      shown.push(
        ...tail.hits.map((h): FusedHit => ({ photoId: h.photoId, matchedBy: 'visual', fused: 0, visualScore: h.score, exactText: false, ...(h.segment ? { segment: h.segment } : {}) })),
      );
      if (tail.more) next = { phase: 'tail', after: tail.after, weaker: at.weaker };
      else if (tail.stopped) weaker = { phase: 'tail', after: tail.after, weaker: true };
    }
  }
  const markOf = (h: FusedHit): Mark | undefined => fh.marks.get(hitKey(h)) ?? (boundary && h.visualScore !== undefined ? markVisual(h.visualScore, boundary) : undefined);
  const out: Page = { hits: toHits(a, shown, text, markOf), nextCursor: next ? encode(a.key, next, boundary) : null };
  if (weaker) out.weakerCursor = encode(a.key, weaker, boundary);
  if (limitInfo) out.limit = { maxResults: limitInfo.maxResults, reason: limitInfo.reason };
  // Under collapsing, counted on the first page only (the count is a query of its own).
  if (top?.matched !== undefined && (a.cursor === undefined || !a.filter.collapseStacks)) {
    out.matched = top.matched - (a.filter.collapseStacks ? a.lib.stacks.hiddenCount(a.filter) : 0);
  }
  if (a.cursor === undefined) {
    const relevance = summary(fh, a);
    if (relevance) out.relevance = relevance;
  }
  return out;
}

/**
 * `need` visual hits from `after` on (the start when undefined), skipping `exclude` (hit keys) and
 * the photos `hide` leaves out (each stack once); where the list continues, and whether it does.
 * `stopBelow`: the relevant part ends at the first hit scoring less (`stopped`: weaker hits follow).
 */
function fillTail(
  vectors: VisualList,
  vec: Float32Array,
  after: MixedCursor | undefined,
  need: number,
  exclude: ReadonlySet<string>,
  hide: ((ids: readonly number[]) => Set<number>) | undefined,
  stopBelow?: number,
) {
  const hits: MixedHit[] = [];
  let pos = after;
  let limit: ReturnType<VisualList['page']>['limit'];
  for (;;) {
    // What is needed and one more (is the next one still relevant?), plus room for what is left out.
    const p = vectors.page(vec, need - hits.length + 1 + (exclude.size > 0 || hide ? 16 : 0), pos);
    limit ??= p.limit;
    const hidden = hide ? hide(p.hits.map((h) => h.photoId)) : new Set<number>();
    const left = (h: MixedHit): boolean => exclude.has(hitKey(h)) || (h.segment === undefined && hidden.has(h.photoId));
    for (let j = 0; j < p.hits.length; j++) {
      const h = p.hits[j]!;
      if (left(h)) {
        pos = advance(pos, h);
        continue;
      }
      if (stopBelow !== undefined && h.score < stopBelow) return { hits, after: pos, more: false, stopped: true, limit };
      // Full, and this list shows more after it.
      if (hits.length === need) return { hits, after: pos, more: true, stopped: false, limit };
      pos = advance(pos, h);
      hits.push(h);
    }
    if (!p.next || p.hits.length === 0) return { hits, after: pos, more: false, stopped: false, limit };
  }
}

function advance(pos: MixedCursor | undefined, h: MixedHit): MixedCursor {
  return cursorAfter(h, (pos?.depth ?? 0) + 1);
}

function toHits(a: FusedPageArgs, shown: readonly FusedHit[], text: readonly { photoId: number; exact: boolean }[], markOf: (h: FusedHit) => Mark | undefined): SearchResponse['hits'] {
  const rows = new Map(a.lib.photos.getMany(shown.map((s) => s.photoId)).map((r) => [r.id, r]));
  const byText = new Map(text.map((t) => [t.photoId, t]));
  const snippets = a.matcher.snippets(a.query, shown.flatMap((s) => (byText.has(s.photoId) ? [byText.get(s.photoId)!] : [])));
  const hits = shown.flatMap((s) => {
    const r = rows.get(s.photoId);
    if (!r) return [];
    const hit = toHit(r, s.visualScore ?? cosine(a.vectors, a.vec, s.photoId), s.segment);
    hit.matchedBy = s.matchedBy;
    const snip = snippets.get(s.photoId);
    if (snip) hit.matchedText = snip;
    const mark = markOf(s);
    if (mark) Object.assign(hit, mark);
    return [hit];
  });
  return attachTags(a.lib, hits);
}

/** The photo's real similarity to the query, for text hits outside the visual window. */
function cosine(vectors: VisualList, vec: Float32Array, photoId: number): number {
  const v = vectors.vectors.get(photoId);
  if (!v) return 0;
  let dot = 0;
  for (let i = 0; i < v.length; i++) dot += v[i]! * vec[i]!;
  return dot;
}
