import { describe, expect, it } from 'vitest';
import {
  baseName,
  formatBytes,
  formatClock,
  momentText,
  formatDuration,
  formatEta,
  formatScore,
  formatTakenAt,
  progressPercent,
} from '../../renderer/src/lib/format.ts';
import { fill, messages, pickInitialLang, translate } from '../../renderer/src/lib/messages.ts';

describe('renderer formatting', () => {
  it('formats byte sizes 1024-based', () => {
    expect(formatBytes(512, 'en')).toBe('512 B');
    expect(formatBytes(1536, 'en')).toBe('1.5 KB');
    expect(formatBytes(3 * 1024 * 1024, 'zh-CN')).toBe('3.0 MB');
    expect(formatBytes(-1, 'en')).toBe('—');
  });

  it('formats durations with at most two units', () => {
    expect(formatDuration(45, 'zh-CN')).toBe('45 秒');
    expect(formatDuration(200, 'zh-CN')).toBe('3 分 20 秒');
    expect(formatDuration(3900, 'zh-CN')).toBe('1 小时 5 分');
    expect(formatDuration(120, 'en')).toBe('2 min');
    expect(formatDuration(-3, 'en')).toBe('0 s');
  });

  it('an ETA while work remains is never 0 seconds (issue 22: "剩余约 0 秒" with 30 photos left)', () => {
    expect(formatEta(0, 'zh-CN')).toBe('1 秒');
    expect(formatEta(0.4, 'zh-CN')).toBe('1 秒');
    expect(formatEta(4.2, 'zh-CN')).toBe('5 秒');
    expect(formatEta(200, 'en')).toBe('3 min 20 s');
  });

  it('reports 100% only when everything is done', () => {
    expect(progressPercent(0, 0)).toBe(0);
    expect(progressPercent(999, 1000)).toBe(99);
    expect(progressPercent(1000, 1000)).toBe(100);
    expect(progressPercent(1, 3)).toBe(33);
  });

  it('shows EXIF times as written, not shifted by the time zone', () => {
    expect(formatTakenAt('2024-05-01T23:30:00', 'en')).toMatch(/May 1, 2024.*23:30/);
    expect(formatTakenAt('2024-05-01', 'zh-CN')).toBe('2024年5月1日');
    expect(formatTakenAt(null, 'en')).toBeNull();
    expect(formatTakenAt('garbage', 'en')).toBe('garbage');
  });

  it('a video moment or length as players show it', () => {
    expect(formatClock(0)).toBe('0:00');
    expect(formatClock(7.9)).toBe('0:07');
    // A tile's moment: one time for a clip under a second (not "0:00–0:00").
    expect(momentText(3, 7.2)).toBe('0:03–0:07');
    expect(momentText(0, 0.1)).toBe('0:00');
    expect(formatClock(725)).toBe('12:05');
    expect(formatClock(3723)).toBe('1:02:03');
    expect(formatClock(null)).toBe('0:00');
    expect(formatClock(Number.NaN)).toBe('0:00');
  });

  it('scores have two decimals', () => {
    expect(formatScore(0.3149)).toBe('0.31');
    expect(formatScore(-0.05)).toBe('-0.05');
  });

  it('baseName handles both separators and trailing slashes', () => {
    expect(baseName('/home/me/Pictures/')).toBe('Pictures');
    expect(baseName('C:\\Users\\me\\照片')).toBe('照片');
    expect(baseName('photo.jpg')).toBe('photo.jpg');
  });
});

describe('renderer messages', () => {
  it('every English string keeps the placeholders of its Chinese original', () => {
    const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(messages['zh-CN']) as (keyof (typeof messages)['zh-CN'])[]) {
      expect(placeholders(messages.en[key]), key).toEqual(placeholders(messages['zh-CN'][key]));
      expect(messages.en[key].length, key).toBeGreaterThan(0);
    }
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(fill('{name}，相似度 {score}', { name: 'a.jpg', score: '0.31' })).toBe('a.jpg，相似度 0.31');
    expect(fill('{missing}', {})).toBe('{missing}');
    expect(translate('zh-CN', 'hit.label', { name: 'n01440764_tench.JPEG', score: '0.31' })).toBe('n01440764_tench.JPEG，相似度 0.31');
  });

  it('defaults to Chinese unless English was chosen', () => {
    expect(pickInitialLang(null)).toBe('zh-CN');
    expect(pickInitialLang('fr')).toBe('zh-CN');
    expect(pickInitialLang('en')).toBe('en');
  });
});
