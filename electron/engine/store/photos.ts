/**
 * Photo rows: discovery, change detection, indexing state. Vectors follow automatically through the
 * triggers installed with each vector table (delete/skip drop them; see vec-table.ts). Every change
 * those triggers act on (delete, skip, taken_at, folder_id) is also reported to the in-memory
 * vector indexes through vectorIndexEvents (see vector-index.ts).
 */
import type { Database, Statement } from './database.ts';
import { dirOf } from './paths.ts';
import { toPhoto, type ItemKind, type PhotoRow, type RawPhoto } from './rows.ts';
import { checkTableName } from './vec-table.ts';
import { rowidsTable } from './vec-shadow.ts';
import { changeFeed, type ChangeFeed } from './change-feed.ts';

export interface DiscoveredFile {
  path: string;
  folderId: number;
  size: number;
  /** fs.Stats.mtimeMs; stored and compared in whole milliseconds. */
  mtimeMs: number;
  /** What the file is by its name (default photo). */
  kind?: ItemKind;
}

export type DiscoveryChange = 'new' | 'changed' | 'unchanged';

/** What indexing learns about a photo: the matching PhotoRow fields, with known dimensions. */
export type IndexedMeta = Pick<PhotoRow, 'takenAt' | 'takenAtSource' | 'cameraMake' | 'cameraModel' | 'gpsLat' | 'gpsLon'> & {
  width: number;
  height: number;
};

export interface PathEntry {
  id: number;
  path: string;
  size: number;
  mtimeMs: number;
}

/** Library items (photos and videos) by state. */
export interface StatusCounts {
  indexed: number;
  pending: number;
  skipped: number;
}

const wholeMs = (ms: number): number => Math.trunc(ms);
const intOrNull = (n: number | null): number | null => (n === null ? null : Math.round(n));

export class PhotoRepository {
  private readonly s: Record<
    | 'byPath'
    | 'byId'
    | 'insert'
    | 'setFolder'
    | 'markChanged'
    | 'setHash'
    | 'byHash'
    | 'deleteOtherAtPath'
    | 'move'
    | 'indexed'
    | 'skipped'
    | 'pending'
    | 'delete'
    | 'listPending'
    | 'pathsUnder'
    | 'counts'
    | 'videoCounts'
    | 'listSkipped'
    | 'modelTable'
    | 'getMany'
    | 'updateStat'
    | 'copyIndexed',
    Statement
  >;
  private readonly missingStmts = new Map<string, Statement>();
  private readonly events: ChangeFeed;

  constructor(private readonly db: Database) {
    this.events = changeFeed(db);
    const sql = db.sql;
    this.s = {
      byPath: sql.prepare('SELECT * FROM photos WHERE path = ?'),
      byId: sql.prepare('SELECT * FROM photos WHERE id = ?'),
      insert: sql.prepare(
        `INSERT INTO photos (path, folder_id, dir, size, mtime_ms, status, updated_at, kind)
         VALUES (?, ?, ?, ?, ?, 'pending', ?, ?) RETURNING *`,
      ),
      setFolder: sql.prepare('UPDATE photos SET folder_id = ?, updated_at = ? WHERE id = ? RETURNING *'),
      markChanged: sql.prepare(
        `UPDATE photos SET folder_id = ?, size = ?, mtime_ms = ?, hash = NULL, status = 'pending',
           skip_reason = NULL, updated_at = ? WHERE id = ? RETURNING *`,
      ),
      setHash: sql.prepare('UPDATE photos SET hash = ?, updated_at = ? WHERE id = ?'),
      byHash: sql.prepare('SELECT * FROM photos WHERE hash = ? ORDER BY id'),
      deleteOtherAtPath: sql.prepare('DELETE FROM photos WHERE path = ? AND id <> ? RETURNING id').pluck(),
      move: sql.prepare('UPDATE photos SET path = ?, dir = ?, folder_id = ?, updated_at = ? WHERE id = ?'),
      indexed: sql.prepare(
        `UPDATE photos SET status = 'indexed', skip_reason = NULL, width = ?, height = ?, taken_at = ?,
           taken_at_source = ?, camera_make = ?, camera_model = ?, gps_lat = ?, gps_lon = ?,
           indexed_at = ?, updated_at = ? WHERE id = ?`,
      ),
      skipped: sql.prepare(`UPDATE photos SET status = 'skipped', skip_reason = ?, updated_at = ? WHERE id = ?`),
      pending: sql.prepare(`UPDATE photos SET status = 'pending', skip_reason = NULL, updated_at = ? WHERE id = ?`),
      delete: sql.prepare('DELETE FROM photos WHERE id = ?'),
      // Photos only: a video is read by its own pass (engine/video-frames/), not decoded as an image.
      listPending: sql.prepare(`SELECT * FROM photos WHERE kind = 'photo' AND status = 'pending' AND id > ? ORDER BY id LIMIT ?`),
      pathsUnder: sql.prepare('SELECT id, path, size, mtime_ms FROM photos WHERE folder_id = ? ORDER BY path'),
      counts: sql.prepare('SELECT status, count(*) AS n FROM photos GROUP BY status'),
      videoCounts: sql.prepare(`SELECT status, count(*) AS n FROM photos WHERE kind = 'video' GROUP BY status`),
      listSkipped: sql.prepare(
        `SELECT path, skip_reason FROM photos WHERE status = 'skipped' ORDER BY path LIMIT ? OFFSET ?`,
      ),
      modelTable: sql.prepare('SELECT vec_table FROM models WHERE id = ? AND state <> ?'),
      getMany: sql.prepare('SELECT * FROM photos WHERE id IN (SELECT value FROM json_each(?))'),
      updateStat: sql.prepare(
        'UPDATE photos SET size = coalesce(?, size), mtime_ms = coalesce(?, mtime_ms), updated_at = ? WHERE id = ?',
      ),
      // A video's copy takes its length too; a copy is never given the facts of another kind of item.
      copyIndexed: sql.prepare(
        `UPDATE photos SET (status, skip_reason, width, height, duration_s, taken_at, taken_at_source, camera_make,
             camera_model, gps_lat, gps_lon, indexed_at, updated_at) =
           (SELECT 'indexed', NULL, width, height, duration_s, taken_at, taken_at_source, camera_make,
             camera_model, gps_lat, gps_lon, @now, @now FROM photos WHERE id = @from)
         WHERE id = @to AND kind = (SELECT kind FROM photos WHERE id = @from)`,
      ),
    };
  }

  getByPath(path: string): PhotoRow | undefined {
    const r = this.s.byPath.get(path) as RawPhoto | undefined;
    return r && toPhoto(r);
  }

  get(id: number): PhotoRow | undefined {
    const r = this.s.byId.get(id) as RawPhoto | undefined;
    return r && toPhoto(r);
  }

  /** Rows for these ids, in no particular order; unknown ids are left out. */
  getMany(ids: readonly number[]): PhotoRow[] {
    if (ids.length === 0) return [];
    return (this.s.getMany.all(JSON.stringify(ids)) as RawPhoto[]).map(toPhoto);
  }

  /** Records new file stats without re-queueing (e.g. a moved file whose bytes are known to match). */
  update(id: number, stat: { size?: number; mtimeMs?: number }): void {
    const mtime = stat.mtimeMs === undefined ? null : wholeMs(stat.mtimeMs);
    this.s.updateStat.run(stat.size ?? null, mtime, Date.now(), id);
  }

  /**
   * A byte-identical copy inherits the indexed state and metadata of its twin, a photo's or a
   * video's (its vector, or its frames, are the caller's). Throws when either row is gone or they
   * are not the same kind of item.
   */
  copyIndexedMetadata(fromId: number, toId: number): void {
    const now = Date.now();
    if (this.s.copyIndexed.run({ now, from: fromId, to: toId }).changes === 0) throw new Error(`no photo with id ${toId} of the kind of ${fromId}`);
    this.events.photoChanged(toId);
  }

  /**
   * Records a file seen by a scan. A size or mtime difference means the content may have changed:
   * the photo goes back to 'pending' and its hash is cleared (its old vector keeps serving until
   * re-encoding replaces it).
   */
  upsertDiscovered(file: DiscoveredFile): { row: PhotoRow; change: DiscoveryChange } {
    const mtime = wholeMs(file.mtimeMs);
    return this.db.transaction(() => {
      const now = Date.now();
      const old = this.s.byPath.get(file.path) as RawPhoto | undefined;
      if (!old) {
        const r = this.s.insert.get(file.path, file.folderId, dirOf(file.path), file.size, mtime, now, file.kind ?? 'photo') as RawPhoto;
        return { row: toPhoto(r), change: 'new' as const };
      }
      if (old.size === file.size && old.mtime_ms === mtime) {
        if (old.folder_id === file.folderId) return { row: toPhoto(old), change: 'unchanged' as const };
        const r = this.s.setFolder.get(file.folderId, now, old.id) as RawPhoto;
        this.events.photoChanged(old.id);
        return { row: toPhoto(r), change: 'unchanged' as const };
      }
      const r = this.s.markChanged.get(file.folderId, file.size, mtime, now, old.id) as RawPhoto;
      if (old.folder_id !== file.folderId) this.events.photoChanged(old.id);
      return { row: toPhoto(r), change: 'changed' as const };
    });
  }

  setHash(id: number, hash: string): void {
    this.s.setHash.run(hash, Date.now(), id);
  }

  findByHash(hash: string): PhotoRow[] {
    return (this.s.byHash.all(hash) as RawPhoto[]).map(toPhoto);
  }

  /**
   * A file was renamed or moved: the row, its vector and its tags are kept. A stale row that
   * still claims `newPath` (the file there was overwritten by this one) is dropped first.
   */
  move(id: number, newPath: string, folderId: number): void {
    this.db.transaction(() => {
      for (const other of this.s.deleteOtherAtPath.all(newPath, id) as number[]) this.events.photoChanged(other);
      const { changes } = this.s.move.run(newPath, dirOf(newPath), folderId, Date.now(), id);
      if (changes === 0) throw new Error(`no photo with id ${id}`);
      this.events.photoChanged(id);
    });
  }

  markIndexed(id: number, meta: IndexedMeta): void {
    const now = Date.now();
    this.s.indexed.run(
      Math.round(meta.width),
      Math.round(meta.height),
      intOrNull(meta.takenAt),
      meta.takenAtSource,
      meta.cameraMake,
      meta.cameraModel,
      meta.gpsLat,
      meta.gpsLon,
      now,
      now,
      id,
    );
    this.events.photoChanged(id);
  }

  /** Also drops the photo's vectors (trigger): a file that no longer decodes must not be found. */
  markSkipped(id: number, reason: string): void {
    this.s.skipped.run(reason, Date.now(), id);
    this.events.photoChanged(id);
  }

  markPending(id: number): void {
    this.s.pending.run(Date.now(), id);
  }

  /** Removes the photo, its tags (cascade) and its vector in every model's table (trigger), atomically. */
  delete(id: number): boolean {
    const deleted = this.s.delete.run(id).changes > 0;
    if (deleted) this.events.photoChanged(id);
    return deleted;
  }

  /** Keyset page of pending photos in id order; pass the last id seen as `afterId`. */
  listPending(limit: number, afterId = 0): PhotoRow[] {
    return (this.s.listPending.all(afterId, limit) as RawPhoto[]).map(toPhoto);
  }

  listPathsUnder(folderId: number): PathEntry[] {
    return (this.s.pathsUnder.all(folderId) as { id: number; path: string; size: number; mtime_ms: number }[]).map(
      (r) => ({ id: r.id, path: r.path, size: r.size, mtimeMs: r.mtime_ms }),
    );
  }

  /** Every item, photos and videos. */
  counts(): StatusCounts {
    const out: StatusCounts = { indexed: 0, pending: 0, skipped: 0 };
    for (const r of this.s.counts.all() as { status: keyof StatusCounts; n: number }[]) out[r.status] = r.n;
    return out;
  }

  /** The videos among them (photos_kind_status: an index-only count). */
  videoCounts(): StatusCounts {
    const out: StatusCounts = { indexed: 0, pending: 0, skipped: 0 };
    for (const r of this.s.videoCounts.all() as { status: keyof StatusCounts; n: number }[]) out[r.status] = r.n;
    return out;
  }

  listSkipped(limit: number, offset = 0): { path: string; reason: string }[] {
    return (this.s.listSkipped.all(limit, offset) as { path: string; skip_reason: string | null }[]).map((r) => ({
      path: r.path,
      reason: r.skip_reason ?? '',
    }));
  }

  /** Indexed photos (not videos: their frames have their own table) with no vector in that model's table: resuming, or building a new model. */
  missingVectors(modelRowId: number, limit: number): PhotoRow[] {
    const found = this.s.modelTable.get(modelRowId, 'retired') as { vec_table: string } | undefined;
    if (!found) throw new Error(`no live model with row id ${modelRowId}`);
    const table = checkTableName(found.vec_table);
    let stmt = this.missingStmts.get(table);
    if (!stmt) {
      stmt = this.db.sql.prepare(
        `SELECT p.* FROM photos p WHERE p.kind = 'photo' AND p.status = 'indexed'
           AND NOT EXISTS (SELECT 1 FROM ${rowidsTable(table)} r WHERE r.rowid = p.id)
         ORDER BY p.id LIMIT ?`,
      );
      this.missingStmts.set(table, stmt);
    }
    return (stmt.all(limit) as RawPhoto[]).map(toPhoto);
  }
}
