/**
 * DDL for the per-model frame tables, beside vec-table.ts's photo tables and for the same reason
 * (the dimension comes from the model manifest at run time): vframes_<modelRowId>(frame_id
 * INTEGER PRIMARY KEY = video_frames.id, embedding float[dim] cosine).
 *
 * Why a table of their own rather than rows in the model's photo table: photo-only searches must
 * read exactly what they read before (the photo table, its codes index and its change log are
 * keyed by photo id), and a video has many frames. No metadata columns: the photo filter reaches
 * frames as a frame-id set inside the KNN (`frame_id IN (SELECT … FROM video_frames JOIN photos
 * …)`, video-frames.ts), so no trigger has to copy taken_at or folder_id into frames — a video's
 * frames are a few dozen rows, and the set is built from indexed columns.
 *
 * A trigger on video_frames (the frame rows, which cascade from photos and models) deletes the
 * vector with its row.
 */
import type { SqlHandle } from './database.ts';

const TABLE_NAME = /^vframes_(\d+)$/;

/** Table names are interpolated into SQL, so only names of our own making are accepted. */
export function checkFrameTableName(table: string): string {
  if (!TABLE_NAME.test(table)) throw new Error(`not a frame table name: ${table}`);
  return table;
}

export const frameTableFor = (modelRowId: number): string => checkFrameTableName(`vframes_${Math.trunc(modelRowId)}`);

const triggerName = (t: string): string => `${t}_frame_deleted`;

export function createFrameTable(sql: SqlHandle, modelRowId: number, dim: number): void {
  const t = frameTableFor(modelRowId);
  if (!Number.isInteger(dim) || dim <= 0) throw new Error(`bad embedding dimension ${dim}`);
  sql.exec(`
    CREATE VIRTUAL TABLE IF NOT EXISTS ${t} USING vec0(
      frame_id INTEGER PRIMARY KEY,
      embedding float[${dim}] distance_metric=cosine
    );
    CREATE TRIGGER IF NOT EXISTS ${triggerName(t)} AFTER DELETE ON video_frames WHEN OLD.model_id = ${Math.trunc(modelRowId)} BEGIN
      DELETE FROM ${t} WHERE frame_id = OLD.id;
    END;
  `);
}

/** The model's frames and their vectors go (a retired model); trigger first, then rows, then the table. */
export function dropFrameTable(sql: SqlHandle, modelRowId: number): void {
  const t = frameTableFor(modelRowId);
  sql.exec(`DROP TRIGGER IF EXISTS ${triggerName(t)}`);
  sql.prepare('DELETE FROM video_frames WHERE model_id = ?').run(modelRowId);
  sql.exec(`DROP TABLE IF EXISTS ${t}`);
}
