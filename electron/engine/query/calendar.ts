/**
 * Calendar arithmetic in one time zone, and China's holidays.
 *
 * Zone policy: photos' taken_at is EXIF wall-clock time read as the indexing machine's local time
 * (media/metadata.ts: `new Date(y, m, d, …)` unless an OffsetTime tag says otherwise), so a query's
 * days are that same machine's local days by default; tests pass a fixed zone (Asia/Shanghai).
 */
import { HolidayUtil, Lunar, Solar } from 'lunar-typescript';

export interface Ymd {
  y: number;
  m: number; // 1–12
  d: number; // 1–31
}

export class Calendar {
  private readonly fmt: Intl.DateTimeFormat;

  constructor(readonly timeZone: string = Intl.DateTimeFormat().resolvedOptions().timeZone) {
    this.fmt = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
  }

  /** The zone's offset from UTC at an instant, in ms. */
  private offsetAt(ms: number): number {
    const p = Object.fromEntries(this.fmt.formatToParts(ms).map((x) => [x.type, Number(x.value)]));
    return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(ms / 1000) * 1000;
  }

  /** Unix ms of local midnight starting this day (days overflow like Date: 32 January is 1 February). */
  startOf(y: number, m: number, d: number): number {
    const wall = Date.UTC(y, m - 1, d);
    let ms = wall - this.offsetAt(wall);
    ms = wall - this.offsetAt(ms); // second pass settles a DST change between the guess and the answer
    return ms;
  }

  /** The local calendar day of an instant. */
  ymdOf(ms: number): Ymd {
    const d = new Date(ms + this.offsetAt(ms));
    return { y: d.getUTCFullYear(), m: d.getUTCMonth() + 1, d: d.getUTCDate() };
  }
}

/** Normalises y/m/d that overflowed (month 13, day 0) through the UTC calendar. */
export function addDays(a: Ymd, days: number): Ymd {
  const t = new Date(Date.UTC(a.y, a.m - 1, a.d + days));
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

/** Monday = 0 … Sunday = 6: Chinese weeks start on Monday. */
export function weekdayIndex(a: Ymd): number {
  return (new Date(Date.UTC(a.y, a.m - 1, a.d)).getUTCDay() + 6) % 7;
}

export const compareYmd = (a: Ymd, b: Ymd): number => a.y - b.y || a.m - b.m || a.d - b.d;

export interface DayRange {
  first: Ymd;
  /** Inclusive last day. */
  last: Ymd;
}

const fromSolar = (s: Solar): Ymd => ({ y: s.getYear(), m: s.getMonth(), d: s.getDay() });
const lunarDay = (year: number, month: number, day: number): Ymd => fromSolar(Lunar.fromYmd(year, month, day).getSolar());
const around = (center: Ymd, before: number, after: number): DayRange => ({ first: addDays(center, -before), last: addDays(center, after) });

/** The official days off (国务院 schedule, 2001 onwards as lunar-typescript knows it) for a holiday, if known. */
function officialRange(year: number, names: string[]): DayRange | null {
  const days = HolidayUtil.getHolidays(year)
    .filter((h) => !h.isWork() && names.some((n) => h.getName().includes(n)))
    .map((h) => {
      const [y, m, d] = h.getDay().split('-').map(Number);
      return { y, m, d };
    })
    .sort(compareYmd);
  // A 国庆 merged with 中秋 is listed as 国庆中秋: both names find it.
  return days.length ? { first: days[0], last: days.at(-1)! } : null;
}

/**
 * Lunar month `month` (1–12) of lunar year `year`, or one day of it (腊月二十三); null for a day the
 * month does not have (腊月三十 in a 29-day 腊月). A month runs to the day before the next month's
 * 初一, so a leap month after it (闰四月 after 四月) is counted with it, as people say 四月 of both;
 * 腊月 ends the day before the next 春节.
 */
export function lunarMonthRange(month: number, day: number | null, year: number): DayRange | null {
  try {
    if (day !== null) {
      const d = lunarDay(year, month, day);
      return { first: d, last: d };
    }
    const next = month === 12 ? lunarDay(year + 1, 1, 1) : lunarDay(year, month + 1, 1);
    return { first: lunarDay(year, month, 1), last: addDays(next, -1) };
  } catch {
    return null; // lunar-typescript refuses a day past the month's end
  }
}

export type HolidayName = '元旦' | '春节' | '除夕' | '元宵' | '清明' | '五一' | '端午' | '七夕' | '中秋' | '国庆' | '圣诞' | '平安夜' | '情人节' | '儿童节' | '万圣节' | '跨年' | '暑假' | '寒假';

/**
 * The days a holiday covers in a Gregorian year: the official days off where the State Council's
 * schedule is known, else a documented approximation (春节: 除夕 to 初六; 清明, 端午, 中秋: the day
 * ±1; 五一: 1–5 May; 国庆: 1–7 October). 暑假 is 1 July – 31 August and 寒假 15 January – end of
 * February: school calendars vary by province, these cover the common core.
 */
export function holidayRange(name: HolidayName, year: number): DayRange {
  const fixed = (m: number, d: number, before = 0, after = 0): DayRange => around({ y: year, m, d }, before, after);
  switch (name) {
    case '元旦':
      return officialRange(year, ['元旦']) ?? fixed(1, 1);
    case '春节': {
      const newYear = lunarDay(year, 1, 1);
      return officialRange(year, ['春节']) ?? around(newYear, 1, 6);
    }
    case '除夕':
      return around(lunarDay(year, 1, 1), 1, -1);
    case '元宵':
      return around(lunarDay(year, 1, 15), 0, 0);
    case '清明': {
      const qm = Solar.fromYmd(year, 4, 1).getLunar().getJieQiTable()['清明'];
      return officialRange(year, ['清明']) ?? around(fromSolar(qm), 1, 1);
    }
    case '五一':
      return officialRange(year, ['劳动']) ?? fixed(5, 1, 0, 4);
    case '端午':
      return officialRange(year, ['端午']) ?? around(lunarDay(year, 5, 5), 1, 1);
    case '七夕':
      return around(lunarDay(year, 7, 7), 0, 0);
    case '中秋': {
      const official = officialRange(year, ['中秋']);
      // In a merged 国庆中秋 break only the festival's own day and its neighbours are 中秋.
      if (official && !officialRange(year, ['国庆中秋'])) return official;
      return around(lunarDay(year, 8, 15), 1, 1);
    }
    case '国庆':
      return officialRange(year, ['国庆']) ?? fixed(10, 1, 0, 6);
    case '圣诞':
      return fixed(12, 25);
    case '平安夜':
      return fixed(12, 24);
    case '情人节':
      return fixed(2, 14);
    case '儿童节':
      return fixed(6, 1);
    case '万圣节':
      return fixed(10, 31);
    case '跨年':
      return fixed(12, 31, 0, 1);
    case '暑假':
      return { first: { y: year, m: 7, d: 1 }, last: { y: year, m: 8, d: 31 } };
    case '寒假':
      return { first: { y: year, m: 1, d: 15 }, last: addDays({ y: year, m: 3, d: 1 }, -1) };
  }
}
