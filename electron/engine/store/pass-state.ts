/**
 * Per-photo state of the registered passes that keep none of their own (migration 6): which
 * photos a pass has done or failed on at its current version. A pass owes every indexed item of
 * the kinds it handles (photos, unless it says videos too) without such a row; the triggers drop a
 * photo's rows when its content changes or it no longer decodes, and deleting the photo deletes
 * them.
 */
import type { Database, Statement } from './database.ts';
import type { ItemKind } from './rows.ts';

export interface OwedPhoto {
  id: number;
  path: string;
  hash: string | null;
}

/** The kinds a pass handles unless it says otherwise: its work reads the image file. */
export const PHOTOS_ONLY: readonly ItemKind[] = ['photo'];

export interface PassStateCounts {
  done: number;
  failed: number;
  /** Indexed photos without a row at this version. */
  pending: number;
}

export class PassStateRepository {
  private readonly s: Record<'owed' | 'counts' | 'countsAll' | 'owedAll' | 'mark' | 'forget' | 'error', Statement>;

  constructor(private readonly db: Database) {
    const sql = db.sql;
    this.s = {
      // Kind first: photos_kind_status (kind, status, id) serves both the page and the count.
      owed: sql.prepare(
        `SELECT p.id, p.path, p.hash FROM photos p
         WHERE p.kind = 'photo' AND p.status = 'indexed' AND p.id > @after
           AND NOT EXISTS (SELECT 1 FROM pass_state s WHERE s.pass = @pass AND s.photo_id = p.id AND s.version = @version)
         ORDER BY p.id LIMIT @limit`,
      ),
      owedAll: sql.prepare(
        `SELECT p.id, p.path, p.hash FROM photos p
         WHERE p.status = 'indexed' AND p.id > @after
           AND NOT EXISTS (SELECT 1 FROM pass_state s WHERE s.pass = @pass AND s.photo_id = p.id AND s.version = @version)
         ORDER BY p.id LIMIT @limit`,
      ),
      counts: sql.prepare(
        `SELECT (SELECT count(*) FROM pass_state WHERE pass = @pass AND version = @version AND status = 'done') AS done,
                (SELECT count(*) FROM pass_state WHERE pass = @pass AND version = @version AND status = 'failed') AS failed,
                (SELECT count(*) FROM photos WHERE kind = 'photo' AND status = 'indexed') AS indexed`,
      ),
      countsAll: sql.prepare(
        `SELECT (SELECT count(*) FROM pass_state WHERE pass = @pass AND version = @version AND status = 'done') AS done,
                (SELECT count(*) FROM pass_state WHERE pass = @pass AND version = @version AND status = 'failed') AS failed,
                (SELECT count(*) FROM photos WHERE status = 'indexed') AS indexed`,
      ),
      mark: sql.prepare(
        // One statement for a whole batch (ids as JSON: ~3× faster than a statement per photo).
        // A photo deleted meanwhile has no row to refer to: nothing to record.
        `INSERT INTO pass_state (pass, photo_id, version, status, error, done_at)
         SELECT @pass, j.value, @version, @status, @error, @at FROM json_each(@ids) j WHERE EXISTS (SELECT 1 FROM photos WHERE id = j.value)
         ON CONFLICT (pass, photo_id) DO UPDATE SET version = excluded.version, status = excluded.status, error = excluded.error, done_at = excluded.done_at`,
      ),
      forget: sql.prepare('DELETE FROM pass_state WHERE pass = ?'),
      error: sql.prepare(`SELECT error FROM pass_state WHERE pass = ? AND photo_id = ? AND status = 'failed'`).pluck(),
    };
  }

  /**
   * Up to `limit` indexed items of `kinds` (photos by default) after `afterId` (by id) that the
   * pass has no row for at `version`.
   */
  owed(pass: string, version: string, limit: number, afterId = 0, kinds: readonly ItemKind[] = PHOTOS_ONLY): OwedPhoto[] {
    const stmt = kinds.includes('video') ? this.s.owedAll : this.s.owed;
    return stmt.all({ pass, version, limit: Math.floor(limit), after: afterId }) as OwedPhoto[];
  }

  counts(pass: string, version: string, kinds: readonly ItemKind[] = PHOTOS_ONLY): PassStateCounts {
    const stmt = kinds.includes('video') ? this.s.countsAll : this.s.counts;
    const r = stmt.get({ pass, version }) as { done: number; failed: number; indexed: number };
    return { done: r.done, failed: r.failed, pending: Math.max(0, r.indexed - r.done - r.failed) };
  }

  /** Records photos as done (or failed, with the reason) at `version`, in one transaction. */
  mark(pass: string, version: string, photoIds: Iterable<number>, failure?: string): void {
    this.s.mark.run({ pass, ids: JSON.stringify([...photoIds]), version, status: failure ? 'failed' : 'done', error: failure ?? null, at: Date.now() });
  }

  /** Why the pass failed on this photo (null when it did not). */
  failure(pass: string, photoId: number): string | null {
    return (this.s.error.get(pass, photoId) as string | undefined) ?? null;
  }

  /** Drops every row of a pass (a pass that no longer exists). */
  forget(pass: string): void {
    this.s.forget.run(pass);
  }
}
