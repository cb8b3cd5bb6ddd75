/**
 * The words for a time that repeats — days of every week (周末, 工作日) and a day of every year
 * (那年今日) — as the query chips' tooltips and the CLI's `search --explain` say them. Pure data and
 * one string function, shared by the renderer and the CLI (each spreads the words into its own
 * catalogue, as with skip-reasons.ts).
 */

const zh = {
  'weekday.1': '周一',
  'weekday.2': '周二',
  'weekday.3': '周三',
  'weekday.4': '周四',
  'weekday.5': '周五',
  'weekday.6': '周六',
  'weekday.7': '周日',
  'weekdays.sep': '、',
  'weekdays.every': '每{days}',
  'monthDay.every': '每年 {month} 月 {day} 日',
} as const;

export type TimeWordKey = keyof typeof zh;

const en: Record<TimeWordKey, string> = {
  'weekday.1': 'Monday',
  'weekday.2': 'Tuesday',
  'weekday.3': 'Wednesday',
  'weekday.4': 'Thursday',
  'weekday.5': 'Friday',
  'weekday.6': 'Saturday',
  'weekday.7': 'Sunday',
  'weekdays.sep': ', ',
  'weekdays.every': 'every {days}',
  'monthDay.every': 'every year on {month}/{day}',
};

export const timeWords: Readonly<Record<'zh-CN' | 'en', Readonly<Record<TimeWordKey, string>>>> = { 'zh-CN': zh, en };

type Translate = (key: TimeWordKey, vars?: Record<string, string | number>) => string;

/** Days of every week (ISO 1 Monday … 7 Sunday) in words, through the caller's catalogue: 每周六、周日. */
export function everyWeekdays(days: readonly number[], t: Translate): string {
  return t('weekdays.every', { days: days.map((d) => t(`weekday.${d}` as TimeWordKey)).join(t('weekdays.sep')) });
}

/** A month and day of every year in words: 每年 12 月 6 日. */
export function everyYearOn(monthDay: { month: number; day: number }, t: Translate): string {
  return t('monthDay.every', { month: monthDay.month, day: monthDay.day });
}
