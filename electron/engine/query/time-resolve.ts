/**
 * One run of time atoms (time-atoms.ts) → a range of local days and, optionally, hours of the day.
 *
 * Rules, with "now" the moment of the query in the calendar's zone:
 *  - a year alone is the whole year, a month alone the whole month, a season or holiday without a
 *    year the latest one that has begun (圣诞 said on 6 December 2026 is Christmas 2025);
 *  - seasons are meteorological: 春 March–May, 夏 June–August, 秋 September–November, 冬 December
 *    to February. 冬 belongs to the year it begins in: 前年冬天 said in 2026 is December 2024 –
 *    February 2025 (the winter that started in 前年);
 *  - weeks run Monday–Sunday: 上周 is last Monday–Sunday, 上周五 its Friday, 周五 alone the latest
 *    Friday up to today; 上周末 last week's Saturday and Sunday, but 周末 alone (周末去公园) and
 *    工作日 are days of every week (a person says 周末 of a habit, 周五 of a day);
 *  - 最近N天 is today and the N−1 days before it; 最近N个月 and 最近N年 go back to the same date;
 *    a bare 最近 is the last 30 days; N天前 is that one day, N个月前 that month, N年前 that year;
 *  - two expressions joined by 到/至/- are a range (resolveRange): from the first day of the first
 *    to the last day of the second, which takes the first's year when it names none.
 */
import { addDays, compareYmd, holidayRange, lunarMonthRange, weekdayIndex, type Calendar, type DayRange, type HolidayName, type Ymd } from './calendar.ts';
import type { Atom, AtomMatch } from './time-atoms.ts';
import type { HourRange } from './types.ts';

export interface ResolvedTime {
  days: DayRange | null;
  hours?: HourRange;
  /** ISO days of the week, every week (周末, 工作日). */
  weekdays?: number[];
  /** A month and day in every year before today's (那年今日); `days` is then null. */
  monthDay?: { month: number; day: number };
}

const WEEKEND = [6, 7];
const WORKDAYS = [1, 2, 3, 4, 5];

const lastDayOfMonth = (y: number, m: number): Ymd => addDays({ y, m: m + 1, d: 1 }, -1);
const monthRange = (y: number, m: number): DayRange => {
  const first = addDays({ y, m, d: 1 }, 0); // normalises month 0 / 13
  return { first, last: lastDayOfMonth(first.y, first.m) };
};
const SEASON_START = [3, 6, 9, 12];
const seasonRange = (y: number, s: number): DayRange => ({ first: { y, m: SEASON_START[s], d: 1 }, last: lastDayOfMonth(s === 3 ? y + 1 : y, s === 3 ? 2 : SEASON_START[s] + 2) });

/** Year `y`, or the months of it that `part` says (年底: November and December). */
function partOfYear(y: number, part: { first: number; last: number } | null): DayRange {
  return part ? { first: { y, m: part.first, d: 1 }, last: lastDayOfMonth(y, part.last) } : { first: { y, m: 1, d: 1 }, last: { y, m: 12, d: 31 } };
}

/** A month's days, or the ones `part` says (月底: the 21st to the last). */
function partOfMonth(month: DayRange, part: { first: number; last: number | null } | null): DayRange {
  if (!part) return month;
  const { y, m } = month.first;
  return { first: { y, m, d: part.first }, last: part.last === null ? month.last : { y, m, d: part.last } };
}

/** The latest year whose occurrence of `range(year)` has begun by today. */
function latestBegun(today: Ymd, range: (y: number) => DayRange): DayRange {
  const thisYear = range(today.y);
  return compareYmd(thisYear.first, today) <= 0 ? thisYear : range(today.y - 1);
}

export function resolveRun(run: AtomMatch[], now: number, cal: Calendar): ResolvedTime | null {
  const today = cal.ymdOf(now);
  let year: number | null = null;
  let month: number | null = null;
  let day: number | null = null;
  let season: number | null = null;
  let holiday: HolidayName | null = null;
  let lunar: { m: number; d: number | null } | null = null;
  let date: { y: number | null; m: number; d: number } | null = null;
  let relative: DayRange | null = null;
  let hours: HourRange | undefined;
  let clock: { h: number; about: boolean } | null = null;
  let weekdays: number[] | undefined;
  let yearPart: { first: number; last: number } | null = null;
  let monthPart: { first: number; last: number | null } | null = null;
  let relDay: Ymd | null = null;
  let relMonth: DayRange | null = null;
  let monthDay: { month: number; day: number } | undefined;
  for (const { atom: a } of run) {
    switch (a.t) {
      case 'year':
        year = a.y;
        break;
      case 'relyear':
        year = today.y + a.offset;
        break;
      case 'ym':
        year = a.y;
        month = a.m;
        break;
      case 'month':
        month = a.m;
        break;
      case 'day':
        day = a.d;
        break;
      case 'date':
        date = a;
        break;
      case 'season':
        season = a.s;
        break;
      case 'holiday':
        holiday = a.name;
        break;
      case 'lunar':
        lunar = a;
        break;
      case 'tod':
        hours = a.hours;
        break;
      case 'clock':
        clock = a;
        break;
      case 'relday': {
        const d = addDays(today, a.offset);
        relative = { first: d, last: d };
        relDay = d;
        if (a.hours) hours = a.hours;
        break;
      }
      case 'onthisday':
        monthDay = { month: today.m, day: today.d };
        break;
      case 'week': {
        const monday = addDays(today, -weekdayIndex(today));
        if (a.offset === null) {
          // 周五 alone: the latest Friday up to today.
          const back = (weekdayIndex(today) - a.weekday! + 7) % 7;
          const d = addDays(today, -back);
          relative = { first: d, last: d };
        } else {
          const start = addDays(monday, 7 * a.offset);
          relative = a.weekday === null ? { first: start, last: addDays(start, 6) } : { first: addDays(start, a.weekday), last: addDays(start, a.weekday) };
        }
        break;
      }
      case 'weekend':
        if (a.offset === null) weekdays = WEEKEND;
        else {
          const saturday = addDays(today, 7 * a.offset + 5 - weekdayIndex(today));
          relative = { first: saturday, last: addDays(saturday, 1) };
        }
        break;
      case 'workdays':
        weekdays = WORKDAYS;
        break;
      case 'yearpart':
        yearPart = a;
        break;
      case 'monthpart':
        monthPart = a;
        break;
      case 'relmonth':
        relative = relMonth = monthRange(today.y, today.m + a.offset);
        break;
      case 'recent': {
        let first: Ymd;
        if (a.days) first = addDays(today, -(a.days - 1));
        else if (a.months) first = addDays({ y: today.y, m: today.m - a.months, d: today.d }, 0);
        else first = { y: today.y - (a.years ?? 1), m: today.m, d: today.d };
        relative = { first, last: today };
        break;
      }
    }
  }
  let days: DayRange | null = null;
  if (date) {
    const y = date.y ?? year;
    const at = (yy: number): DayRange => ({ first: { y: yy, m: date!.m, d: date!.d }, last: { y: yy, m: date!.m, d: date!.d } });
    days = y !== null ? at(y) : latestBegun(today, at);
  } else if (holiday) {
    days = year !== null ? holidayRange(holiday, year) : latestBegun(today, (y) => holidayRange(holiday!, y));
  } else if (lunar) {
    // A year said is the lunar year (去年腊月: the 腊月 before this year's 春节); else the latest begun.
    const { m, d } = lunar;
    if (year !== null) days = lunarMonthRange(m, d, year);
    else {
      const current = lunarMonthRange(m, d, today.y);
      days = current && compareYmd(current.first, today) <= 0 ? current : lunarMonthRange(m, d, today.y - 1);
    }
  } else if (season !== null) {
    days = year !== null ? seasonRange(year, season) : latestBegun(today, (y) => seasonRange(y, season!));
  } else if (month !== null) {
    const at = (yy: number): DayRange =>
      day !== null ? { first: { y: yy, m: month!, d: day }, last: { y: yy, m: month!, d: day } } : partOfMonth(monthRange(yy, month!), monthPart);
    days = year !== null ? at(year) : latestBegun(today, at);
  } else if (year !== null && relDay) {
    // 去年的今天: that day in that year.
    const d = addDays({ y: year, m: relDay.m, d: relDay.d }, 0);
    days = { first: d, last: d };
  } else if (year !== null) {
    days = partOfYear(year, yearPart);
  } else if (relative) {
    days = relative === relMonth ? partOfMonth(relative, monthPart) : relative; // 上个月底
  } else if (yearPart) {
    days = latestBegun(today, (y) => partOfYear(y, yearPart));
  } else if (monthPart) {
    // 月底 alone: this month's end once it has begun, else last month's.
    const now = partOfMonth(monthRange(today.y, today.m), monthPart);
    days = compareYmd(now.first, today) <= 0 ? now : partOfMonth(monthRange(today.y, today.m - 1), monthPart);
  }
  if (clock) hours = clockHours(clock, hours);
  if (monthDay) days = null; // every earlier year: parse-query ends it at today
  if (!days && !hours && !weekdays && !monthDay) return null;
  return { days, ...(hours ? { hours } : {}), ...(weekdays ? { weekdays: [...weekdays] } : {}), ...(monthDay ? { monthDay } : {}) };
}

/** Unix ms [start, end) of a day range in the calendar's zone. */
export function toMs(days: DayRange, cal: Calendar): { start: number; end: number } {
  const next = addDays(days.last, 1);
  return { start: cal.startOf(days.first.y, days.first.m, days.first.d), end: cal.startOf(next.y, next.m, next.d) };
}

/** Atoms that need a year to be a day range, and take "now"'s when they have none. */
const NEEDS_YEAR = new Set<Atom['t']>(['month', 'day', 'season', 'holiday', 'date', 'lunar', 'yearpart']);
const namesYear = (run: readonly AtomMatch[]): boolean =>
  run.some(({ atom: a }) => a.t === 'year' || a.t === 'relyear' || a.t === 'ym' || (a.t === 'date' && a.y !== null));

/**
 * A range said as two expressions: from the first day of `from` to the last day of `to`. `to`
 * takes `from`'s year when it names none (2023年3月至5月 is March to May 2023), and the year after
 * when that would end it before `from` begins (去年十月到二月: October 2025 to February 2026).
 * Hours of the day are not kept: 周一早上到周三晚上 is those days; hours alone on both sides are
 * an hour range (上午到下午: 8–18). Null otherwise (the two are then read one by one).
 */
export function resolveRange(from: AtomMatch[], toSaid: AtomMatch[], now: number, cal: Calendar): ResolvedTime | null {
  const start = resolveRun(from, now, cal);
  const range = rangeOf(from, start, toSaid, now, cal);
  // Days of every week said on either side hold over the whole range (2019年到2026年的周末).
  const weekdays = start?.weekdays ?? resolveRun(toSaid, now, cal)?.weekdays;
  return range && weekdays ? { ...range, weekdays } : range;
}

/** The range itself; `start` is `from` resolved. */
function rangeOf(from: AtomMatch[], start: ResolvedTime | null, toSaid: AtomMatch[], now: number, cal: Calendar): ResolvedTime | null {
  const a = start?.days;
  if (!a) {
    // Hours alone on both sides (上午到下午): from the first's start to the second's end.
    const end = resolveRun(toSaid, now, cal);
    return start?.hours && end?.hours && !end.days ? { days: null, hours: { from: start.hours.from, to: end.hours.to } } : null;
  }
  // A bare day (5月1日到3日) is in the first's month, and in the month after when that would end
  // the range before it begins (5月30日到2日).
  if (toSaid.every(({ atom }) => atom.t === 'day')) {
    const inMonth = (k: number): DayRange | null => {
      const { y, m } = addDays({ y: a.first.y, m: a.first.m + k, d: 1 }, 0); // December + 1 is next January
      return resolveRun([{ start: -1, end: -1, atom: { t: 'ym', y, m } }, ...toSaid], now, cal)?.days ?? null;
    };
    const same = inMonth(0);
    const b = same && compareYmd(same.last, a.first) < 0 ? inMonth(1) : same;
    return b ? { days: { first: a.first, last: compareYmd(a.last, b.last) >= 0 ? a.last : b.last } } : null;
  }
  const to = weekOf(from, toSaid);
  const inherits = !namesYear(to) && to.some(({ atom }) => NEEDS_YEAR.has(atom.t));
  const toInYear = (y: number): DayRange | null => resolveRun([{ start: -1, end: -1, atom: { t: 'year', y } }, ...to], now, cal)?.days ?? null;
  let b = inherits ? toInYear(a.first.y) : (resolveRun(to, now, cal)?.days ?? null);
  if (!b) return null;
  if (inherits && compareYmd(b.last, a.first) < 0) b = toInYear(a.first.y + 1) ?? b;
  return {
    days: {
      first: compareYmd(a.first, b.first) <= 0 ? a.first : b.first,
      last: compareYmd(a.last, b.last) >= 0 ? a.last : b.last,
    },
  };
}

/** 上周一到周三: a weekday said alone after a week that was named is in that week. */
function weekOf(from: readonly AtomMatch[], to: AtomMatch[]): AtomMatch[] {
  const named = from.find(({ atom }) => atom.t === 'week' && atom.offset !== null)?.atom;
  if (!named || named.t !== 'week') return to;
  return to.map((m) => (m.atom.t === 'week' && m.atom.offset === null ? { ...m, atom: { ...m.atom, offset: named.offset } } : m));
}

/**
 * The hour a clock time names, read in the part of the day said with it (下午三点 is 15:00, 晚上八点
 * 20:00; 早上 and 凌晨 keep the number): that hour (8点半 is 8:00–9:00, photos are filtered by the hour),
 * and the hour before it too for 左右 (十点左右: 9:00–11:00). A bare 8点 is 8:00.
 */
function clockHours(clock: { h: number; about: boolean }, partOfDay: HourRange | undefined): HourRange {
  let h = clock.h % 24;
  if (partOfDay && partOfDay.from >= 12 && h < 12) h += 12;
  if (partOfDay && partOfDay.from === 22 && clock.h <= 3) h = clock.h; // 深夜两点
  const from = clock.about ? (h + 23) % 24 : h;
  const to = (h + 1) % 24 || 24;
  return { from, to };
}
