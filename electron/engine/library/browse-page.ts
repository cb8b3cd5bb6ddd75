/**
 * One page of the photos a resolved filter selects, newest first, with a keyset cursor: browsing
 * (an album, a tag, a month of the timeline, a place) and a search whose query was all filter
 * ("去年在哈尔滨": those photos, newest first).
 */
import { apiError, type BrowsePage } from '../../shared/api.ts';
import type { Library } from '../store/library.ts';
import type { BrowsePosition } from '../store/photo-browse.ts';
import type { PhotoQuery } from '../store/photo-filter.ts';
import { queryKey, readCursor, writeCursor } from '../util/cursor-codec.ts';
import { attachTags, toHit } from './photo-hits.ts';

const BROWSE_CURSOR = 1;

export function browsePage(lib: Library, q: PhotoQuery, limit: number, cursor?: string): BrowsePage {
  const key = queryKey(['browse', q]);
  const after = cursor === undefined ? undefined : decodeBrowseCursor(key, cursor);
  const rows = lib.browse.page(q, limit + 1, after);
  const shown = rows.slice(0, limit);
  const last = shown[shown.length - 1];
  const page: BrowsePage = {
    hits: attachTags(lib, shown.map((r) => toHit(r, 0))),
    nextCursor: rows.length > limit && last ? writeCursor({ v: BROWSE_CURSOR, k: key, t: last.takenAt, i: last.id }) : null,
  };
  if (cursor === undefined) page.matched = lib.browse.count(q);
  return page;
}

function decodeBrowseCursor(key: string, cursor: string): BrowsePosition {
  const c = readCursor(cursor, 'browse');
  const dated = c.t === null || (typeof c.t === 'number' && Number.isFinite(c.t));
  if (c.v !== BROWSE_CURSOR || !dated || !Number.isInteger(c.i)) throw apiError('cursor-invalid', {}, 'not a browse cursor');
  if (c.k !== key) throw apiError('cursor-stale', {}, 'this cursor belongs to another list (the filter changed): start again from the first page');
  return { takenAt: c.t as number | null, id: c.i as number };
}
