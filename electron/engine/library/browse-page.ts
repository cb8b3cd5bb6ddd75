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
import type { PhotoRow } from '../store/rows.ts';
import { attachTags, toHit } from './photo-hits.ts';
import { collapsedPage, stackHider } from './stack-collapse.ts';

const BROWSE_CURSOR = 1;

/** Each stack once, as its cover, unless the filter asks for a stack's photos (stack-collapse.ts). */
export function browsePage(lib: Library, q: PhotoQuery, limit: number, cursor?: string): BrowsePage {
  const key = queryKey(['browse', q]);
  const after = cursor === undefined ? undefined : decodeBrowseCursor(key, cursor);
  const hide = stackHider(lib, q);
  const page = collapsedPage<PhotoRow, BrowsePosition>({
    limit,
    after,
    fetch: (at, n) => {
      const rows = lib.browse.page(q, n, at);
      return { items: rows, done: rows.length < n };
    },
    position: (r) => ({ takenAt: r.takenAt, id: r.id }),
    skip: (rows) => {
      const hidden = hide(rows.map((r) => r.id));
      return (r) => hidden.has(r.id);
    },
    // One more than the page says whether another follows (as before stacks).
    ...(!q.collapseStacks && { extra: () => 1 }),
  });
  const result: BrowsePage = {
    hits: attachTags(lib, page.items.map((r) => toHit(r, 0))),
    nextCursor: page.more && page.at ? writeCursor({ v: BROWSE_CURSOR, k: key, t: page.at.takenAt, i: page.at.id }) : null,
  };
  if (cursor === undefined) result.matched = lib.browse.count(q) - (q.collapseStacks ? lib.stacks.hiddenCount(q) : 0);
  return result;
}

function decodeBrowseCursor(key: string, cursor: string): BrowsePosition {
  const c = readCursor(cursor, 'browse');
  const dated = c.t === null || (typeof c.t === 'number' && Number.isFinite(c.t));
  if (c.v !== BROWSE_CURSOR || !dated || !Number.isInteger(c.i)) throw apiError('cursor-invalid', {}, 'not a browse cursor');
  if (c.k !== key) throw apiError('cursor-stale', {}, 'this cursor belongs to another list (the filter changed): start again from the first page');
  return { takenAt: c.t as number | null, id: c.i as number };
}
