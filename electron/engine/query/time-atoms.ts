/**
 * The pieces a Chinese time expression is made of ("atoms"): 2019年, 去年, 五月, 1号, 冬天, 五一,
 * 上周五, 最近三天, 晚上… Each is recognised by one pattern on the normalised query (NFKC, lower
 * case, simplified, no spaces); time-resolve.ts turns a run of adjacent atoms into a time range.
 */
import type { HolidayName } from './calendar.ts';
import type { HourRange } from './types.ts';
import { NUMERAL_CHARS, parseNumber, parseYear } from './numbers.ts';

export type Atom =
  | { t: 'date'; y: number | null; m: number; d: number }
  | { t: 'year'; y: number }
  | { t: 'relyear'; offset: number }
  | { t: 'month'; m: number }
  | { t: 'day'; d: number }
  | { t: 'ym'; y: number; m: number }
  | { t: 'relday'; offset: number; hours?: HourRange }
  /** offset null: a weekday without 这/上 (周五拍的): the latest such day up to today. */
  | { t: 'week'; offset: number | null; weekday: number | null }
  /** 上周末, 这个周末: that week's Saturday and Sunday; 周末 alone: weekends, every week. */
  | { t: 'weekend'; offset: number | null }
  /** 工作日: Monday to Friday, every week. */
  | { t: 'workdays' }
  /** 那年今日: today's month and day in every earlier year. */
  | { t: 'onthisday' }
  /** A part of a year, months first…last: 年初 1–2, 年中 6–7, 年底 11–12, 上半年 1–6, 下半年 7–12. */
  | { t: 'yearpart'; first: number; last: number }
  /** A part of a month, days first…last (null: the month's last day): 月初/上旬 1–10, 中旬 11–20, 月底/下旬 21–. */
  | { t: 'monthpart'; first: number; last: number | null }
  | { t: 'relmonth'; offset: number }
  | { t: 'recent'; days?: number; months?: number; years?: number }
  | { t: 'season'; s: 0 | 1 | 2 | 3 }
  | { t: 'holiday'; name: HolidayName }
  /** A lunar month (1–12: 正月, 农历三月, 冬月, 腊月); d: a lunar day of it (腊月二十三, 阴历八月十五). */
  | { t: 'lunar'; m: number; d: number | null }
  | { t: 'tod'; hours: HourRange }
  /** 八点, 10点半, 十点左右: an hour of the day (0–24); `about`: 左右, the hour before it too. */
  | { t: 'clock'; h: number; about: boolean };

export interface AtomMatch {
  start: number;
  end: number;
  atom: Atom;
}

const N = `[${NUMERAL_CHARS}]`;

export const TIMES_OF_DAY: [RegExp, HourRange][] = [
  [/凌晨|半夜|午夜/y, { from: 0, to: 5 }],
  [/清晨|早晨|早上|一早|大早/y, { from: 5, to: 9 }],
  [/上午/y, { from: 8, to: 12 }],
  [/中午|午间/y, { from: 11, to: 14 }],
  [/下午|午后/y, { from: 13, to: 18 }],
  [/傍晚|黄昏/y, { from: 17, to: 19 }],
  [/深夜/y, { from: 22, to: 3 }],
  [/晚上|夜里|夜间|晚间|夜晚/y, { from: 18, to: 24 }],
];

const HOLIDAYS: [RegExp, HolidayName][] = [
  [/元旦(?:节|假期)?/y, '元旦'],
  [/大年三十|年三十|除夕(?:夜)?/y, '除夕'],
  // 正月初一 and 正月十五 (with 农历 or not) are read by the lunar-month rule, which runs first.
  [/春节(?:假期|期间)?|过年(?:期间|的时候)?|大年初一|(?:农历|阴历)新年/y, '春节'],
  [/元宵节?/y, '元宵'],
  [/清明(?:节|假期)?/y, '清明'],
  [/五一(?:劳动节|假期|长假|小长假|黄金周)?(?![0-9月日号])|劳动节/y, '五一'],
  [/端午(?:节|假期)?/y, '端午'],
  [/七夕(?:节)?/y, '七夕'],
  [/中秋(?:节|假期)?/y, '中秋'],
  [/国庆(?:节|假期|长假|黄金周)?|十一(?:假期|长假|黄金周)/y, '国庆'],
  [/圣诞(?:节)?(?!树|老人|帽|袜)/y, '圣诞'],
  [/平安夜/y, '平安夜'],
  [/情人节/y, '情人节'],
  [/(?:六一)?儿童节/y, '儿童节'],
  [/万圣节/y, '万圣节'],
  [/跨年(?:夜)?/y, '跨年'],
  [/暑假/y, '暑假'],
  [/寒假/y, '寒假'],
];

/** Lunar months said by a name rather than a number. */
const LUNAR_MONTH_NAMES: Record<string, number> = { 正: 1, 冬: 11, 腊: 12 };

const WEEKDAY: Record<string, number> = { 一: 0, 二: 1, 三: 2, 四: 3, 五: 4, 六: 5, 日: 6, 天: 6, '1': 0, '2': 1, '3': 2, '4': 3, '5': 4, '6': 5, '7': 6 };
const SEASON: Record<string, 0 | 1 | 2 | 3> = { 春: 0, 夏: 1, 秋: 2, 冬: 3 };
const REL_YEAR: Record<string, number> = { 大前年: -3, 前年: -2, 去年: -1, 今年: 0, 明年: 1 };
const WEEK_PREFIX: Record<string, number> = { 上上: -2, 上: -1, 这: 0, 本: 0, 下: 1 };

const YEAR_PART: Record<string, [number, number]> = { 初: [1, 2], 中: [6, 7], 底: [11, 12], 末: [11, 12], 尾: [11, 12], 上半年: [1, 6], 下半年: [7, 12] };
const MONTH_PART: Record<string, [number, number | null]> = { 初: [1, 10], 上旬: [1, 10], 中: [11, 20], 中旬: [11, 20], 底: [21, null], 末: [21, null], 下旬: [21, null] };
const yearPart = (key: string): Atom => ({ t: 'yearpart', first: YEAR_PART[key]![0], last: YEAR_PART[key]![1] });
const monthPart = (key: string): Atom => ({ t: 'monthpart', first: MONTH_PART[key]![0], last: MONTH_PART[key]![1] });
const isYear = (a: Atom | null): boolean => a?.t === 'year' || a?.t === 'relyear';
const isMonth = (a: Atom | null): boolean => a?.t === 'month' || a?.t === 'relmonth' || a?.t === 'ym';

type Rule = [RegExp, (m: RegExpExecArray, nowYear: number, prev: Atom | null) => Atom | null];

const num = (s: string): number => parseNumber(s) ?? NaN;
const inRange = (v: number, lo: number, hi: number): boolean => Number.isInteger(v) && v >= lo && v <= hi;

/** Tried in this order at each position; the first that matches (and accepts) wins. */
const RULES: Rule[] = [
  [/((?:19|20)\d{2})(0[1-9]|1[0-2])([0-2]\d|3[01])(?!\d)/y, (m) => ({ t: 'date', y: +m[1], m: +m[2], d: +m[3] })],
  [/(\d{4}|\d{2})[./-](\d{1,2})[./-](\d{1,2})(?:日|号)?(?!\d)/y, (m, ny) => {
    const y = parseYear(m[1], ny);
    return y && inRange(+m[2], 1, 12) && inRange(+m[3], 1, 31) ? { t: 'date', y, m: +m[2], d: +m[3] } : null;
  }],
  [/(\d{4})[./-](\d{1,2})(?:月份?)?(?![\d.])/y, (m) => (inRange(+m[2], 1, 12) && +m[1] >= 1900 ? { t: 'ym', y: +m[1], m: +m[2] } : null)],
  [new RegExp(`(${N}+)年(?:以)?前`, 'y'), (m, ny) => (inRange(num(m[1]), 1, 100) ? { t: 'year', y: ny - num(m[1]) } : null)],
  [new RegExp(`(${N}+)(?:个)?月(?:以)?前`, 'y'), (m) => (inRange(num(m[1]), 1, 120) ? { t: 'relmonth', offset: -num(m[1]) } : null)],
  [new RegExp(`(${N}+)(?:个)?(?:周|星期|礼拜)(?:以)?前`, 'y'), (m) => (inRange(num(m[1]), 1, 520) ? { t: 'week', offset: -num(m[1]), weekday: null } : null)],
  [new RegExp(`(${N}+)(?:天|日)(?:以)?前`, 'y'), (m) => (inRange(num(m[1]), 1, 3660) ? { t: 'relday', offset: -num(m[1]) } : null)],
  [new RegExp(`(?:最近|近|过去|这)(?:的)?(${N}+)(?:个)?(天|日|周|星期|礼拜|月|年)`, 'y'), (m) => {
    const n = num(m[1]);
    if (!inRange(n, 1, 3660)) return null;
    if (m[2] === '天' || m[2] === '日') return { t: 'recent', days: n };
    if (m[2] === '月') return { t: 'recent', months: n };
    if (m[2] === '年') return { t: 'recent', years: n };
    return { t: 'recent', days: 7 * n };
  }],
  [/这几天|这些天|最近几天|这两天|近几天/y, (m) => ({ t: 'recent', days: m[0] === '这两天' ? 2 : 3 })],
  // Vague spans, read generously (a filter too narrow loses the photo): a few days ago up to a
  // week, "lately" a month, "a while ago" three months.
  [/前两天/y, () => ({ t: 'recent', days: 3 })],
  [/前几天|前些天|几天前/y, () => ({ t: 'recent', days: 7 })],
  [/近期|近来|最近(?:这|一)段时间|这段时间/y, () => ({ t: 'recent', days: 30 })],
  [/前(?:一)?段时间|前(?:一)?阵子?|前些日子/y, () => ({ t: 'recent', days: 90 })],
  [/最近/y, () => ({ t: 'recent', days: 30 })],
  [/(大前年|前年|去年|今年|明年)/y, (m) => ({ t: 'relyear', offset: REL_YEAR[m[1]] })],
  // Parts of a year or a month: 年初, 年底, 上半年, 月初, 月底, 中旬 anywhere (年中 not in 一年中); a bare 初/中/底/末 only
  // right after a year or a month (2020年初, 去年底, 十月底, 上个月底, 三月中), and not where it begins
  // a word (去年初雪, 2019年中国, 十月底片, 2020年末班车).
  [/年(初|底|末|尾)|(?<![一每全])年(中)(?=$|[的拍照时那,，、到至])|(上半年|下半年)|月(初|底|末)|(上旬|中旬|下旬)/y, (m) =>
    m[1] || m[2] || m[3] ? yearPart(m[1] ?? m[2] ?? m[3]!) : monthPart(m[4] ?? m[5]!)],
  [/(初(?![雪恋中夏春秋冬心次见一二三四五六七八九十])|中(?=$|[的拍照时那,，、])|底(?![片下部色线])|末(?![班日尾])|尾(?![巴声气]))/y, (m, _ny, prev) =>
    isYear(prev) ? yearPart(m[1]!) : isMonth(prev) && m[1] !== '尾' ? monthPart(m[1]!) : null],
  [new RegExp(`([0-9]{4}|[0-9]{2}|[〇零一二两三四五六七八九]{2,4}|[两一二][千零〇一二三四五六七八九十百]{2,8})年(?:份|度)?`, 'y'), (m, ny) => {
    const y = parseYear(m[1], ny);
    return y ? { t: 'year', y } : null;
  }],
  [/((?:19|20)\d{2})(?![\d年./-])/y, (m) => ({ t: 'year', y: +m[1] })],
  [/(上上|上|这|本)(?:个)?月(?:份)?/y, (m) => ({ t: 'relmonth', offset: m[1] === '上上' ? -2 : m[1] === '上' ? -1 : 0 })],
  [new RegExp(`(${N}{1,3})月(?:份)?`, 'y'), (m) => (inRange(num(m[1]), 1, 12) ? { t: 'month', m: num(m[1]) } : null)],
  [new RegExp(`(${N}{1,3})(?:日|号)`, 'y'), (m, _ny, prev) =>
    // After a month (5月3日), or after a day that began a range (5月1日到3日).
    (prev?.t === 'month' || prev?.t === 'day' || prev?.t === 'date') && inRange(num(m[1]), 1, 31) ? { t: 'day', d: num(m[1]) } : null],
  [/(\d{1,2})[./](\d{1,2})(?![\d.])/y, (m) => (inRange(+m[1], 1, 12) && inRange(+m[2], 1, 31) ? { t: 'date', y: null, m: +m[1], d: +m[2] } : null)],
  [/(上上|上|这|本|下)?(?:个)?(?:周|星期|礼拜)(末|[一二三四五六日天1-7])?/y, (m) => {
    if (m[2] === '末') return { t: 'weekend', offset: m[1] === undefined ? null : WEEK_PREFIX[m[1]] };
    if (m[1] === undefined && m[2] === undefined) return null;
    return { t: 'week', offset: m[1] === undefined ? null : WEEK_PREFIX[m[1]], weekday: m[2] === undefined ? null : WEEKDAY[m[2]] };
  }],
  [/工作日/y, () => ({ t: 'workdays' })],
  [/那年今日|那年今天|往年今日|往年的?今天|历年的?今天|每年的今天/y, () => ({ t: 'onthisday' })],
  [/大前天|前天|昨天|昨日|昨晚|今天|今日|今早|今晚|明天/y, (m) => {
    const offset = { 大前天: -3, 前天: -2, 昨天: -1, 昨日: -1, 昨晚: -1, 今天: 0, 今日: 0, 今早: 0, 今晚: 0, 明天: 1 }[m[0]]!;
    const hours = m[0] === '今早' ? { from: 5, to: 9 } : m[0] === '昨晚' || m[0] === '今晚' ? { from: 18, to: 24 } : undefined;
    return { t: 'relday', offset, ...(hours ? { hours } : {}) };
  }],
  // Lunar months: 正月, 冬月 and 腊月 by their names (正月里回老家, 腊月二十三), any other with 农历 or
  // 阴历 before it (农历三月, 阴历八月十五, 农历8月15). A day without 初 or 日 is read only when it
  // repeats the month (二月二, 三月三, 九月九 — the festival days) or ends the phrase, so that
  // 农历三月一起… keeps 一起. 正月初一 and 正月十五 are the holidays 春节 and 元宵, 腊月三十 is 除夕.
  [
    /(农历|阴历|旧历)?(正|(?<![寒隆严初深])冬|腊|十[一二]|[一二三四五六七八九十]|1[0-2]|[1-9])月份?(?![亮光夜色])(?:(初[一二三四五六七八九十]|[二廿]十[一二三四五六七八九]?|廿[一二三四五六七八九]|十[一二三四五六七八九]?|三十|[0-9]{1,2})(?:日|号)?|(\2)(?![一二三四五六七八九十0-9])|([一二三四五六七八九])(?=$|[日号的,，。]))?/y,
    (m) => {
      if (!m[1] && !/^[正冬腊]$/.test(m[2]!)) return null; // 三月 alone is the solar month
      const month = LUNAR_MONTH_NAMES[m[2]!] ?? parseNumber(m[2]!);
      if (month === null || !inRange(month, 1, 12)) return null;
      const dayText = m[3] ?? m[4] ?? m[5];
      const d = dayText ? parseNumber(dayText.replace(/^初/, '')) : null;
      if (d !== null && !inRange(d, 1, 30)) return null;
      if (month === 1 && d === 1) return { t: 'holiday', name: '春节' };
      if (month === 1 && d === 15) return { t: 'holiday', name: '元宵' };
      // 腊月三十 is what people call 除夕 even in a 29-day 腊月 (as 大年三十).
      if (month === 12 && d === 30) return { t: 'holiday', name: '除夕' };
      return { t: 'lunar', m: month, d };
    },
  ],
  // A clock time: 晚上八点, 下午3点半, 十点左右. Alone it is too often a word — 一点雪, 有一点, or the
  // words of a chat screenshot (8点半见) — so it counts after another time (晚上, 昨天, 周五) or
  // with 钟/整/左右/前后.
  [new RegExp(`(${N}{1,3})(?:点|时)(钟|整|半|[0-9]{1,2}分?|[一二三四五]十[一二三四五六七八九]?分?|十[五]分?)?(左右|前后)?(?![点儿])`, 'y'), (m, _ny, prev) => {
    const h = num(m[1]);
    if (!inRange(h, 0, 24)) return null;
    const context = prev !== null && prev.t !== 'clock';
    if (!context && m[2] !== '钟' && m[2] !== '整' && !m[3]) return null;
    return { t: 'clock', h, about: m[3] !== undefined };
  }],
  [/(春|夏|秋|冬)(?:天|季)/y, (m) => ({ t: 'season', s: SEASON[m[1]] })],
  // A bare 春/夏/秋/冬 only right after a year (去年冬, 2019年夏): alone it is part of 春节, 冬瓜…
  [/(春|夏|秋|冬)(?![节联晚运卷装衣瓜笋至分])/y, (m, _ny, prev) => (prev && (prev.t === 'year' || prev.t === 'relyear') ? { t: 'season', s: SEASON[m[1]] } : null)],
  // 十一 means 国庆 only after a year (去年十一); alone it is a number.
  [/十一(?![0-9月日号点])/y, (_m, _ny, prev) => (prev && (prev.t === 'year' || prev.t === 'relyear') ? { t: 'holiday', name: '国庆' } : null)],
];

export function atomAt(text: string, i: number, nowYear: number, prev: Atom | null): AtomMatch | null {
  for (const [re, make] of RULES) {
    re.lastIndex = i;
    const m = re.exec(text);
    if (!m) continue;
    const atom = make(m, nowYear, prev);
    if (atom) return { start: i, end: i + m[0].length, atom };
  }
  for (const [re, name] of HOLIDAYS) {
    re.lastIndex = i;
    const m = re.exec(text);
    if (m) return { start: i, end: i + m[0].length, atom: { t: 'holiday', name } };
  }
  for (const [re, hours] of TIMES_OF_DAY) {
    re.lastIndex = i;
    const m = re.exec(text);
    if (m) return { start: i, end: i + m[0].length, atom: { t: 'tod', hours } };
  }
  return null;
}

/** Text allowed between two atoms of one expression (去年的冬天, 2019年五一的时候). */
export const ATOM_JOINER = /^(?:的|年|那天|那年|那个|那)?$/;

/**
 * What may stand between two time expressions that make one range: 三月到五月, 2023年3月至5月,
 * 3月-5月. The first gives the second its context (5月1日到3日: the 3日 is read as a day).
 */
export const RANGE_JOINER = /^(?:到|至|一直到|直到|~|-|—|–)$/;

function overlapsBlocked(m: AtomMatch, blocked: (i: number) => boolean): boolean {
  for (let k = m.start; k < m.end; k++) if (blocked(k)) return true;
  return false;
}

/**
 * Runs of adjacent atoms: each run is one time expression. Atoms are looked for at every position;
 * a digit or numeral in the middle of a longer number is not a start (the 19 of 2019).
 */
export function findTimeRuns(text: string, nowYear: number, blocked: (i: number) => boolean = () => false): AtomMatch[][] {
  const runs: AtomMatch[][] = [];
  let run: AtomMatch[] = [];
  for (let i = 0; i < text.length; ) {
    const continuesNumber = i > 0 && /[0-9]/.test(text[i - 1]) && /[0-9]/.test(text[i]);
    const before = run.at(-1);
    // Context (a bare 冬 after 去年) counts only from an atom this one continues.
    const between = before ? text.slice(before.end, i) : '';
    const prev = before && (ATOM_JOINER.test(between) || RANGE_JOINER.test(between)) ? before.atom : null;
    let m = continuesNumber || blocked(i) ? null : atomAt(text, i, nowYear, prev);
    if (m && overlapsBlocked(m, blocked)) m = null;
    if (!m) {
      i++;
      continue;
    }
    const last = run.at(-1);
    if (last && !ATOM_JOINER.test(text.slice(last.end, m.start))) {
      runs.push(run);
      run = [];
    }
    run.push(m);
    i = m.end;
  }
  if (run.length) runs.push(run);
  return runs;
}
