import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ChineseClipTokenizer, defaultVocabPath } from '../../electron/engine/ml/tokenizer.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const goldenPath = path.resolve(repoRoot, '../shared/golden/tokenizer.json');

interface GoldenCase {
  text: string;
  category: string;
  tokens: string[];
  ids: number[];
}
const golden = JSON.parse(readFileSync(goldenPath, 'utf8')) as {
  context_length: number;
  cases: GoldenCase[];
};

const tokenizer = ChineseClipTokenizer.fromVocabFile(defaultVocabPath());
const CLS = 101;
const SEP = 102;
const UNK = 100;

/** Readable label: escapes controls and shortens long inputs. */
function label(c: GoldenCase, index: number): string {
  const shown = JSON.stringify(c.text.length > 40 ? `${c.text.slice(0, 40)}…` : c.text);
  return `#${index} [${c.category}] ${shown}`;
}

describe('ChineseClipTokenizer vs official goldens', () => {
  it('loads the whole vocabulary and uses the golden context length', () => {
    expect(tokenizer.vocabSize).toBe(21128);
    expect(tokenizer.contextLength).toBe(golden.context_length);
    expect(golden.cases.length).toBeGreaterThan(100);
  });

  golden.cases.forEach((c, index) => {
    it(`ids ${label(c, index)}`, () => {
      expect(tokenizer.encode(c.text)).toEqual(c.ids);
    });
    // The golden token lists stop where the ids do: at contextLength - 2 pieces.
    it(`tokens ${label(c, index)}`, () => {
      const tokens = tokenizer.tokenize(c.text);
      expect(tokens.slice(0, golden.context_length - 2)).toEqual(c.tokens);
    });
  });

  it('encodeBatch equals encode per text, in order', () => {
    const texts = golden.cases.map((c) => c.text);
    expect(tokenizer.encodeBatch(texts)).toEqual(golden.cases.map((c) => c.ids));
  });
});

describe('ChineseClipTokenizer framing', () => {
  it('wraps ids in [CLS] … [SEP] and pads with 0', () => {
    const ids = tokenizer.encode('猫和狗');
    expect(ids).toHaveLength(52);
    expect(ids[0]).toBe(CLS);
    const sep = ids.indexOf(SEP);
    expect(sep).toBe(4);
    expect(ids.slice(sep + 1).every((id) => id === 0)).toBe(true);
    expect(ids.slice(1, sep).every((id) => id > SEP)).toBe(true);
  });

  it('encodes the empty string as [CLS][SEP] and padding', () => {
    expect(tokenizer.tokenize('')).toEqual([]);
    expect(tokenizer.encode('')).toEqual([CLS, SEP, ...new Array(50).fill(0)]);
  });

  it('truncates the content to contextLength - 2 and always ends with [SEP]', () => {
    const text = '山'.repeat(80);
    expect(tokenizer.tokenize(text)).toHaveLength(80);
    const ids = tokenizer.encode(text);
    expect(ids).toHaveLength(52);
    expect(ids[51]).toBe(SEP);
    expect(ids.slice(1, 51).every((id) => id === ids[1] && id !== 0)).toBe(true);
  });

  it('honours a custom context length', () => {
    const short = ChineseClipTokenizer.fromVocabFile(defaultVocabPath(), { contextLength: 5 });
    const ids = short.encode('一二三四五六');
    expect(ids).toHaveLength(5);
    expect(ids[0]).toBe(CLS);
    expect(ids[4]).toBe(SEP);
    expect(ids.slice(1, 4)).toEqual(tokenizer.encode('一二三').slice(1, 4));
    expect(() => new ChineseClipTokenizer(['[CLS]', '[SEP]', '[UNK]'], { contextLength: 1 })).toThrow();
  });

  it('builds a mask that is 1 exactly where the id is not padding', () => {
    const ids = tokenizer.encode('海边的日落');
    const mask = ChineseClipTokenizer.attentionMask(ids);
    expect(mask.slice(0, 7)).toEqual([1, 1, 1, 1, 1, 1, 1]);
    expect(mask.slice(7).every((m) => m === 0)).toBe(true);
    expect(mask).toHaveLength(52);
  });
});

describe('ChineseClipTokenizer word limits', () => {
  it('turns a word of 201 code points into one [UNK] but splits a word of 200', () => {
    expect(tokenizer.tokenize('a'.repeat(201))).toEqual(['[UNK]']);
    expect(tokenizer.encode('a'.repeat(201)).slice(0, 3)).toEqual([CLS, UNK, SEP]);
    const at200 = tokenizer.tokenize('a'.repeat(200));
    expect(at200.length).toBeGreaterThan(1);
    expect(at200.join('').replaceAll('#', '')).toBe('a'.repeat(200));
  });

  it('counts code points, not UTF-16 units, for astral characters', () => {
    // 150 emoji = 300 UTF-16 units but 150 code points: under the limit, so not one [UNK].
    const tokens = tokenizer.tokenize('😂'.repeat(150));
    expect(tokens).toHaveLength(150);
    expect(tokens[0]).toBe('😂');
    expect(tokens[1]).toBe('##😂');
    expect(tokenizer.tokenize('😂'.repeat(201))).toEqual(['[UNK]']);
  });

  it('returns a word that misses at any position as a single [UNK]', () => {
    expect(tokenizer.tokenize('dog🐕')).toEqual(['[UNK]']);
    expect(tokenizer.tokenize('dog 🐕')).toEqual(['dog', '[UNK]']);
  });
});

/**
 * Characters whose Unicode data changed after 14.0 (the goldens' version). Expected tokens come from
 * the official BasicTokenizer/WordPiece code run under Python 3 with unicodedata 14.0; Node's own
 * (newer) tables give a different answer for each of these, so they pin ./unicode-tables.ts.
 */
describe('ChineseClipTokenizer follows Unicode 14 where Node is newer', () => {
  const cases: Array<[string, string, string[]]> = [
    ['U+1171E was Mn in 14 (Mc now): stripped as an accent', 'a\u{1171E}b', ['ab']],
    ['U+1E5FF (punctuation since 16) was unassigned: part of the word', 'x\u{1E5FF}y', ['[UNK]']],
    ['U+1B4E (punctuation since 16) was unassigned', 'x\u1b4e', ['[UNK]']],
    ['U+0897 (Mn since 16) was unassigned: not stripped', 'e\u0897', ['[UNK]']],
    ['U+13439 (Cf since 15) was unassigned: not removed as a control', 'ab\u{13439}cd', ['[UNK]']],
  ];
  it.each(cases)('%s', (_why, text, expected) => {
    expect(tokenizer.tokenize(text)).toEqual(expected);
  });
});

describe('ChineseClipTokenizer Python quirks', () => {
  it('lower-cases whole words, so a word-final capital sigma becomes ς', () => {
    expect(tokenizer.tokenize('ΣΑΣ ΣΑΣΑ')).toEqual(['σ', '##α', '##ς', 'σ', '##α', '##σ', '##α']);
  });

  it('drops controls such as \\v without splitting, but splits on U+2028', () => {
    expect(tokenizer.tokenize('a\u000bb')).toEqual(['ab']);
    expect(tokenizer.tokenize('a\u2028b')).toEqual(['a', 'b']);
  });

  it('strips accents after NFD, including the dot of İ and Greek breathings', () => {
    expect(tokenizer.tokenize('İstanbul')).toEqual(['is', '##tan', '##bu', '##l']);
    expect(tokenizer.tokenize('Ἀθῆναι')).toEqual(['α', '##θ', '##η', '##ν', '##α', '##ι']);
    expect(tokenizer.tokenize('\u3099')).toEqual([]);
  });
});

describe('ChineseClipTokenizer vocabulary handling', () => {
  it('strips vocab lines like Python and lets a later duplicate win', () => {
    const vocab = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', ' cat ', 'dog', 'cat'];
    const tiny = new ChineseClipTokenizer(vocab, { contextLength: 6 });
    expect(tiny.vocabSize).toBe(7);
    expect(tiny.encode('cat dog')).toEqual([2, 6, 5, 3, 0, 0]);
  });

  it('refuses a vocabulary without the special tokens', () => {
    expect(() => new ChineseClipTokenizer(['a', 'b'])).toThrow(/\[CLS\]/);
  });
});

describe('defaultVocabPath', () => {
  const saved = process.env.SHIGUANG_RESOURCES;
  afterEach(() => {
    if (saved === undefined) delete process.env.SHIGUANG_RESOURCES;
    else process.env.SHIGUANG_RESOURCES = saved;
  });

  it('points at resources/vocab.txt of the repo', () => {
    delete process.env.SHIGUANG_RESOURCES;
    expect(defaultVocabPath()).toBe(path.join(repoRoot, 'resources', 'vocab.txt'));
  });

  it('follows SHIGUANG_RESOURCES when set', () => {
    process.env.SHIGUANG_RESOURCES = path.join(path.sep, 'opt', 'shiguang', 'resources');
    expect(defaultVocabPath()).toBe(path.join(path.sep, 'opt', 'shiguang', 'resources', 'vocab.txt'));
  });
});
