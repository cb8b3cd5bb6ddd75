/**
 * The Chinese-CLIP text tokenizer, reproducing `cn_clip.clip.tokenize` (BERT's FullTokenizer with
 * lower-casing) id for id: the text tower was trained on exactly these ids, so any "improvement"
 * (traditional→simplified, full-width folding, emoji names) would silently degrade search.
 * Pinned by test/unit/tokenizer.test.ts against ../shared/golden/tokenizer.json.
 *
 * The Python original iterates code points and asks `unicodedata` (Unicode 14) for categories;
 * we iterate code points too and correct Node's newer tables with ./unicode-tables.ts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CATEGORY_IN_UNICODE_14, isUnassignedInUnicode14 } from './unicode-tables.ts';

const DEFAULT_CONTEXT_LENGTH = 52;
/** BERT's WordpieceTokenizer.max_input_chars_per_word, counted in code points. */
const MAX_INPUT_CHARS_PER_WORD = 200;
/** The official tokenize() pads with torch.zeros, not with vocab['[PAD]'] (which is also 0). */
const PAD_ID = 0;

// Per-code-point facts, as bit flags so the hot loop does one Map lookup per character.
const CONTROL = 1; // BERT _is_control: Cc/Cf except \t \n \r; dropped by _clean_text
const BERT_SPACE = 2; // BERT _is_whitespace: ' ' \t \n \r or Zs; becomes ' ' in _clean_text
const PY_SPACE = 4; // Python str.isspace(): what str.split() (whitespace_tokenize) splits on
const PUNCT = 8; // BERT _is_punctuation: ASCII symbol ranges or category P*
const MARK = 16; // category Mn, removed by _run_strip_accents
const CJK = 32; // BERT _is_chinese_char: gets spaces around it
const INERT = 64; // unassigned in Unicode 14: Python never lowers or decomposes it

/** Python's str.isspace() set (Unicode 14; stable: no whitespace has been added since 6.3). */
const PYTHON_WHITESPACE = new Set([
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001,
  0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f,
  0x205f, 0x3000,
]);

/** BERT's CJK Unified Ideograph blocks, by range and regardless of assignment (Ext G excluded). */
const CJK_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x4e00, 0x9fff],
  [0x3400, 0x4dbf],
  [0x20000, 0x2a6df],
  [0x2a700, 0x2b73f],
  [0x2b740, 0x2b81f],
  [0x2b820, 0x2ceaf],
  [0xf900, 0xfaff],
  [0x2f800, 0x2fa1f],
];

const RE_PUNCT = /^\p{P}$/u;
const RE_MN = /^\p{Mn}$/u;
const RE_CONTROL = /^[\p{Cc}\p{Cf}]$/u;
const RE_ZS = /^\p{Zs}$/u;

function isAsciiPunct(cp: number): boolean {
  return (cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126);
}

function computeFlags(cp: number): number {
  let flags = 0;
  if (CJK_RANGES.some(([lo, hi]) => cp >= lo && cp <= hi)) flags |= CJK;
  if (PYTHON_WHITESPACE.has(cp)) flags |= PY_SPACE;
  if (cp === 0x20 || cp === 0x09 || cp === 0x0a || cp === 0x0d) return flags | BERT_SPACE;
  if (isAsciiPunct(cp)) flags |= PUNCT;
  // Lone surrogates (Python category Cs) behave like unassigned characters.
  if (isUnassignedInUnicode14(cp) || (cp >= 0xd800 && cp <= 0xdfff)) return flags | INERT;
  const ch = String.fromCodePoint(cp);
  const category14 = CATEGORY_IN_UNICODE_14.get(cp);
  if (category14 !== undefined) {
    if (category14.startsWith('P')) flags |= PUNCT;
    if (category14 === 'Mn') flags |= MARK;
    if (category14 === 'Cc' || category14 === 'Cf') flags |= CONTROL;
    if (category14 === 'Zs') flags |= BERT_SPACE;
    return flags;
  }
  if (RE_PUNCT.test(ch)) flags |= PUNCT;
  if (RE_MN.test(ch)) flags |= MARK;
  if (RE_CONTROL.test(ch)) flags |= CONTROL;
  if (RE_ZS.test(ch)) flags |= BERT_SPACE;
  return flags;
}

// ASCII is precomputed; everything else is memoised on first sight (queries reuse few characters).
const asciiFlags = Uint8Array.from({ length: 128 }, (_, cp) => computeFlags(cp));
const flagCache = new Map<number, number>();

function charFlags(cp: number): number {
  if (cp < 128) return asciiFlags[cp];
  let flags = flagCache.get(cp);
  if (flags === undefined) {
    flags = computeFlags(cp);
    flagCache.set(cp, flags);
  }
  return flags;
}

/** Python's str.strip() with no argument (vocab lines are stripped this way when loaded). */
function pythonStrip(s: string): string {
  // Whitespace is all in the BMP, so checking the end code units is exact (and spares 21k arrays).
  if (s === '' || (!PYTHON_WHITESPACE.has(s.charCodeAt(0)) && !PYTHON_WHITESPACE.has(s.charCodeAt(s.length - 1)))) {
    return s;
  }
  const cps = Array.from(s);
  let start = 0;
  let end = cps.length;
  while (start < end && PYTHON_WHITESPACE.has(cps[start].codePointAt(0)!)) start++;
  while (end > start && PYTHON_WHITESPACE.has(cps[end - 1].codePointAt(0)!)) end--;
  return cps.slice(start, end).join('');
}

/**
 * BasicTokenizer steps 1–3: _clean_text, _tokenize_chinese_chars and whitespace_tokenize, fused
 * into one pass. Controls are tested before whitespace, as in Python, so \x0b \x0c \x1c-\x1f \x85
 * vanish instead of separating words, while U+2028/2029 survive cleaning and then split.
 */
function splitWords(text: string): string[] {
  const words: string[] = [];
  let current = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp === 0 || cp === 0xfffd) continue;
    const flags = charFlags(cp);
    if (flags & CONTROL) continue;
    if (flags & (BERT_SPACE | PY_SPACE)) {
      if (current) words.push(current);
      current = '';
    } else if (flags & CJK) {
      if (current) words.push(current);
      words.push(ch);
      current = '';
    } else {
      current += ch;
    }
  }
  if (current) words.push(current);
  return words;
}

/**
 * token.lower() then NFD then drop Mn. Characters unassigned in Unicode 14 are kept verbatim by
 * lowering/normalising only the runs between them; in Python they are neither cased nor
 * case-ignorable and have combining class 0, so they already cut Final_Sigma context and canonical
 * reordering at the same places.
 */
function lowerAndStripAccents(word: string): string {
  let ascii = true;
  for (let i = 0; i < word.length; i++) {
    if (word.charCodeAt(i) >= 128) {
      ascii = false;
      break;
    }
  }
  if (ascii) return word.toLowerCase();

  let normalised = '';
  let run = '';
  for (const ch of word) {
    if (charFlags(ch.codePointAt(0)!) & INERT) {
      normalised += run.toLowerCase().normalize('NFD') + ch;
      run = '';
    } else {
      run += ch;
    }
  }
  normalised += run.toLowerCase().normalize('NFD');

  let out = '';
  for (const ch of normalised) if (!(charFlags(ch.codePointAt(0)!) & MARK)) out += ch;
  return out;
}

/** _run_split_on_punc, plus the second whitespace_tokenize that drops empty pieces. */
function splitOnPunctuation(word: string, out: string[]): void {
  let current = '';
  for (const ch of word) {
    const flags = charFlags(ch.codePointAt(0)!);
    if (flags & (PUNCT | PY_SPACE)) {
      if (current) out.push(current);
      current = '';
      if (flags & PUNCT) out.push(ch);
    } else {
      current += ch;
    }
  }
  if (current) out.push(current);
}

export interface TokenizerOptions {
  contextLength?: number;
}

export class ChineseClipTokenizer {
  readonly contextLength: number;
  readonly vocabSize: number;
  private readonly ids: Map<string, number>;
  /**
   * Longest word-initial and `##` entry, in code points, per first character: longer candidates
   * cannot match, so the greedy search starts there instead of at the word's end. Same result as
   * the Python loop, but a 200-character word costs a few hundred lookups, not thousands.
   */
  private readonly maxInitialChars = new Map<string, number>();
  private readonly maxContinuationChars = new Map<string, number>();
  private readonly clsId: number;
  private readonly sepId: number;

  /** Reads vocab.txt synchronously; id = line index, lines split like Python's text mode. */
  static fromVocabFile(vocabPath: string, opts?: TokenizerOptions): ChineseClipTokenizer {
    const lines = readFileSync(vocabPath, 'utf8').split(/\r\n|\r|\n/);
    if (lines.at(-1) === '') lines.pop();
    return new ChineseClipTokenizer(lines, opts);
  }

  constructor(vocab: string[], opts: TokenizerOptions = {}) {
    const contextLength = opts.contextLength ?? DEFAULT_CONTEXT_LENGTH;
    if (!Number.isInteger(contextLength) || contextLength < 2) {
      throw new RangeError(`contextLength must be an integer >= 2, got ${contextLength}`);
    }
    this.contextLength = contextLength;
    this.vocabSize = vocab.length;
    // Python's load_vocab strips every line and lets a later duplicate win; mirror both.
    this.ids = new Map();
    vocab.forEach((line, id) => {
      const token = pythonStrip(line);
      this.ids.set(token, id);
      const continuation = token.startsWith('##');
      const chars = Array.from(continuation ? token.slice(2) : token);
      if (chars.length === 0) return;
      const bounds = continuation ? this.maxContinuationChars : this.maxInitialChars;
      bounds.set(chars[0], Math.max(bounds.get(chars[0]) ?? 0, chars.length));
    });
    this.clsId = this.requireId('[CLS]');
    this.sepId = this.requireId('[SEP]');
    this.requireId('[UNK]');
  }

  tokenize(text: string): string[] {
    const pieces: string[] = [];
    for (const word of splitWords(text)) splitOnPunctuation(lowerAndStripAccents(word), pieces);
    const tokens: string[] = [];
    for (const piece of pieces) this.wordPiece(piece, tokens);
    return tokens;
  }

  encode(text: string): number[] {
    const content = this.tokenize(text)
      .slice(0, this.contextLength - 2)
      .map((token) => this.ids.get(token)!);
    const ids = [this.clsId, ...content, this.sepId];
    while (ids.length < this.contextLength) ids.push(PAD_ID);
    return ids;
  }

  encodeBatch(texts: string[]): number[][] {
    return texts.map((text) => this.encode(text));
  }

  static attentionMask(ids: number[]): number[] {
    return ids.map((id) => (id !== PAD_ID ? 1 : 0));
  }

  /** Greedy longest-match-first WordPiece; a word with any unmatched remainder is one [UNK]. */
  private wordPiece(word: string, out: string[]): void {
    if (this.ids.has(word)) {
      out.push(word);
      return;
    }
    // UTF-16 offsets of each code point, so candidates are slices rather than joins.
    const offsets: number[] = [];
    for (let i = 0; i < word.length; i++) {
      offsets.push(i);
      const unit = word.charCodeAt(i);
      if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < word.length) {
        const next = word.charCodeAt(i + 1);
        if (next >= 0xdc00 && next <= 0xdfff) i++;
      }
    }
    const count = offsets.length;
    offsets.push(word.length);
    if (count > MAX_INPUT_CHARS_PER_WORD) {
      out.push('[UNK]');
      return;
    }
    const pieces: string[] = [];
    let start = 0;
    while (start < count) {
      let match: string | undefined;
      const bounds = start > 0 ? this.maxContinuationChars : this.maxInitialChars;
      const first = word.slice(offsets[start], offsets[start + 1]);
      let end = Math.min(count, start + (bounds.get(first) ?? 0));
      for (; end > start; end--) {
        const candidate = (start > 0 ? '##' : '') + word.slice(offsets[start], offsets[end]);
        if (this.ids.has(candidate)) {
          match = candidate;
          break;
        }
      }
      if (match === undefined) {
        out.push('[UNK]');
        return;
      }
      pieces.push(match);
      start = end;
    }
    out.push(...pieces);
  }

  private requireId(token: string): number {
    const id = this.ids.get(token);
    if (id === undefined) throw new Error(`vocabulary has no ${token} token`);
    return id;
  }
}

/**
 * resources/vocab.txt of the repo, found from this file's location (electron/engine/ml). A packaged
 * app, where bundling moves this module, points SHIGUANG_RESOURCES at its resources directory.
 */
export function defaultVocabPath(): string {
  const resources = process.env.SHIGUANG_RESOURCES;
  if (resources) return path.join(resources, 'vocab.txt');
  return fileURLToPath(new URL('../../../resources/vocab.txt', import.meta.url));
}
