/**
 * The vector change log (migration 4): every change a vector index must follow, written in the
 * same transaction as the change — by VectorRepository for vector writes and deletes (model_id =
 * the model), by triggers on `photos` for row changes that the vec0 tables copy (model_id NULL:
 * deleted, skipped, taken_at, folder_id). An index records the seq it reflects, reads the photos
 * changed after it, and trims the log behind a saved snapshot.
 *
 * Unlike the in-process change feed, the log also carries commits by other connections (a CLI
 * run beside the app) and survives a crash, which is what lets a persisted index know whether it
 * is current.
 */
import type { Database, Statement } from './database.ts';

export interface VectorLogState {
  /** Random per database: a snapshot of another database never matches. */
  epoch: string;
  /** Latest change sequence number (0: none yet). */
  seq: number;
  /** Entries up to here were trimmed: an index older than this cannot catch up from the log. */
  prunedThrough: number;
}

export class VectorLog {
  private readonly s: Record<'state' | 'changes' | 'prune' | 'pruneMark', Statement>;

  constructor(private readonly db: Database) {
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
    };
  }

  /** The database file ('' or ':memory:' for one without a file): indexes keep their files beside it. */
  get dbFile(): string {
    return this.db.file;
  }

  state(): VectorLogState {
    return this.s.state.get() as VectorLogState;
  }

  /**
   * Photos changed for model `modelRowId` after `sinceSeq`, read in one transaction with the log
   * state they lead up to; at most `max` of them (complete = false when there are more).
   */
  changesSince(modelRowId: number, sinceSeq: number, max: number): { state: VectorLogState; ids: number[]; complete: boolean } {
    return this.db.transaction(() => {
      const state = this.state();
      const ids = this.s.changes.all(sinceSeq, state.seq, modelRowId, max + 1) as number[];
      return { state, ids: ids.slice(0, max), complete: ids.length <= max };
    });
  }

  /** Runs `fn` in one read transaction (rows and log state seen together). */
  read<T>(fn: () => T): T {
    return this.db.transaction(fn);
  }

  /** Trims the log through `seq` (an index saved a snapshot there). */
  prune(seq: number): void {
    this.db.transaction(() => {
      this.s.prune.run(seq);
      this.s.pruneMark.run(seq);
    });
  }
}
