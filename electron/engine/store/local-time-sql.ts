/**
 * The local hour, day of the week and month-day of a photo's taken_at, as SQL for the photo filter
 * (晚上, 周末, 那年今日). The registered functions (sql-functions.ts) convert each row in JavaScript:
 * ~0.7 µs a row, so 周末的海边 at a million photos took 0.76 s against 0.05 s for 海边 alone
 * (docs/decisions/when-where.md). Where this process's zone keeps one UTC offset — all of China since
 * 1991, Japan, India; elsewhere between two daylight-saving changes — the local time is taken_at
 * plus that offset, which SQLite computes itself. Rows outside that span still go through the
 * function, so every row gets the same answer either way (tested against it in several zones).
 */
export type LocalPart = 'hour' | 'weekday' | 'monthDay';

export interface SteadyOffset {
  /** Unix ms, inclusive: within [from, to] the zone's UTC offset is `offsetMs` throughout. */
  from: number;
  to: number;
  offsetMs: number;
}

const DAY = 86_400_000;
const YEAR = 365 * DAY;

const offsetAt = (ms: number): number => -new Date(ms).getTimezoneOffset() * 60_000;

/**
 * The span around `now` in which the zone's offset stays what it is now, sampled daily (an offset
 * that changes and changes back within a day is not a thing zones do). Kept within 1970 (below it
 * the integer arithmetic would round towards zero) and 30 years ahead.
 */
export function steadyOffsetSpan(now: number): SteadyOffset {
  const offsetMs = offsetAt(now);
  let from = now;
  for (let t = now - DAY; t >= 0; t -= DAY) {
    if (offsetAt(t) !== offsetMs) break;
    from = t;
  }
  let to = now;
  for (let t = now + DAY; t <= now + 30 * YEAR; t += DAY) {
    if (offsetAt(t) !== offsetMs) break;
    to = t;
  }
  return { from, to, offsetMs };
}

/** One span per zone and day: the zone is the process's (TZ may be changed at run time, as tests do). */
let cached: { key: string; span: SteadyOffset } | null = null;
function currentSpan(): SteadyOffset {
  const now = Date.now();
  const key = `${process.env.TZ ?? ''}\0${Math.floor(now / DAY)}`;
  if (cached?.key !== key) cached = { key, span: steadyOffsetSpan(now) };
  return cached.span;
}

const FAST: Record<LocalPart, string> = {
  hour: 'CAST((p.taken_at + @lt_off) / 3600000 AS INTEGER) % 24',
  // 1 January 1970 was a Thursday (ISO 4).
  weekday: '(CAST((p.taken_at + @lt_off) / 86400000 AS INTEGER) + 3) % 7 + 1',
  monthDay: "CAST(strftime('%m%d', (p.taken_at + @lt_off) / 1000, 'unixepoch') AS INTEGER)",
};
const BY_FUNCTION: Record<LocalPart, string> = {
  hour: 'local_hour(p.taken_at)',
  weekday: 'local_weekday(p.taken_at)',
  monthDay: 'local_month_day(p.taken_at)',
};

/** The SQL for `part` of the row `p`'s local taken time; sets the parameters it uses in `params`. */
export function localTimeSql(part: LocalPart, params: Record<string, unknown>): string {
  const span = currentSpan();
  Object.assign(params, { lt_from: span.from, lt_to: span.to, lt_off: span.offsetMs });
  return `(CASE WHEN p.taken_at BETWEEN @lt_from AND @lt_to THEN ${FAST[part]} ELSE ${BY_FUNCTION[part]} END)`;
}
