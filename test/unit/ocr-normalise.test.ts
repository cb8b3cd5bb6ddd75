import { describe, expect, it } from 'vitest';
import { normaliseText, normaliseWithOrigins } from '../../electron/engine/ocr/normalise-text.ts';

describe('search normal form', () => {
  it('folds full-width forms, case and every kind of space', () => {
    expect(normaliseText('￥ＡＢＣ１２３')).toBe('¥abc123');
    expect(normaliseText('快递单号 SF123')).toBe('快递单号sf123');
    expect(normaliseText(' Hello\u3000World\u200b\t')).toBe('helloworld');
  });

  it('folds traditional characters (standard, Taiwan and Hong Kong forms) to simplified', () => {
    expect(normaliseText('營業時間')).toBe(normaliseText('营业时间'));
    expect(normaliseText('臺灣')).toBe('台湾');
    expect(normaliseText('頭髮')).toBe(normaliseText('头发'));
    expect(normaliseText('週末')).toBe('周末');
  });

  it('is character-wise, so the normal form of a substring is a substring of the normal form', () => {
    const texts = ['乾隆皇帝營業時間', '麥當勞(勝利路店) 合計 ￥35.50', 'Ｈｅｌｌｏ 世界 ㍿'];
    for (const t of texts) {
      const chars = [...t];
      for (let i = 0; i < chars.length; i++)
        for (let j = i + 1; j <= chars.length; j++) expect(normaliseText(t)).toContain(normaliseText(chars.slice(i, j).join('')));
    }
  });

  it('maps every normalised character back to where it came from in the original', () => {
    const s = '營業 時間 ＳＦ1';
    const { text, originOf } = normaliseWithOrigins(s);
    expect(text).toBe('营业时间sf1');
    expect(originOf).toEqual([0, 1, 3, 4, 6, 7, 8]);
    expect(normaliseWithOrigins('㍿').originOf).toEqual([0, 0, 0, 0]);
  });
});
