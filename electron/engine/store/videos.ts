/**
 * Video rows as the video pass (engine/video-frames/) keeps them: which videos it owes a model's
 * frames (new or changed ones, and indexed ones without frames for that model: a model switch),
 * how many it has done, and a video becoming `indexed` with what its probe said — in the same
 * transaction as its frames (video-frames.ts), as a photo becomes indexed with its vector.
 */
import type { Database, Statement } from './database.ts';
import { changeFeed, type ChangeFeed } from './change-feed.ts';
import type { TakenAtSource } from './rows.ts';

export interface OwedVideo {
  id: number;
  path: string;
  hash: string | null;
  size: number;
  mtimeMs: number;
}

/** What reading a video learns, for its row. */
export interface VideoMeta {
  hash: string;
  /** Upright size. */
  width: number;
  height: number;
  durationS: number;
  /** Unix ms: the recording time from the file, else its mtime (takenAtSource says which). */
  takenAt: number;
  takenAtSource: TakenAtSource;
  cameraMake: string | null;
  cameraModel: string | null;
  gpsLat: number | null;
  gpsLon: number | null;
}

export interface VideoCounts {
  /** Indexed videos with frames for the model. */
  done: number;
  /** Skipped videos (bad input, with their reasons in the skipped list). */
  failed: number;
  /** Videos not read yet, being copied, or without frames for the model. */
  pending: number;
}

const HAS_FRAMES = 'EXISTS (SELECT 1 FROM video_frames f WHERE f.photo_id = p.id AND f.model_id = @model)';

export class VideoRepository {
  private readonly s: Record<'owed' | 'counts' | 'indexed' | 'missing' | 'twin', Statement>;
  private readonly events: ChangeFeed;

  constructor(db: Database) {
    this.events = changeFeed(db);
    const sql = db.sql;
    this.s = {
      owed: sql.prepare(
        `SELECT p.id, p.path, p.hash, p.size, p.mtime_ms AS mtimeMs FROM photos p
         WHERE p.kind = 'video' AND p.id > @after AND (p.status = 'pending' OR (p.status = 'indexed' AND NOT ${HAS_FRAMES}))
         ORDER BY p.id LIMIT @limit`,
      ),
      counts: sql.prepare(
        `SELECT (SELECT count(*) FROM photos p WHERE p.kind = 'video' AND p.status = 'indexed' AND ${HAS_FRAMES}) AS done,
                (SELECT count(*) FROM photos WHERE kind = 'video' AND status = 'skipped') AS failed,
                (SELECT count(*) FROM photos WHERE kind = 'video') AS total`,
      ),
      indexed: sql.prepare(
        `UPDATE photos SET status = 'indexed', skip_reason = NULL, hash = @hash, width = @width, height = @height,
           duration_s = @duration, taken_at = @takenAt, taken_at_source = @takenAtSource, camera_make = @make,
           camera_model = @model, gps_lat = @lat, gps_lon = @lon, indexed_at = @now, updated_at = @now
         WHERE id = @id AND kind = 'video'`,
      ),
      missing: sql.prepare(`SELECT count(*) FROM photos p WHERE p.kind = 'video' AND p.status = 'indexed' AND NOT ${HAS_FRAMES}`).pluck(),
      // By photos_hash; a row of another kind with these bytes (a video named .jpg is not a video) does not count.
      twin: sql
        .prepare(`SELECT p.id FROM photos p WHERE p.hash = @hash AND p.id != @id AND p.kind = 'video' AND p.status = 'indexed' AND ${HAS_FRAMES} ORDER BY p.id LIMIT 1`)
        .pluck(),
    };
  }

  /** Videos owed frames for the model, after `afterId` in id order. */
  owed(modelRowId: number, limit: number, afterId = 0): OwedVideo[] {
    return this.s.owed.all({ model: modelRowId, after: afterId, limit: Math.floor(limit) }) as OwedVideo[];
  }

  counts(modelRowId: number): VideoCounts {
    const r = this.s.counts.get({ model: modelRowId }) as { done: number; failed: number; total: number };
    return { done: r.done, failed: r.failed, pending: Math.max(0, r.total - r.done - r.failed) };
  }

  /** Indexed videos that have no frames for this model yet (a model switch waits for them). */
  missingFrames(modelRowId: number): number {
    return this.s.missing.get({ model: modelRowId }) as number;
  }

  /** Another indexed video with these bytes whose frames this model has (the one added first), or undefined. */
  indexedTwinWithFrames(hash: string, exceptId: number, modelRowId: number): number | undefined {
    return this.s.twin.get({ hash, id: exceptId, model: modelRowId }) as number | undefined;
  }

  /** The video is indexed with what its probe said; false when its row is gone (deleted meanwhile). */
  markIndexed(id: number, m: VideoMeta): boolean {
    const now = Date.now();
    const changed =
      this.s.indexed.run({
        id,
        hash: m.hash,
        width: Math.round(m.width),
        height: Math.round(m.height),
        duration: m.durationS,
        takenAt: Math.round(m.takenAt),
        takenAtSource: m.takenAtSource,
        make: m.cameraMake,
        model: m.cameraModel,
        lat: m.gpsLat,
        lon: m.gpsLon,
        now,
      }).changes > 0;
    if (changed) this.events.photoChanged(id);
    return changed;
  }
}
