/**
 * Numbers as Chinese queries write them: 5, 十五, 廿三, 两, 二〇一九 (digit by digit), 两千零一十九
 * (positional). Full-width digits were already made ASCII by normalisation (NFKC).
 */

const DIGIT: Record<string, number> = { 〇: 0, 零: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };

/** Characters a number may be written with (for building patterns). */
export const NUMERAL_CHARS = '0-9〇零一二两三四五六七八九十廿百千';

/** The value of a written number, or null if it is not one. */
export function parseNumber(s: string): number | null {
  if (/^[0-9]+$/.test(s)) return Number(s);
  if (!/^[〇零一二两三四五六七八九十廿百千]+$/.test(s)) return null;
  // Digit by digit (二〇一九, 一九): no place-value characters.
  if (!/[十廿百千]/.test(s)) return Number([...s].map((c) => DIGIT[c]).join(''));
  let total = 0;
  let current = 0;
  for (const c of s) {
    if (c in DIGIT) current = DIGIT[c];
    else if (c === '廿') total += 20;
    else {
      const unit = c === '十' ? 10 : c === '百' ? 100 : 1000;
      total += (current || 1) * unit; // 十五: the leading 一 is implied
      current = 0;
    }
  }
  return total + current;
}

/** A year as written: 2019, 19 (→ 2019; 98 → 1998), 二〇一九, 一九, 两千零一十九. */
export function parseYear(s: string, nowYear: number): number | null {
  const n = parseNumber(s);
  if (n === null) return null;
  const digits = /^[0-9〇零一二两三四五六七八九]+$/.test(s) ? s.length : String(n).length;
  if (digits === 2 && n < 100) {
    const century = Math.floor(nowYear / 100) * 100;
    return century + n > nowYear + 1 ? century - 100 + n : century + n;
  }
  return n >= 1900 && n <= 2100 ? n : null;
}
