/**
 * The library as people see it: watched folders, counts, skipped files, one photo's details, and
 * the photos a filter selects (an album, a tag, a date range: browsing without a query) and how
 * many there are in each month (the timeline).
 * Read side only; changes (adding or removing folders, indexing) go through the Engine, which
 * owns the indexer and the watcher. Used by the library API handlers and by the CLI.
 */
import path from 'node:path';
import { apiError, type BrowsePage, type EngineStatus, type FolderOffline, type FolderOfflineReason, type PhotoDetail, type PhotoFilter, type SkippedFile, type Timeline, type WatchedFolder } from '../../shared/api.ts';
import type { Library } from '../store/library.ts';
import type { PhotoRow } from '../store/rows.ts';
import type { StatusCounts } from '../store/photos.ts';
import { resolvePhotoFilter } from './photo-filter.ts';
import { browsePage } from './browse-page.ts';
import { toHit } from './photo-hits.ts';
import { photoClipOf } from '../video/photo-clip.ts';

export class LibraryService {
  constructor(private readonly lib: Library) {}

  /** Every item: photos and videos. */
  counts(): StatusCounts {
    return this.lib.photos.counts();
  }

  /** The videos among them. */
  videoCounts(): StatusCounts {
    return this.lib.photos.videoCounts();
  }

  folders(): WatchedFolder[] {
    return this.lib.folders.list().map((f) => ({ id: f.id, path: f.path, photoCount: f.photoCount, offline: f.offline && toOffline(f.offline) }));
  }

  /** The folders that are away right now (their photos are kept; see root-availability.ts). */
  offlineFolders(): NonNullable<EngineStatus['offlineFolders']> {
    return this.folders().flatMap((f) => (f.offline ? [{ id: f.id, path: f.path, ...f.offline }] : []));
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

  /** One photo's details; where it was taken is added by the handler (places/ sits above library/). */
  photo(photoId: number): Omit<PhotoDetail, 'places'> {
    const r = this.lib.photos.get(photoId);
    if (!r) throw apiError('photo-unknown', { id: String(photoId) }, `no photo with id ${photoId}`);
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
   * A photo's clip — a Live Photo's .MOV, a motion photo's MP4 — and its length; null when it has
   * none, is skipped or its folder is away (nothing of an offline folder is read). The clip itself
   * is served by media-cache.ts.
   */
  async liveClip(photoId: number): Promise<{ kind: 'live-photo' | 'motion-photo'; durationS: number | null } | null> {
    const r = this.lib.photos.get(photoId);
    if (!r || r.kind === 'video' || r.status === 'skipped' || this.lib.folders.get(r.folderId)?.offline) return null;
    const clip = await photoClipOf(r.path);
    return clip ? { kind: clip.kind, durationS: clip.durationS === null ? null : Math.round(clip.durationS * 100) / 100 } : null;
  }

  /**
   * The photos the filter selects, newest first, a page at a time (keyset cursor); each stack
   * once, as its cover, unless the filter asks for a stack's photos (library/stack-collapse.ts).
   */
  browse(filter: PhotoFilter, limit: number, cursor?: string): BrowsePage {
    return browsePage(this.lib, resolvePhotoFilter(filter), limit, cursor);
  }

  /** Photos per month (local time), newest first: the timeline's shape; a month is browsed with filter.taken = its range. */
  timeline(filter: PhotoFilter): Timeline {
    const { months, undated } = this.lib.timeline.months(resolvePhotoFilter(filter));
    return {
      months: months.map(({ month, photos }) => {
        const [y, m] = month.split('-').map(Number) as [number, number];
        return { month, from: new Date(y, m - 1, 1).getTime(), to: new Date(y, m, 1).getTime(), photos };
      }),
      undated,
    };
  }
}

function toOffline(o: { since: number; reason: string }): FolderOffline {
  return { since: new Date(o.since).toISOString(), reason: o.reason as FolderOfflineReason };
}
