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
 */
import type { SearchMode, SearchResponse } from '../../shared/api.ts';
import { apiError } from '../../shared/api.ts';
import type { Library } from '../store/library.ts';
import type { PhotoQuery } from '../store/vector-repository.ts';
import { fuseRankings, hitKey, type FusedHit } from './fuse.ts';
import type { RecentCache } from './recent-cache.ts';
import { attachTags, toHit } from '../library/photo-hits.ts';
import { cursorStart, readCursor, writeCursor } from './cursor.ts';
import type { MixedCursor, MixedHit, VisualList } from './mixed-pages.ts';
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

type Position = { phase: 'head'; offset: number } | { phase: 'tail'; after: MixedCursor };

const VERSION = 2;

function encode(key: string, p: Position): string {
  if (p.phase === 'head') return writeCursor({ v: VERSION, k: key, o: p.offset });
  const a = p.after;
  return writeCursor({ v: VERSION, k: key, d: a.distance, i: a.photoId, n: a.depth, ...(a.start !== undefined ? { s: a.start } : {}) });
}

function decode(key: string, cursor: string | undefined): Position {
  if (cursor === undefined) return { phase: 'head', offset: 0 };
  const c = readCursor(cursor);
  if (c.v !== VERSION) throw apiError('cursor-invalid', {}, 'not a search cursor');
  if (c.k !== key) throw apiError('cursor-stale', {}, 'this cursor belongs to another search (query, filters, mode or model changed): start again from the first page');
  if (Number.isInteger(c.o) && (c.o as number) >= 0) return { phase: 'head', offset: c.o as number };
  const start = cursorStart(c.s);
  if (typeof c.d === 'number' && Number.isInteger(c.i) && Number.isInteger(c.n) && start !== null) {
    return { phase: 'tail', after: { distance: c.d, photoId: c.i as number, depth: c.n as number, ...(start !== undefined ? { start } : {}) } };
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
}

type Page = Pick<SearchResponse, 'hits' | 'nextCursor' | 'limit' | 'matched'>;

/** What every page of one fused list is cut from: the text hits, the fused head, the visual window. */
export interface FusedHead {
  text: { photoId: number; exact: boolean }[];
  head: FusedHit[];
  top: Pick<ReturnType<VisualList['page']>, 'next' | 'limit' | 'matched'> | null;
}

function fusedHead(a: FusedPageArgs): FusedHead {
  const text = a.matcher.search(a.query, TEXT_CAP, a.filter);
  if (a.mode === 'text') {
    return { text, head: text.map((t, i) => ({ photoId: t.photoId, matchedBy: 'text', fused: 0, textRank: i + 1, exactText: t.exact })), top: null };
  }
  if (text.length === 0) return { text, head: [], top: null };
  // Ranked over every photo, as the text side is; stacks are left out when pages are cut (below).
  const top = a.vectors.everyPhoto().page(a.vec, FUSION_WINDOW);
  // One character says little as text ("猫" in a screenshot vs a photo of a cat): no first tier.
  const head = fuseRankings(text, top.hits, { exactFirst: [...a.query.replace(/\s/gu, '')].length >= 2 });
  return { text, head, top: { next: top.next, limit: top.limit, matched: top.matched } };
}

/**
 * One page of the fused list. The first page computes the head; the next pages reuse it from
 * `heads` (keyed by the list's key) so they neither search the text nor the visual window again,
 * and are cut from exactly the list the first page was — recomputed only when it was evicted.
 */
export function fusedPage(a: FusedPageArgs, heads?: RecentCache<FusedHead>): Page {
  const at = decode(a.key, a.cursor);
  let fh = a.cursor === undefined ? undefined : heads?.get(a.key);
  if (!fh) {
    fh = fusedHead(a);
    heads?.set(a.key, fh);
  }
  const { text, head, top } = fh;
  const shown: FusedHit[] = [];
  let next: Position | null = null;
  let limitInfo = top?.limit;
  // Each stack once (library/stack-collapse.ts): the head is walked from the offset, leaving out
  // the members a better one stands in for; the offset counts what was walked past.
  const hide = stackHider(a.lib, a.filter);
  if (at.phase === 'head') {
    const hidden = hide(head.slice(at.offset, at.offset + a.limit * 2 + 64).map((h) => h.photoId));
    let i = at.offset;
    for (; i < head.length && shown.length < a.limit; i++) {
      if (i >= at.offset + a.limit * 2 + 64) for (const id of hide([head[i]!.photoId])) hidden.add(id);
      if (!hidden.has(head[i]!.photoId)) shown.push(head[i]!);
    }
    if (i < head.length) next = { phase: 'head', offset: i };
  }
  // Past the fused head: the visual list after the window, without the photos the head had. No
  // text hits at all (most queries of a library without text): the visual list as it is, paged
  // exactly like a visual-only search.
  const visualOnly = a.mode === 'all' && text.length === 0;
  const tailFrom: MixedCursor | undefined | null = at.phase === 'tail' ? at.after : visualOnly ? undefined : (top?.next ?? null);
  if (!next && shown.length < a.limit && tailFrom !== null && a.mode === 'all') {
    const inHead = new Set(head.map(hitKey));
    const tail = fillTail(a.vectors.everyPhoto(), a.vec, tailFrom, a.limit - shown.length, inHead, a.filter.collapseStacks ? hide : undefined);
    limitInfo ??= tail.limit;
    shown.push(
      ...tail.hits.map((h): FusedHit => ({ photoId: h.photoId, matchedBy: 'visual', fused: 0, visualScore: h.score, exactText: false, ...(h.segment ? { segment: h.segment } : {}) })),
    );
    if (tail.more && tail.after) next = { phase: 'tail', after: tail.after };
  }
  const out: Page = { hits: toHits(a, shown, text), nextCursor: next ? encode(a.key, next) : null };
  if (limitInfo) out.limit = { maxResults: limitInfo.maxResults, reason: limitInfo.reason };
  // Under collapsing, counted on the first page only (the count is a query of its own).
  if (top?.matched !== undefined && (a.cursor === undefined || !a.filter.collapseStacks)) {
    out.matched = top.matched - (a.filter.collapseStacks ? a.lib.stacks.hiddenCount(a.filter) : 0);
  }
  return out;
}

/**
 * `need` visual hits from `after` on (the start when undefined), skipping `exclude` (hit keys) and
 * the photos `hide` leaves out (each stack once); where the list continues, and whether it does.
 */
function fillTail(
  vectors: VisualList,
  vec: Float32Array,
  after: MixedCursor | undefined,
  need: number,
  exclude: ReadonlySet<string>,
  hide: ((ids: readonly number[]) => Set<number>) | undefined,
) {
  const hits: MixedHit[] = [];
  let pos = after;
  let limit: ReturnType<VisualList['page']>['limit'];
  for (;;) {
    // Exactly what is needed when nothing is excluded, so the plain case costs one plain page.
    const p = vectors.page(vec, need - hits.length + (exclude.size > 0 || hide ? 16 : 0), pos);
    limit ??= p.limit;
    const hidden = hide ? hide(p.hits.map((h) => h.photoId)) : new Set<number>();
    const left = (h: MixedHit): boolean => exclude.has(hitKey(h)) || (h.segment === undefined && hidden.has(h.photoId));
    for (let j = 0; j < p.hits.length; j++) {
      const h = p.hits[j]!;
      if (hits.length === need) {
        // Full: is there anything after it that this list would show?
        const more = p.hits.slice(j).some((x) => !left(x)) || p.next !== null;
        return { hits, after: pos, more, limit };
      }
      pos = { distance: Math.fround(1 - h.score), photoId: h.photoId, depth: (pos?.depth ?? 0) + 1, ...(h.segment ? { start: h.segment.start } : {}) };
      if (!left(h)) hits.push(h);
    }
    if (!p.next || p.hits.length === 0) return { hits, after: pos, more: false, limit };
    if (hits.length === need) return { hits, after: pos, more: true, limit };
  }
}

function toHits(a: FusedPageArgs, shown: readonly FusedHit[], text: readonly { photoId: number; exact: boolean }[]): SearchResponse['hits'] {
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
