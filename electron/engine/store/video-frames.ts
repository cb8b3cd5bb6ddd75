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
import { VecShadowReader, type VectorBatch } from './vec-shadow.ts';

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

/** Which videos' frames a query may return, besides the photo filter. */
export interface FrameScope {
  /** Only these videos' frames (a segment's neighbours). */
  onlyVideos?: readonly number[];
  /** Not these videos' frames (the next round of candidates). */
  exceptVideos?: readonly number[];
}

export interface StoredFrame {
  frameId: number;
  t: number;
  reason: FrameToStore['reason'];
}

/** vec0 keys must be bound as SQLite INTEGERs; better-sqlite3 binds numbers as REAL. */
const int = (n: number): bigint => BigInt(Math.trunc(n));

type Statements = Record<'deleteRows' | 'insertRow' | 'insertVector' | 'any' | 'rowsIn' | 'framesOf' | 'countsOf' | 'near' | 'vector' | 'changes' | 'idsAfter' | 'ofVideos', Statement>;

export class VideoFrameRepository {
  readonly table: string;
  readonly dim: number;
  private readonly s: Statements;
  private readonly searchStmts = new Map<string, Statement>();
  private readonly shadow: VecShadowReader;

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
    this.shadow = new VecShadowReader(db, t, model.dim);
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
      changes: sql.prepare('SELECT added, removed FROM video_frame_changes WHERE model_id = ?'),
      idsAfter: sql.prepare('SELECT id FROM video_frames WHERE model_id = ? AND id > ? ORDER BY id').pluck(),
      ofVideos: sql.prepare('SELECT id, photo_id, t FROM video_frames WHERE model_id = ? AND photo_id IN (SELECT value FROM json_each(?))').raw(),
    };
  }

  get modelRowId(): number {
    return this.model.id;
  }

  /** True while a transaction is open on this connection (its writes may still be rolled back). */
  get inTransaction(): boolean {
    return this.db.sql.inTransaction;
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

  /** The video's frames for this model with their vectors, in time order: what a byte-identical copy is given. */
  framesToCopy(photoId: number): FrameToStore[] {
    return this.framesOf(photoId).map((f) => {
      const blob = this.s.vector.get(int(f.frameId)) as Buffer | undefined;
      if (!blob) throw new Error(`frame ${f.frameId} of video ${photoId} has no vector in ${this.table}`);
      return { t: f.t, reason: f.reason, vector: fromBlob(blob) };
    });
  }

  /** The stored frame nearest `t` seconds, with its vector (what "similar to this moment" starts from). */
  frameNear(photoId: number, t: number): { frameId: number; t: number; vector: Float32Array } | undefined {
    const r = this.s.near.get(this.model.id, photoId, t) as [number, number] | undefined;
    if (!r) return undefined;
    const blob = this.s.vector.get(int(r[0])) as Buffer | undefined;
    return blob && { frameId: r[0], t: r[1], vector: fromBlob(blob) };
  }

  /** Frames written and removed for this model so far (migration 7's counters): `added − removed` frames exist. */
  changes(): { added: number; removed: number } {
    return (this.s.changes.get(this.model.id) as { added: number; removed: number } | undefined) ?? { added: 0, removed: 0 };
  }

  /** Every frame vector, in frame-id order, a batch at a time (sqlite-vec's shadow tables, like the photo vectors). */
  iterateVectors(batchSize = 4096): Generator<VectorBatch> {
    return this.shadow.iterate(batchSize);
  }

  /** Frames stored after `afterId` (ids only grow), with their vectors: what an index built before lacks. */
  vectorsAfter(afterId: number): { frameId: number; vector: Float32Array }[] {
    return (this.s.idsAfter.all(this.model.id, afterId) as number[]).flatMap((id) => {
      const blob = this.s.vector.get(int(id)) as Buffer | undefined;
      return blob ? [{ frameId: id, vector: fromBlob(blob) }] : [];
    });
  }

  /** The video and moment of each frame still stored (deleted ones are left out). */
  rows(frameIds: readonly number[]): Map<number, { photoId: number; t: number }> {
    const out = new Map<number, { photoId: number; t: number }>();
    for (const [id, photoId, t] of this.s.rowsIn.all(JSON.stringify(frameIds)) as [number, number, number][]) out.set(id, { photoId, t });
    return out;
  }

  /**
   * The frames a query may return as an id list (the photo filter and the scope over the frames'
   * videos), or null when every frame may: what an in-memory index applies as its allow list.
   */
  frameIdsFor(filter: PhotoQuery, scope: FrameScope = {}): number[] | null {
    const cond = this.condition(filter, scope);
    if (!cond) return null;
    const text = `SELECT json_group_array(f.id) FROM video_frames f JOIN photos p ON p.id = f.photo_id WHERE f.model_id = @v_model AND ${cond.sql}`;
    let stmt = this.searchStmts.get(text);
    if (!stmt) this.searchStmts.set(text, (stmt = this.db.sql.prepare(text).pluck()));
    return (JSON.parse(stmt.get({ ...cond.params, v_model: this.model.id }) as string) as number[]).sort((a, b) => a - b);
  }

  /** Every frame of these videos: [frame id, video id, t]. */
  framesOfVideos(photoIds: readonly number[]): [number, number, number][] {
    return this.s.ofVideos.all(this.model.id, JSON.stringify(photoIds)) as [number, number, number][];
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
  knn(query: Float32Array, k: number, filter: PhotoQuery = {}, scope: FrameScope = {}): FrameHit[] {
    if (query.length !== this.dim) throw new Error(`vector has ${query.length} dimensions; model ${this.model.modelKey} uses ${this.dim}`);
    const limit = Math.min(Math.floor(k), MAX_K);
    if (!(limit > 0) || PhotoFilterSql.matchesNothing(filter) || scope.onlyVideos?.length === 0) return [];
    const params: Record<string, unknown> = { query: toBlob(query), k: limit };
    const cond = this.condition(filter, scope);
    let where = 'embedding MATCH @query AND k = @k';
    if (cond) {
      Object.assign(params, cond.params, { v_model: this.model.id });
      where += ` AND frame_id IN (SELECT f.id FROM video_frames f JOIN photos p ON p.id = f.photo_id WHERE f.model_id = @v_model AND ${cond.sql})`;
    }
    const text = `SELECT frame_id, distance FROM ${this.table} WHERE ${where} ORDER BY distance`;
    let stmt = this.searchStmts.get(text);
    if (!stmt) this.searchStmts.set(text, (stmt = this.db.sql.prepare(text)));
    return this.hitsOf(stmt.all(params) as { frame_id: number; distance: number }[]);
  }

  /** (frame id, distance) pairs → hits with their video and moment; frames deleted meanwhile are left out. */
  hitsOf(found: readonly { frame_id: number; distance: number }[]): FrameHit[] {
    if (found.length === 0) return [];
    const rows = this.rows(found.map((h) => h.frame_id));
    return found.flatMap((h) => {
      const r = rows.get(h.frame_id);
      return r ? [{ frameId: h.frame_id, photoId: r.photoId, t: r.t, score: 1 - h.distance }] : [];
    });
  }

  /** The photo filter and the scope as one condition over `video_frames f JOIN photos p`, or null for none. */
  private condition(filter: PhotoQuery, scope: FrameScope): { sql: string; params: Record<string, unknown> } | null {
    const conds: string[] = [];
    const params: Record<string, unknown> = {};
    const w = this.filters.where(filter);
    if (w.sql !== '1') {
      conds.push(w.sql);
      Object.assign(params, w.params);
    }
    if (scope.onlyVideos) {
      conds.push('f.photo_id IN (SELECT value FROM json_each(@v_only))');
      params.v_only = JSON.stringify(scope.onlyVideos);
    }
    if (scope.exceptVideos?.length) {
      conds.push('f.photo_id NOT IN (SELECT value FROM json_each(@v_except))');
      params.v_except = JSON.stringify(scope.exceptVideos);
    }
    return conds.length > 0 ? { sql: conds.join(' AND '), params } : null;
  }
}
