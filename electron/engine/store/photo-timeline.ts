/**
 * The timeline: how many photos a filter selects in each month (local time, as EXIF dates are
 * read: local_month in sql-functions.ts), newest first, plus the undated ones. Without a filter
 * it reads only the (status, taken_at) index (migration 7). The renderer sizes its virtualised timeline from
 * these counts and browses a month when it comes into view.
 */
import type { Database, Statement } from './database.ts';
import { PhotoFilterSql, type PhotoQuery } from './photo-filter.ts';

export interface MonthCount {
  /** 'YYYY-MM' in local time. */
  month: string;
  photos: number;
}

export class PhotoTimelineRepository {
  private readonly stmts = new Map<string, Statement>();

  constructor(
    private readonly db: Database,
    private readonly filters: PhotoFilterSql,
  ) {}

  /** Months with photos, newest first, and how many indexed photos have no date. */
  months(q: PhotoQuery): { months: MonthCount[]; undated: number } {
    if (PhotoFilterSql.matchesNothing(q)) return { months: [], undated: 0 };
    const f = this.filters.where(q);
    const month = 'local_month(p.taken_at)';
    const rows = this.stmt(
      `SELECT ${month} AS month, count(*) AS photos FROM photos p
       WHERE p.status = 'indexed' AND p.taken_at IS NOT NULL AND ${f.sql} GROUP BY month ORDER BY month DESC`,
    ).all(f.params) as MonthCount[];
    const undated = this.stmt(`SELECT count(*) FROM photos p WHERE p.status = 'indexed' AND p.taken_at IS NULL AND ${f.sql}`).pluck().get(f.params) as number;
    return { months: rows, undated };
  }

  private stmt(text: string): Statement {
    let s = this.stmts.get(text);
    if (!s) this.stmts.set(text, (s = this.db.sql.prepare(text)));
    return s;
  }
}
