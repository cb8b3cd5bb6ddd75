/**
 * A query as the search uses it (query/query-reader.ts): the reading the API reports, the photo
 * filter for what was understood, the words left; pieces kept as plain words (a removed chip);
 * landmarks shown but not filtered on.
 */
process.env.TZ = 'Asia/Shanghai';
import { describe, expect, it } from 'vitest';
import { Gazetteer } from '../../electron/engine/places/gazetteer.ts';
import { PlaceNameMatcher } from '../../electron/engine/places/place-names.ts';
import { localIso, QueryReader } from '../../electron/engine/query/query-reader.ts';
import { LIBRARY_PLACES, NOW } from './query-phrasings.ts';

const g = Gazetteer.load();
const matcher = PlaceNameMatcher.fromGazetteer(g, LIBRARY_PLACES);
const reader = new QueryReader({
  places: () => matcher,
  describePlace: (id) => {
    const p = g.byId(id);
    return p ? { id: p.id, level: p.level, name: p.name } : null;
  },
  now: () => NOW,
});

describe('query reader', () => {
  it('time, place and words: the reading, the filter and what is searched', () => {
    const r = reader.read('前年冬天在哈尔滨看冰雕');
    expect(r.words).toBe('冰雕');
    expect(r.filter).toEqual({ taken: { from: Date.parse('2024-12-01T00:00:00+08:00'), to: Date.parse('2025-03-01T00:00:00+08:00') }, place: ['CN-230100'] });
    expect(r.reading.time).toEqual({ from: '2024-12-01T00:00:00+08:00', to: '2025-03-01T00:00:00+08:00', label: '前年冬天' });
    expect(r.reading.place).toEqual({ name: '哈尔滨', level: 'city', places: [{ id: 'CN-230100', level: 'city', name: '哈尔滨市' }], source: 'name' });
    expect(r.reading.spans.map((s) => [s.start, s.end, s.what])).toEqual([
      [0, 4, 'time'],
      [5, 8, 'place'],
    ]);
  });

  it('kind, camera and hours become filter fields', () => {
    expect(reader.read('上周的截图').filter).toEqual({ taken: { from: Date.parse('2026-11-23T00:00:00+08:00'), to: Date.parse('2026-11-30T00:00:00+08:00') }, kind: 'screenshot' });
    expect(reader.read('用iPhone拍的').filter).toEqual({ camera: { makes: ['Apple'], model: 'iPhone' } });
    expect(reader.read('晚上拍的烟花')).toMatchObject({ words: '烟花', filter: { taken: { hours: { from: 18, to: 24 } } } });
    expect(reader.read('那年今日').filter).toEqual({ taken: { to: Date.parse('2026-12-06T00:00:00+08:00'), monthDay: { month: 12, day: 6 } } });
    const weekend = reader.read('周末晚上的烧烤');
    expect(weekend).toMatchObject({ words: '烧烤', filter: { taken: { hours: { from: 18, to: 24 }, weekdays: [6, 7] } } });
    expect(weekend.reading.time).toEqual({ from: null, to: null, label: '周末晚上', hours: { from: 18, to: 24 }, weekdays: [6, 7] });
  });

  it('a landmark is shown with its place but stays a word and does not narrow to the place', () => {
    const r = reader.read('兵马俑');
    expect(r.reading.place).toMatchObject({ name: '兵马俑', source: 'landmark' });
    expect(r.filter).toEqual({});
    expect(r.words).toBe('兵马俑');
  });

  it('pieces kept as plain words are not understood and stay in the words', () => {
    const q = '前年冬天在哈尔滨看冰雕';
    expect(reader.read(q, [{ start: 5, end: 8 }])).toMatchObject({ words: '哈尔滨 冰雕', filter: { taken: {} }, reading: { place: null } });
    const noTime = reader.read(q, [{ start: 0, end: 4 }]);
    expect(noTime.reading.time).toBeNull();
    expect(noTime.filter).toEqual({ place: ['CN-230100'] });
    expect(noTime.words).toBe('前年冬天 冰雕');
    expect(reader.read('上周的截图', [{ start: 3, end: 5 }])).toMatchObject({ words: '截图', filter: { taken: {} } });
    expect(reader.read('上周的截图', [{ start: 3, end: 5 }]).filter.kind).toBeUndefined();
  });

  it('a time that has not begun is words: no photo was taken then (明天开会 is a chat line)', () => {
    // Kept as words (a piece of its own, like a removed chip); the text search joins them again (its normal form has no spaces).
    expect(reader.read('明天开会')).toMatchObject({ words: '明天 开会', filter: {}, reading: { time: null, spans: [] } });
    expect(reader.read('下周的会议')).toMatchObject({ words: '下周 会议', filter: {} });
    expect(reader.read('下周末的聚会')).toMatchObject({ words: '下周末 聚会', filter: {} });
    // This winter has begun (6 December): it narrows.
    expect(reader.read('今年冬天').filter.taken).toEqual({ from: Date.parse('2026-12-01T00:00:00+08:00'), to: Date.parse('2027-03-01T00:00:00+08:00') });
  });

  it('local ISO times carry the offset', () => {
    expect(localIso(Date.parse('2024-12-01T00:00:00+08:00'))).toBe('2024-12-01T00:00:00+08:00');
    expect(localIso(null)).toBeNull();
  });
});
