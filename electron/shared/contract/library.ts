/** The library service: folders, skipped files, one photo's details, and browsing photos by the photo filter. */
import { z } from 'zod';
import { pageCursor, pageLimit, photoId, type PhotoHit } from './common.ts';
import { requestFilter } from './filter.ts';

export interface PhotoDetail extends Omit<PhotoHit, 'score' | 'matchedBy' | 'matchedText'> {
  size: number;
  mtime: string;
  cameraMake: string | null;
  cameraModel: string | null;
  gps: { lat: number; lon: number } | null;
  status: 'pending' | 'indexed' | 'skipped';
  skipReason: string | null;
  tags: { name: string; score: number }[];
}

export interface WatchedFolder {
  id: number;
  path: string;
  photoCount: number;
  /** Set while the folder is away (a drive unplugged, a share not mounted): its photos are kept. */
  offline?: FolderOffline | null;
}

/** Why a library folder is offline (engine/library/root-availability.ts). */
export type FolderOfflineReason = 'missing' | 'not-a-folder' | 'unreadable' | 'timeout' | 'mount-changed';

export interface FolderOffline {
  /** ISO 8601: when it was first found away. */
  since: string;
  reason: FolderOfflineReason;
}

export interface SkippedFile {
  path: string;
  reason: string;
}

/** One page of photos in library order (newest first). */
export interface BrowsePage {
  hits: PhotoHit[];
  /** Pass back as `cursor` with the same filter for the next page; null at the end. */
  nextCursor: string | null;
  /** Photos matching the filter (on the first page). */
  matched?: number;
}

export const libraryRequests = {
  photo: z.object({ photoId }).strict(),
  listFolders: z.object({}).strict(),
  addFolder: z.object({ path: z.string().min(1).max(4096) }).strict(),
  removeFolder: z.object({ folderId: z.number().int().positive() }).strict(),
  listSkipped: z
    .object({ limit: z.number().int().min(1).max(10_000).default(500), offset: z.number().int().min(0).default(0) })
    .strict(),
  /** The photos a filter selects, newest first: an album, a tag, a date range — no query needed. */
  browse: z.object({ filter: requestFilter, limit: pageLimit, cursor: pageCursor }).strict(),
} as const;

export interface LibraryResponses {
  photo: PhotoDetail;
  listFolders: WatchedFolder[];
  addFolder: WatchedFolder;
  removeFolder: { removed: boolean };
  listSkipped: SkippedFile[];
  browse: BrowsePage;
}
