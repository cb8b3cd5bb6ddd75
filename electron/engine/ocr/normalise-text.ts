/**
 * The one normal form recognised text and text queries are both brought to before matching:
 *
 * - NFKC: full-width forms become ASCII (￥ＡＢＣ１２３ → ¥ABC123), compatibility forms their base;
 * - lower case;
 * - no whitespace at all: PP-OCR drops the spaces between words ("快递单号 SF123" comes back as
 *   "快递单号SF123"), so a query's spaces must not matter either;
 * - traditional characters folded to simplified (營業時間 → 营业时间), character by character.
 *
 * Every step works on one code point at a time, on purpose: then the normal form of a substring is
 * a substring of the normal form, which substring search relies on. (OpenCC's phrase tables would
 * convert a word differently inside and outside its context; for matching, context-free character
 * folding is the safer choice — the original text is kept for display.) `originOf` maps each
 * normalised character back to the original's UTF-16 offset, so matches can be shown in place.
 */
import * as OpenCC from 'opencc-js/t2cn';

type Convert = (s: string) => string;
let converters: Convert[] | null = null;
const folded = new Map<string, string>();

/** OpenCC's standard, Taiwan and Hong Kong traditional → mainland simplified, one character at a time. */
function foldTraditional(ch: string): string {
  const cp = ch.codePointAt(0)!;
  // Only CJK ideographs and compatibility ideographs can fold; skip the tables for everything else.
  if (cp < 0x2e80) return ch;
  let out = folded.get(ch);
  if (out === undefined) {
    converters ??= (['t', 'tw', 'hk'] as const).map((from) => OpenCC.Converter({ from, to: 'cn' }));
    out = ch;
    for (const convert of converters) {
      const r = convert(ch);
      if (r !== ch && [...r].length === 1) {
        out = r;
        break;
      }
    }
    folded.set(ch, out);
  }
  return out;
}

const SPACE = /[\s\u200b-\u200d\u2060\ufeff]/u;

export interface NormalisedText {
  text: string;
  /** For each UTF-16 unit of `text`, the offset in the original it came from. */
  originOf: number[];
}

export function normaliseWithOrigins(s: string): NormalisedText {
  let text = '';
  const originOf: number[] = [];
  let offset = 0;
  for (const ch of s) {
    const at = offset;
    offset += ch.length;
    // Fast paths (most of any text): ASCII and the CJK Unified Ideographs block, which NFKC and
    // lower-casing leave alone; the same result as the general path below, without its cost.
    const cp = ch.charCodeAt(0);
    if (cp < 0x80) {
      if (cp === 32 || (cp >= 9 && cp <= 13)) continue;
      text += cp >= 65 && cp <= 90 ? String.fromCharCode(cp + 32) : ch;
      originOf.push(at);
      continue;
    }
    if (cp >= 0x4e00 && cp <= 0x9fff) {
      const f = foldTraditional(ch);
      text += f;
      for (let i = 0; i < f.length; i++) originOf.push(at);
      continue;
    }
    for (const c of ch.normalize('NFKC').toLowerCase()) {
      if (SPACE.test(c)) continue;
      const f = foldTraditional(c);
      text += f;
      for (let i = 0; i < f.length; i++) originOf.push(at);
    }
  }
  return { text, originOf };
}

export function normaliseText(s: string): string {
  return normaliseWithOrigins(s).text;
}

/** Number of characters (code points) of a string, which is what query-length rules count. */
export const charCount = (s: string): number => [...s].length;
