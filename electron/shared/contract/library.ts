/** The library service: folders, skipped files, one photo's details, and browsing photos by the photo filter. */
import { z } from 'zod';
import { pageCursor, pageLimit, photoId, type PhotoHit } from './common.ts';
import { requestFilter } from './filter.ts';
import { MAX_FOLDER_PATH_LENGTH } from './limits.ts';
import type { PlaceLevel } from './search.ts';

export interface PhotoDetail extends Omit<PhotoHit, 'score' | 'matchedBy' | 'matchedText'> {
  size: number;
  mtime: string;
  cameraMake: string | null;
  cameraModel: string | null;
  gps: { lat: number; lon: number } | null;
  status: 'pending' | 'indexed' | 'skipped';
  skipReason: string | null;
  tags: { name: string; score: number }[];
  /**
   * Where it was taken, coarse to fine (中国, 陕西省, 西安市, 雁塔区), as the places pass found it:
   * `fromFolder` when read from a folder's name rather than the photo's GPS. Empty when unknown.
   */
  places: PhotoPlace[];
  /**
   * The photo moves: a Live Photo (its clip, a .MOV of the same name ≤ 6 s, beside it) or a motion
   * photo (an MP4 inside the file, after the picture); served as media `live`. Null when neither.
   */
  live?: { kind: 'live-photo' | 'motion-photo'; durationS: number | null } | null;
}

export interface PhotoPlace {
  /** Gazetteer id: the filter's `place` lists the photos taken there. */
  id: string;
  name: string;
  level: PlaceLevel;
  fromFolder: boolean;
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

/** The timeline: photos per month (local time), newest first. */
export interface Timeline {
  months: {
    /** 'YYYY-MM'. */
    month: string;
    /** The month as the filter's `taken` range: Unix ms, `to` exclusive. */
    from: number;
    to: number;
    photos: number;
  }[];
  /** Photos the filter selects that have no date (not in any month). */
  undated: number;
}

/** A place where the library has photos, with its places one level down (country → province → city). */
export interface PlaceSummary {
  /** Gazetteer id: pass it as the filter's `place` to list its photos. */
  id: string;
  name: string;
  level: PlaceLevel;
  photos: number;
  /** A photo taken there (its thumbnail is the place's cover). */
  cover: number;
  children: PlaceSummary[];
}

export const libraryRequests = {
  photo: z.object({ photoId }).strict(),
  listFolders: z.object({}).strict(),
  addFolder: z.object({ path: z.string().min(1).max(MAX_FOLDER_PATH_LENGTH) }).strict(),
  removeFolder: z.object({ folderId: z.number().int().positive() }).strict(),
  listSkipped: z
    .object({ limit: z.number().int().min(1).max(10_000).default(500), offset: z.number().int().min(0).default(0) })
    .strict(),
  /** The photos a filter selects, newest first: an album, a tag, a date range — no query needed. */
  browse: z.object({ filter: requestFilter, limit: pageLimit, cursor: pageCursor }).strict(),
  /** How many photos the filter selects in each month, newest first: the timeline's shape (browse a month with filter.taken). */
  timeline: z.object({ filter: requestFilter }).strict(),
  /** The places the filter's photos were taken at, country → province → city, most photos first. */
  /** depth: levels listed, 3 (to cities, the Places view) by default, 4 to districts (a place's page). */
  places: z.object({ filter: requestFilter, depth: z.number().int().min(1).max(4).optional() }).strict(),
} as const;

export interface LibraryResponses {
  photo: PhotoDetail;
  listFolders: WatchedFolder[];
  addFolder: WatchedFolder;
  removeFolder: { removed: boolean };
  listSkipped: SkippedFile[];
  browse: BrowsePage;
  timeline: Timeline;
  places: PlaceSummary[];
}
