/**
 * The library as people see it: watched folders, counts, skipped files, one photo's details, and
 * the photos a filter selects (an album, a tag, a date range: browsing without a query).
 * Read side only; changes (adding or removing folders, indexing) go through the Engine, which
 * owns the indexer and the watcher. Used by the library API handlers and by the CLI.
 */
import path from 'node:path';
import { ApiError, type BrowsePage, type PhotoDetail, type PhotoFilter, type SkippedFile, type WatchedFolder } from '../../shared/api.ts';
import type { Library } from '../store/library.ts';
import type { BrowsePosition } from '../store/photo-browse.ts';
import type { PhotoRow } from '../store/rows.ts';
import type { StatusCounts } from '../store/photos.ts';
import { queryKey, readCursor, writeCursor } from '../util/cursor-codec.ts';
import { resolvePhotoFilter } from './photo-filter.ts';
import { attachTags, toHit } from './photo-hits.ts';
import { collapsedPage, stackHider } from './stack-collapse.ts';

const BROWSE_CURSOR = 1;

export class LibraryService {
  constructor(private readonly lib: Library) {}

  counts(): StatusCounts {
    return this.lib.photos.counts();
  }

  folders(): WatchedFolder[] {
    return this.lib.folders.list();
  }

  folder(id: number): WatchedFolder | undefined {
    return this.folders().find((f) => f.id === id);
  }

  skipped(limit: number, offset = 0): SkippedFile[] {
    return this.lib.photos.listSkipped(limit, offset);
  }

  /** The photo at this path, if it is in the library. */
  photoAt(file: string): PhotoRow | undefined {
    return this.lib.photos.getByPath(path.resolve(file));
  }

  photoTags(photoId: number): { name: string; score: number }[] {
    return this.lib.tags.photoTags(photoId);
  }

  photo(photoId: number): PhotoDetail {
    const r = this.lib.photos.get(photoId);
    if (!r) throw new ApiError('NOT_FOUND', `no photo with id ${photoId}`);
    const { score: _score, ...hit } = toHit(r, 0);
    return {
      ...hit,
      size: r.size,
      mtime: new Date(r.mtimeMs).toISOString(),
      cameraMake: r.cameraMake,
      cameraModel: r.cameraModel,
      gps: r.gpsLat != null && r.gpsLon != null ? { lat: r.gpsLat, lon: r.gpsLon } : null,
      status: r.status,
      skipReason: r.skipReason,
      tags: this.lib.tags.photoTags(photoId),
      stack: this.lib.stacks.badges([photoId]).get(photoId) ?? null,
    };
  }

  /**
   * The photos the filter selects, newest first, a page at a time (keyset cursor); each stack
   * once, as its cover, unless the filter asks for a stack's photos (library/stack-collapse.ts).
   */
  browse(filter: PhotoFilter, limit: number, cursor?: string): BrowsePage {
    const q = resolvePhotoFilter(filter);
    const key = queryKey(['browse', q]);
    const after = cursor === undefined ? undefined : decodeBrowseCursor(key, cursor);
    const hide = stackHider(this.lib, q);
    const page = collapsedPage<PhotoRow, BrowsePosition>({
      limit,
      after,
      fetch: (at, n) => {
        const rows = this.lib.browse.page(q, n, at);
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
      hits: attachTags(this.lib, page.items.map((r) => toHit(r, 0))),
      nextCursor: page.more && page.at ? writeCursor({ v: BROWSE_CURSOR, k: key, t: page.at.takenAt, i: page.at.id }) : null,
    };
    if (cursor === undefined) result.matched = this.lib.browse.count(q) - (q.collapseStacks ? this.lib.stacks.hiddenCount(q) : 0);
    return result;
  }
}

function decodeBrowseCursor(key: string, cursor: string): BrowsePosition {
  const c = readCursor(cursor, 'browse');
  const dated = c.t === null || (typeof c.t === 'number' && Number.isFinite(c.t));
  if (c.v !== BROWSE_CURSOR || !dated || !Number.isInteger(c.i)) throw new ApiError('BAD_REQUEST', 'not a browse cursor');
  if (c.k !== key) throw new ApiError('BAD_REQUEST', 'this cursor belongs to another list (the filter changed): start again from the first page');
  return { takenAt: c.t as number | null, id: c.i as number };
}
