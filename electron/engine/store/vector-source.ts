/**
 * What a vector index outside the store reads from it (SQL only): one model's vectors in batches
 * for a rebuild, single rows after a change, the change log (migration 2) with its epoch and
 * trimming mark, filters turned into the index's terms, and sqlite-vec's exact KNN for the
 * moments the index cannot answer (it is being built, or a transaction is open).
 */
import type { Database, Statement } from './database.ts';
import { UNKNOWN_TAKEN_AT } from './vec-table.ts';
import type { VectorFilter, VectorHit, VectorRepository } from './vector-repository.ts';

export interface VectorLogState {
  /** Random per database: a snapshot of another database never matches. */
  epoch: string;
  /** Latest change sequence number (0: none yet). */
  seq: number;
  /** Log entries up to here were trimmed: a snapshot older than this cannot catch up. */
  prunedThrough: number;
}

export interface SourceRow {
  id: number;
  /** undefined: the photo has no vector in this model any more. */
  vector: Float32Array | undefined;
  takenAt: number;
  folderId: number;
}

export interface SourceBatch {
  ids: Int32Array;
  /** Row-major ids.length × dim. */
  vectors: Float32Array;
  takenAt: Float64Array;
  folderIds: Int32Array;
}

/** A filter in the index's terms: date bounds and watched roots, plus photo-id allow-lists from SQL. */
export interface ResolvedFilter {
  after?: number;
  before?: number;
  folderIds?: number[];
  allow?: number[][];
}

export class StoreVectorSource {
  private readonly s: Record<'state' | 'changes' | 'prune' | 'pruneMark' | 'metaIn' | 'metaRange' | 'dirIds' | 'tagIds', Statement>;

  constructor(
    private readonly db: Database,
    readonly repo: VectorRepository,
  ) {
    const sql = db.sql;
    this.s = {
      state: sql.prepare(
        `SELECT epoch, pruned_through AS prunedThrough, COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'vector_log'), 0) AS seq
         FROM vector_log_state WHERE id = 1`,
      ),
      changes: sql
        .prepare('SELECT DISTINCT photo_id FROM vector_log WHERE seq > ? AND seq <= ? AND (model_id IS NULL OR model_id = ?) LIMIT ?')
        .pluck(),
      prune: sql.prepare('DELETE FROM vector_log WHERE seq <= ?'),
      pruneMark: sql.prepare('UPDATE vector_log_state SET pruned_through = max(pruned_through, ?) WHERE id = 1'),
      metaIn: sql
        .prepare(`SELECT id, COALESCE(taken_at, ${UNKNOWN_TAKEN_AT}), folder_id FROM photos WHERE id IN (SELECT value FROM json_each(?))`)
        .raw(),
      metaRange: sql.prepare(`SELECT id, COALESCE(taken_at, ${UNKNOWN_TAKEN_AT}), folder_id FROM photos WHERE id BETWEEN ? AND ?`).raw(),
      dirIds: sql.prepare('SELECT id FROM photos WHERE dir >= ? AND dir < ?').pluck(),
      tagIds: sql.prepare('SELECT pt.photo_id FROM photo_tags pt JOIN tags t ON t.id = pt.tag_id WHERE t.name = ?').pluck(),
    };
  }

  get dim(): number {
    return this.repo.dim;
  }

  get modelRowId(): number {
    return this.repo.model.id;
  }

  get modelKey(): string {
    return this.repo.model.modelKey;
  }

  /** The vec0 table's name: one index per table. */
  get table(): string {
    return this.repo.model.vecTable;
  }

  /** Database file ('' or ':memory:' for a database without one). */
  get dbFile(): string {
    return this.db.file;
  }

  count(): number {
    return this.repo.count();
  }

  /** A caller's transaction is open: its writes may still roll back, so only SQL sees them correctly. */
  get inTransaction(): boolean {
    return this.db.sql.inTransaction;
  }

  logState(): VectorLogState {
    return this.s.state.get() as VectorLogState;
  }

  /**
   * Photos changed for this model after `sinceSeq`, read consistently with the log state; at most
   * `max` (complete = false when there are more: rebuild instead of catching up).
   */
  changesSince(sinceSeq: number, max: number): { state: VectorLogState; ids: number[]; complete: boolean } {
    return this.db.transaction(() => {
      const state = this.logState();
      const ids = this.s.changes.all(sinceSeq, state.seq, this.modelRowId, max + 1) as number[];
      return { state, ids: ids.slice(0, max), complete: ids.length <= max };
    });
  }

  /** Current vector and metadata of each photo, read in one transaction. */
  rows(ids: readonly number[]): SourceRow[] {
    return this.db.transaction(() => {
      const meta = new Map<number, [number, number]>();
      for (let from = 0; from < ids.length; from += 5000) {
        for (const [id, takenAt, folderId] of this.s.metaIn.all(JSON.stringify(ids.slice(from, from + 5000))) as [number, number, number][]) {
          meta.set(id, [takenAt, folderId]);
        }
      }
      return ids.map((id) => {
        const m = meta.get(id);
        const vector = m ? this.repo.get(id) : undefined;
        return { id, vector, takenAt: m?.[0] ?? UNKNOWN_TAKEN_AT, folderId: m?.[1] ?? 0 };
      });
    });
  }

  /** Every stored vector with its metadata, in photo-id order (keyset pages: writes may happen in between). */
  *batches(size = 4096): Generator<SourceBatch> {
    for (const { ids, vectors } of this.repo.iterate(size)) {
      const meta = new Map<number, [number, number]>();
      for (const [id, t, f] of this.s.metaRange.all(ids[0], ids[ids.length - 1]) as [number, number, number][]) meta.set(id, [t, f]);
      const takenAt = new Float64Array(ids.length);
      const folderIds = new Int32Array(ids.length);
      ids.forEach((id, i) => {
        const m = meta.get(id);
        takenAt[i] = m?.[0] ?? UNKNOWN_TAKEN_AT;
        folderIds[i] = m?.[1] ?? 0;
      });
      yield { ids, vectors, takenAt, folderIds };
    }
  }

  /** Trims the log through `seq` (the index saved a snapshot there). */
  prune(seq: number): void {
    this.db.transaction(() => {
      this.s.prune.run(seq);
      this.s.pruneMark.run(seq);
    });
  }

  /** The filter in the index's terms; null when nothing can match. Same meaning as the SQL path. */
  resolveFilter(filter: VectorFilter): ResolvedFilter | null {
    if (filter.photoIds && filter.photoIds.length === 0) return null;
    const out: ResolvedFilter = {};
    // Integer bounds, and any date bound excludes unknown dates (stored as the smallest integer).
    const after = filter.after ?? (filter.before !== undefined ? UNKNOWN_TAKEN_AT + 1 : undefined);
    if (after !== undefined) out.after = Math.ceil(after);
    if (filter.before !== undefined) out.before = Math.ceil(filter.before);
    const allow: number[][] = [];
    if (filter.dirPrefix !== undefined) {
      const folder = this.repo.folderCondition(filter.dirPrefix);
      if (folder?.kind === 'roots') out.folderIds = folder.rootIds;
      else if (folder?.kind === 'range') allow.push(this.s.dirIds.all(folder.lo, folder.hi) as number[]);
    }
    if (filter.photoIds) allow.push([...filter.photoIds]);
    if (filter.tag !== undefined) allow.push(this.s.tagIds.all(filter.tag) as number[]);
    if (allow.length > 0) out.allow = allow;
    return out;
  }

  /** sqlite-vec's exact KNN with the filters inside the query; k is capped at MAX_K. */
  exactSearch(query: Float32Array, k: number, filter: VectorFilter): VectorHit[] {
    return this.repo.searchExact(query, k, filter);
  }
}
