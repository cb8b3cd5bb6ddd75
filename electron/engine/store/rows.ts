/** Plain camelCase objects the repositories return, and the mappers from raw SQLite rows. */

export type PhotoStatus = 'pending' | 'indexed' | 'skipped';
/** What a library item is (migration 7): a video's looks are its sampled frames (video-frames.ts). */
export type ItemKind = 'photo' | 'video';
export type TakenAtSource = 'exif' | 'mtime';
export type ModelState = 'active' | 'building' | 'retired';

export interface FolderRow {
  id: number;
  path: string;
  addedAt: number;
  /** st.dev of the folder when it was last seen online (null: not seen since migration 8). */
  device: string | null;
  /** Set while the folder is away (unplugged, unreadable, not answering): since when and why. */
  offline: { since: number; reason: string } | null;
}

export interface PhotoRow {
  id: number;
  path: string;
  folderId: number;
  /** Parent directory with a trailing separator. */
  dir: string;
  size: number;
  mtimeMs: number;
  hash: string | null;
  status: PhotoStatus;
  skipReason: string | null;
  width: number | null;
  height: number | null;
  /** Unix ms. */
  takenAt: number | null;
  takenAtSource: TakenAtSource | null;
  cameraMake: string | null;
  cameraModel: string | null;
  gpsLat: number | null;
  gpsLon: number | null;
  indexedAt: number | null;
  updatedAt: number;
  kind: ItemKind;
  /** A video's length in seconds (null for photos, and for a video not read yet). */
  durationS: number | null;
}

export interface ModelRow {
  id: number;
  /** The manifest id, e.g. `cn-clip-vit-b-16`. */
  modelKey: string;
  dim: number;
  state: ModelState;
  vecTable: string;
  createdAt: number;
  /** The model's directory when it was last opened (null: unknown, e.g. before migration 2). */
  dir: string | null;
}

export interface TagRow {
  id: number;
  name: string;
  nameEn: string | null;
  family: string | null;
  synonyms: string[];
  custom: boolean;
  createdAt: number;
}

// ---------- raw rows (snake_case, as SQLite returns them) ----------

export interface RawFolder {
  id: number;
  path: string;
  added_at: number;
  device: string | null;
  offline_since: number | null;
  offline_reason: string | null;
}

export interface RawPhoto {
  id: number;
  path: string;
  folder_id: number;
  dir: string;
  size: number;
  mtime_ms: number;
  hash: string | null;
  status: PhotoStatus;
  skip_reason: string | null;
  width: number | null;
  height: number | null;
  taken_at: number | null;
  taken_at_source: TakenAtSource | null;
  camera_make: string | null;
  camera_model: string | null;
  gps_lat: number | null;
  gps_lon: number | null;
  indexed_at: number | null;
  updated_at: number;
  kind: ItemKind;
  duration_s: number | null;
}

export interface RawModel {
  id: number;
  model_key: string;
  dim: number;
  state: ModelState;
  vec_table: string;
  created_at: number;
  dir: string | null;
}

export interface RawTag {
  id: number;
  name: string;
  name_en: string | null;
  family: string | null;
  synonyms: string;
  custom: number;
  created_at: number;
}

export const toFolder = (r: RawFolder): FolderRow => ({
  id: r.id,
  path: r.path,
  addedAt: r.added_at,
  device: r.device,
  offline: r.offline_since === null ? null : { since: r.offline_since, reason: r.offline_reason ?? 'unavailable' },
});

export const toPhoto = (r: RawPhoto): PhotoRow => ({
  id: r.id,
  path: r.path,
  folderId: r.folder_id,
  dir: r.dir,
  size: r.size,
  mtimeMs: r.mtime_ms,
  hash: r.hash,
  status: r.status,
  skipReason: r.skip_reason,
  width: r.width,
  height: r.height,
  takenAt: r.taken_at,
  takenAtSource: r.taken_at_source,
  cameraMake: r.camera_make,
  cameraModel: r.camera_model,
  gpsLat: r.gps_lat,
  gpsLon: r.gps_lon,
  indexedAt: r.indexed_at,
  updatedAt: r.updated_at,
  kind: r.kind,
  durationS: r.duration_s,
});

export const toModel = (r: RawModel): ModelRow => ({
  id: r.id,
  modelKey: r.model_key,
  dim: r.dim,
  state: r.state,
  vecTable: r.vec_table,
  createdAt: r.created_at,
  dir: r.dir,
});

export const toTag = (r: RawTag): TagRow => ({
  id: r.id,
  name: r.name,
  nameEn: r.name_en,
  family: r.family,
  synonyms: JSON.parse(r.synonyms) as string[],
  custom: r.custom === 1,
  createdAt: r.created_at,
});
