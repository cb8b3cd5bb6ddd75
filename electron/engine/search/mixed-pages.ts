/**
 * One ranked list of photos and video segments, paged like the photo list alone: every hit has its
 * exact distance, the order is (distance, id, segment start — photos before segments of a tie),
 * and a cursor is that key of the last hit shown plus how many came before. The photo side is the
 * vector search's own keyset page (VectorSearch.page); the video side is the query's segment list
 * (video-segments.ts), cut at the cursor. Without video segments a page is exactly the photo page.
 */
import type { PhotoQuery } from '../store/photo-filter.ts';
import type { VectorHit } from '../store/vector-repository.ts';
import { collapsedPage } from '../library/stack-collapse.ts';
import type { VectorSearch, VectorPage, PageCursor, Resume } from './vector-search.ts';
import type { SegmentHit } from './video-segments.ts';

/** A keyset position in the mixed list; `start` is present when the last hit was a video segment. */
export interface MixedCursor extends PageCursor {
  start?: number;
}

export interface MixedHit {
  photoId: number;
  score: number;
  segment?: SegmentHit['segment'];
  /** Where a cursor after this hit stands when not at its own key (vector-index/searcher.ts: after an approximate first page). */
  resume?: Resume & { start?: number };
}

/** The cursor that continues a list after this hit (`depth`: hits before and including it). */
export function cursorAfter(h: MixedHit, depth: number): MixedCursor {
  const r = h.resume;
  if (r) return { distance: r.distance, photoId: r.photoId, depth, first: r.first, ...(r.start !== undefined ? { start: r.start } : {}) };
  return { distance: Math.fround(1 - h.score), photoId: h.photoId, depth, ...(h.segment ? { start: h.segment.start } : {}) };
}

export interface MixedPage extends Omit<VectorPage, 'hits' | 'next'> {
  hits: MixedHit[];
  next: MixedCursor | null;
}

interface Key {
  distance: number;
  photoId: number;
  start: number;
}

const keyOf = (h: MixedHit): Key => ({ distance: Math.fround(1 - h.score), photoId: h.photoId, start: h.segment?.start ?? -1 });
const cmp = (a: Key, b: Key): number => a.distance - b.distance || a.photoId - b.photoId || a.start - b.start;

/**
 * What searches page through: photos by their vectors, and the segments of videos (in
 * bySegmentOrder, as videoSegments returns them). `photoFilter` null: no photo can match (the
 * filter asked for videos only). `hide` leaves photos out of the photo side — each stack shown
 * once (library/stack-collapse.ts: a photo is left out by itself and the filter alone, so pages
 * stay exact); the photo side's page stays full, so the merge below never runs ahead of it.
 */
export class VisualList {
  constructor(
    private readonly photos: VectorSearch,
    private readonly photoFilter: PhotoQuery | null,
    private readonly segments: readonly SegmentHit[],
    private readonly hide?: (ids: readonly number[]) => Set<number>,
  ) {}

  /** The photo vectors (a text hit's own cosine, a similar-search's start). */
  get vectors(): VectorSearch['vectors'] {
    return this.photos.vectors;
  }

  /** The photo side's filter when it shows each stack once (its hidden photos are not counted). */
  get collapsesStacks(): PhotoQuery | null {
    return this.hide && this.photoFilter?.collapseStacks ? this.photoFilter : null;
  }

  /** The same list with every photo (a fused search ranks all, then leaves stacked ones out). */
  everyPhoto(): VisualList {
    return this.hide ? new VisualList(this.photos, this.photoFilter, this.segments) : this;
  }

  get hasVideos(): boolean {
    return this.segments.length > 0;
  }

  /** The best `limit` hits after `after` (the first page when absent). */
  page(query: Float32Array, limit: number, after?: MixedCursor): MixedPage {
    const photoAfter: PageCursor | undefined = after && { distance: after.distance, photoId: after.photoId, depth: after.depth, ...(after.first ? { first: after.first } : {}) };
    if (this.segments.length === 0) {
      if (!this.photoFilter) return { hits: [], next: null, path: 'index', matched: 0 };
      return this.photoPage(query, limit, this.photoFilter, photoAfter);
    }
    const p: VectorPage = this.photoFilter ? this.photoPage(query, limit, this.photoFilter, photoAfter) : { hits: [], next: null, path: 'index', matched: 0 };
    const from = after ? { distance: after.distance, photoId: after.photoId, start: after.start ?? -1 } : null;
    const segs = from ? this.segments.filter((s) => cmp(keyOf(s), from) > 0) : this.segments;
    const hits: MixedHit[] = [];
    let i = 0;
    let j = 0;
    // While an approximate first page is being shown, a cursor at a segment keeps its mark (the
    // rows it missed are still owed); once the photo side is past them, cursors are plain keys.
    let mark = p.lead && !p.lead.missed ? p.lead : undefined;
    while (hits.length < limit && (i < p.hits.length || j < segs.length)) {
      const photo = p.hits[i];
      const seg = segs[j];
      if (photo && (!seg || cmp(keyOf(photo), keyOf(seg)) < 0)) {
        const r = photo.resume;
        // A row the first page missed: its cursor stays at the previous cursor's key, segment start included.
        hits.push(r?.first.missed && after?.start !== undefined ? { ...photo, resume: { ...r, start: after.start } } : photo);
        mark = r && !r.first.missed ? r.first : undefined;
        i++;
      } else {
        const k = keyOf({ photoId: seg!.photoId, score: seg!.score });
        hits.push({ photoId: seg!.photoId, score: seg!.score, segment: seg!.segment, ...(mark ? { resume: { distance: k.distance, photoId: k.photoId, first: mark, start: seg!.segment.start } } : {}) });
        j++;
      }
    }
    const more = i < p.hits.length || p.next !== null || j < segs.length;
    const last = hits[hits.length - 1];
    const out: MixedPage = {
      hits,
      next: more && last ? cursorAfter(last, (after?.depth ?? 0) + hits.length) : null,
      path: p.path,
    };
    if (p.matched !== undefined) out.matched = p.matched + this.segments.length;
    if (p.limit) out.limit = p.limit;
    return out;
  }

  /** The photo side's page: `limit` photos after `after`, with what `hide` says left out. */
  private photoPage(query: Float32Array, limit: number, filter: PhotoQuery, after: PageCursor | undefined): VectorPage {
    const hide = this.hide;
    if (!hide || !filter.collapseStacks) return this.photos.page(query, limit, filter, after);
    let first: VectorPage | undefined;
    const page = collapsedPage<VectorHit, PageCursor>({
      limit,
      after,
      fetch: (at, n) => {
        const p = this.photos.page(query, n, filter, at);
        first ??= p;
        return { items: p.hits, done: p.next === null };
      },
      position: (h) => cursorAfter(h, after?.depth ?? 0),
      skip: (hits) => {
        const hidden = hide(hits.map((h) => h.photoId));
        return (h) => hidden.has(h.photoId);
      },
    });
    const out: VectorPage = {
      hits: page.items,
      next: page.more && page.at ? { ...page.at, depth: (after?.depth ?? 0) + page.walked } : null,
      path: first?.path ?? 'index',
    };
    if (first?.matched !== undefined) out.matched = first.matched;
    if (first?.limit) out.limit = first.limit;
    if (first?.lead) out.lead = first.lead;
    return out;
  }
}
