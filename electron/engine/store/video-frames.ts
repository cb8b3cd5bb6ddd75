/**
 * One model's video frames: the rows (video_frames, migration 7) and their vectors (the model's
 * frame table, frame-table.ts), written together; sqlite-vec's exact KNN over them with the photo
 * filter inside the query; and the reads the video pass and the segment search need.
 *
 * The filter reaches frames as one id set (`frame_id IN (SELECT f.id FROM video_frames f JOIN
 * photos p …)`, built from indexed columns), which vec0 checks before computing any distance —
 * the frames of the filtered videos only, as photos get theirs. No filter: no set.
 */
import type { Database, Statement } from './database.ts';
import { fromBlob, toBlob } from './codec.ts';
import { frameTableFor } from './frame-table.ts';
import { PhotoFilterSql, type PhotoQuery } from './photo-filter.ts';
import type { ModelRow } from './rows.ts';
import { MAX_K } from './vector-repository.ts';

export interface FrameToStore {
  /** Seconds from the start. */
  t: number;
  reason: 'first' | 'interval' | 'scene';
  vector: Float32Array;
}

export interface FrameHit {
  frameId: number;
  photoId: number;
  t: number;
  /** Cosine similarity, 1 - cosine distance. */
  score: number;
}

export interface StoredFrame {
  frameId: number;
  t: number;
  reason: FrameToStore['reason'];
}

/** vec0 keys must be bound as SQLite INTEGERs; better-sqlite3 binds numbers as REAL. */
const int = (n: number): bigint => BigInt(Math.trunc(n));

type Statements = Record<'deleteRows' | 'insertRow' | 'insertVector' | 'any' | 'rowsIn' | 'framesOf' | 'countsOf' | 'near' | 'vector', Statement>;

export class VideoFrameRepository {
  readonly table: string;
  readonly dim: number;
  private readonly s: Statements;
  private readonly searchStmts = new Map<string, Statement>();

  constructor(
    private readonly db: Database,
    readonly model: ModelRow,
    private readonly filters: PhotoFilterSql,
  ) {
    if (model.state === 'retired') throw new Error(`model ${model.modelKey} is retired; its frames are gone`);
    this.table = frameTableFor(model.id);
    this.dim = model.dim;
    const sql = db.sql;
    const t = this.table;
    this.s = {
      // The trigger on video_frames deletes each vector with its row.
      deleteRows: sql.prepare('DELETE FROM video_frames WHERE photo_id = ? AND model_id = ?'),
      insertRow: sql.prepare('INSERT INTO video_frames (model_id, photo_id, t, reason) VALUES (?, ?, ?, ?) RETURNING id').pluck(),
      insertVector: sql.prepare(`INSERT INTO ${t} (frame_id, embedding) VALUES (?, ?)`),
      any: sql.prepare('SELECT EXISTS (SELECT 1 FROM video_frames WHERE model_id = ?)').pluck(),
      rowsIn: sql.prepare('SELECT id, photo_id, t FROM video_frames WHERE id IN (SELECT value FROM json_each(?))').raw(),
      framesOf: sql.prepare('SELECT id AS frameId, t, reason FROM video_frames WHERE model_id = ? AND photo_id = ? ORDER BY t'),
      countsOf: sql
        .prepare('SELECT photo_id, count(*) FROM video_frames WHERE model_id = ? AND photo_id IN (SELECT value FROM json_each(?)) GROUP BY photo_id')
        .raw(),
      near: sql.prepare('SELECT id, t FROM video_frames WHERE model_id = ? AND photo_id = ? ORDER BY abs(t - ?), t LIMIT 1').raw(),
      vector: sql.prepare(`SELECT embedding FROM ${t} WHERE frame_id = ?`).pluck(),
    };
  }

  get modelRowId(): number {
    return this.model.id;
  }

  /** Replaces the video's frames for this model (rows and vectors), in one transaction; the caller's when nested. */
  replace(photoId: number, frames: readonly FrameToStore[]): void {
    this.db.transaction(() => {
      this.s.deleteRows.run(photoId, this.model.id);
      for (const f of frames) {
        if (f.vector.length !== this.dim) throw new Error(`frame vector has ${f.vector.length} dimensions; model ${this.model.modelKey} uses ${this.dim}`);
        const id = this.s.insertRow.get(this.model.id, photoId, f.t, f.reason) as number;
        this.s.insertVector.run(int(id), toBlob(f.vector));
      }
    });
  }

  /** True when this model has any frame at all (a photo-only library answers no): the video side of a search is skipped then. */
  hasAny(): boolean {
    return this.s.any.get(this.model.id) === 1;
  }

  /** The video's sampled frames for this model, in time order. */
  framesOf(photoId: number): StoredFrame[] {
    return this.s.framesOf.all(this.model.id, photoId) as StoredFrame[];
  }

  /** The stored frame nearest `t` seconds, with its vector (what "similar to this moment" starts from). */
  frameNear(photoId: number, t: number): { frameId: number; t: number; vector: Float32Array } | undefined {
    const r = this.s.near.get(this.model.id, photoId, t) as [number, number] | undefined;
    if (!r) return undefined;
    const blob = this.s.vector.get(int(r[0])) as Buffer | undefined;
    return blob && { frameId: r[0], t: r[1], vector: fromBlob(blob) };
  }

  /** Frames per video, for these videos. */
  frameCounts(photoIds: readonly number[]): Map<number, number> {
    const out = new Map<number, number>();
    for (const [id, n] of this.s.countsOf.all(this.model.id, JSON.stringify(photoIds)) as [number, number][]) out.set(id, n);
    return out;
  }

  /**
   * sqlite-vec's exact KNN over this model's frames, the filter inside the query. `onlyVideos`
   * restricts to those videos' frames (a segment's neighbours), `exceptVideos` leaves those out
   * (the next round of candidates). k is capped at MAX_K.
   */
  knn(query: Float32Array, k: number, filter: PhotoQuery = {}, o: { onlyVideos?: readonly number[]; exceptVideos?: readonly number[] } = {}): FrameHit[] {
    if (query.length !== this.dim) throw new Error(`vector has ${query.length} dimensions; model ${this.model.modelKey} uses ${this.dim}`);
    const limit = Math.min(Math.floor(k), MAX_K);
    if (!(limit > 0) || PhotoFilterSql.matchesNothing(filter) || o.onlyVideos?.length === 0) return [];
    const params: Record<string, unknown> = { query: toBlob(query), k: limit };
    const conds: string[] = [];
    const w = this.filters.where(filter);
    if (w.sql !== '1') {
      conds.push(w.sql);
      Object.assign(params, w.params);
    }
    if (o.onlyVideos) {
      conds.push('f.photo_id IN (SELECT value FROM json_each(@v_only))');
      params.v_only = JSON.stringify(o.onlyVideos);
    }
    if (o.exceptVideos?.length) {
      conds.push('f.photo_id NOT IN (SELECT value FROM json_each(@v_except))');
      params.v_except = JSON.stringify(o.exceptVideos);
    }
    let where = 'embedding MATCH @query AND k = @k';
    if (conds.length > 0) {
      params.v_model = this.model.id;
      where += ` AND frame_id IN (SELECT f.id FROM video_frames f JOIN photos p ON p.id = f.photo_id WHERE f.model_id = @v_model AND ${conds.join(' AND ')})`;
    }
    const text = `SELECT frame_id, distance FROM ${this.table} WHERE ${where} ORDER BY distance`;
    let stmt = this.searchStmts.get(text);
    if (!stmt) this.searchStmts.set(text, (stmt = this.db.sql.prepare(text)));
    const hits = stmt.all(params) as { frame_id: number; distance: number }[];
    if (hits.length === 0) return [];
    const rows = new Map<number, [number, number]>();
    for (const [id, photoId, t] of this.s.rowsIn.all(JSON.stringify(hits.map((h) => h.frame_id))) as [number, number, number][]) rows.set(id, [photoId, t]);
    return hits.flatMap((h) => {
      const r = rows.get(h.frame_id);
      return r ? [{ frameId: h.frame_id, photoId: r[0], t: r[1], score: 1 - h.distance }] : [];
    });
  }
}
