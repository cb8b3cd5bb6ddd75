/**
 * The library as people see it: watched folders, counts, skipped files and one photo's details.
 * Read side only; changes (adding or removing folders, indexing) go through the Engine, which
 * owns the indexer and the watcher. Used by the library API handlers and by the CLI.
 */
import path from 'node:path';
import { ApiError, type EngineStatus, type FolderOffline, type FolderOfflineReason, type PhotoDetail, type SkippedFile, type WatchedFolder } from '../../shared/api.ts';
import type { Library } from '../store/library.ts';
import type { PhotoRow } from '../store/rows.ts';
import type { StatusCounts } from '../store/photos.ts';
import { toHit } from '../search/hits.ts';

export class LibraryService {
  constructor(private readonly lib: Library) {}

  counts(): StatusCounts {
    return this.lib.photos.counts();
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
    };
  }
}

function toOffline(o: { since: number; reason: string }): FolderOffline {
  return { since: new Date(o.since).toISOString(), reason: o.reason as FolderOfflineReason };
}
