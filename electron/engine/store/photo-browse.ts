/**
 * Browsing: the indexed photos a filter selects, in library order (newest first), a page at a
 * time with a keyset position — so photos arriving while a person scrolls neither repeat nor skip
 * one. The filter goes through the one translator (photo-filter.ts).
 */
import type { Database, Statement } from './database.ts';
import { PhotoFilterSql, type PhotoQuery } from './photo-filter.ts';
import { toPhoto, type PhotoRow, type RawPhoto } from './rows.ts';

/** Where the previous page ended: the last photo's taken_at (null: undated) and id. */
export interface BrowsePosition {
  takenAt: number | null;
  id: number;
}

/**
 * Newest first; undated photos (NULL, which SQLite orders lowest) last. The keyset condition
 * continues strictly after the position in that order.
 */
const ORDER = 'ORDER BY p.taken_at DESC, p.id DESC';
const AFTER_DATED = '(p.taken_at < @b_t OR (p.taken_at = @b_t AND p.id < @b_id) OR p.taken_at IS NULL)';
const AFTER_UNDATED = '(p.taken_at IS NULL AND p.id < @b_id)';

export class PhotoBrowseRepository {
  private readonly stmts = new Map<string, Statement>();

  constructor(
    private readonly db: Database,
    private readonly filters: PhotoFilterSql,
  ) {}

  /** Up to `limit` indexed photos after `after` (from the newest when absent). */
  page(q: PhotoQuery, limit: number, after?: BrowsePosition): PhotoRow[] {
    if (!(limit > 0) || PhotoFilterSql.matchesNothing(q)) return [];
    const f = this.filters.where(q);
    const params: Record<string, unknown> = { ...f.params, b_limit: Math.floor(limit) };
    let keyset = '';
    if (after) {
      keyset = ` AND ${after.takenAt === null ? AFTER_UNDATED : AFTER_DATED}`;
      params.b_id = after.id;
      if (after.takenAt !== null) params.b_t = after.takenAt;
    }
    const text = `SELECT p.* FROM photos p WHERE p.status = 'indexed' AND ${f.sql}${keyset} ${ORDER} LIMIT @b_limit`;
    return (this.stmt(text).all(params) as RawPhoto[]).map(toPhoto);
  }

  /** How many indexed photos the filter selects. */
  count(q: PhotoQuery): number {
    if (PhotoFilterSql.matchesNothing(q)) return 0;
    const f = this.filters.where(q);
    return this.stmt(`SELECT count(*) FROM photos p WHERE p.status = 'indexed' AND ${f.sql}`).pluck().get(f.params) as number;
  }

  private stmt(text: string): Statement {
    let s = this.stmts.get(text);
    if (!s) this.stmts.set(text, (s = this.db.sql.prepare(text)));
    return s;
  }
}
