/**
 * Query understanding on ≥ 300 phrasings (query-phrasings.ts): hand-written ones, and time × place
 * × content put together the ways people type them. Every phrasing must be read exactly as written
 * there, except at most 3% (printed when they fail) — the parser's accuracy on its own phrasings,
 * reported in docs/decisions/when-where.md.
 */
import { describe, expect, it } from 'vitest';
import { parseQuery } from '../../electron/engine/query/parse-query.ts';
import { Calendar } from '../../electron/engine/query/calendar.ts';
import { Gazetteer } from '../../electron/engine/places/gazetteer.ts';
import { PlaceNameMatcher } from '../../electron/engine/places/place-names.ts';
import type { ParsedQuery } from '../../electron/engine/query/types.ts';
import { CONTENTS, HAND, LIBRARY_PLACES, NOW, PLACES, TEMPLATES, TIMES, type Expect } from './query-phrasings.ts';

const places = PlaceNameMatcher.fromGazetteer(Gazetteer.load(), LIBRARY_PLACES);
const cal = new Calendar('Asia/Shanghai');
const day = (ms: number | null): string => {
  if (ms === null) return '-';
  const d = cal.ymdOf(ms);
  return `${d.y}-${String(d.m).padStart(2, '0')}-${String(d.d).padStart(2, '0')}`;
};
const parse = (q: string): ParsedQuery => parseQuery(q, { now: NOW, timeZone: 'Asia/Shanghai', places });

/** The differences between a reading and what was expected ('' when it is right). */
export function differences(r: ParsedQuery, e: Expect): string {
  const d: string[] = [];
  // '-' for an open side: 2020年以前 is "-..2020-01-01", 2019年以后 "2019-01-01..-".
  const ranged = r.time !== null && (r.time.start !== null || (r.time.end !== null && !r.time.monthDay));
  const t = ranged ? `${day(r.time!.start)}..${day(r.time!.end)}` : undefined;
  if (t !== e.t) d.push(`time ${t} ≠ ${e.t}`);
  const h = r.time?.hours ? `${r.time.hours.from}-${r.time.hours.to}` : undefined;
  if (h !== e.h) d.push(`hours ${h} ≠ ${e.h}`);
  const w = r.time?.weekdays?.join(',');
  if (w !== e.w) d.push(`weekdays ${w} ≠ ${e.w}`);
  const md = r.time?.monthDay ? `${r.time.monthDay.month}-${r.time.monthDay.day}` : undefined;
  if (md !== e.md) d.push(`monthDay ${md} ≠ ${e.md}`);
  if (md && r.time?.end !== NOW - 12 * 3_600_000) d.push(`this day in earlier years must end at today's start, not ${r.time?.end}`);
  if (e.p ? !r.place?.ids.includes(e.p) : r.place) d.push(`place ${r.place?.ids.join(',')} ≠ ${e.p}`);
  if ((r.kind ?? undefined) !== e.k) d.push(`kind ${r.kind} ≠ ${e.k}`);
  if (e.c ? !r.camera?.makes.includes(e.c) : r.camera) d.push(`camera ${r.camera?.makes.join(',')} ≠ ${e.c}`);
  if (r.remainder !== (e.r ?? '')) d.push(`remainder «${r.remainder}» ≠ «${e.r ?? ''}»`);
  return d.join('; ');
}

function mixed(): [string, Expect][] {
  const out: [string, Expect][] = [];
  let n = 0;
  for (const [t, te] of TIMES) for (const [p, pe] of PLACES) for (const c of CONTENTS) for (const tpl of TEMPLATES) {
    if (n++ % 11 !== 0) continue; // a fixed, spread-out sample of the combinations
    out.push([tpl.replace('{t}', t).replace('{p}', p).replace('{c}', c), { ...te, ...pe, r: c }]);
  }
  return out;
}

describe('query understanding', () => {
  const cases = [...HAND, ...mixed()];

  it('reads ≥ 300 phrasings as a person means them (≥ 97% exactly)', () => {
    const misses = cases.map(([q, e]) => [q, differences(parse(q), e)] as const).filter(([, d]) => d);
    if (misses.length) console.log(`misses (${misses.length}/${cases.length}):\n${misses.map(([q, d]) => `  ${q}: ${d}`).join('\n')}`);
    expect(cases.length).toBeGreaterThanOrEqual(300);
    expect(1 - misses.length / cases.length).toBeGreaterThanOrEqual(0.97);
  });

  it('reads every lunar-month phrasing exactly (农历三月, 阴历八月十五, 冬月, 腊月: no misses allowed)', () => {
    const lunar = HAND.filter(([q]) => /农历|阴历|冬月|腊月|正月/.test(q));
    expect(lunar.length).toBeGreaterThanOrEqual(15);
    expect(lunar.map(([q, e]) => [q, differences(parse(q), e)]).filter(([, d]) => d)).toEqual([]);
    const r = parse('农历三月的桃花');
    expect(r.time?.label).toBe('农历三月');
    expect(r.spans.map((x) => [x.what, x.text])).toEqual([['time', '农历三月']]);
  });

  it('reads every weekend phrasing exactly (上周末 is a weekend, 周末 alone every one: no misses allowed)', () => {
    const weekends = HAND.filter(([q]) => /周末|工作日|今天|今日/.test(q));
    expect(weekends.length).toBeGreaterThanOrEqual(10);
    expect(weekends.map(([q, e]) => [q, differences(parse(q), e)]).filter(([, d]) => d)).toEqual([]);
  });

  it('reads every part of a year or month exactly (年初, 去年底, 十月底, 三月中旬, 月底: no misses allowed)', () => {
    const parts = HAND.filter(([q]) => /[初底中旬]|半年/.test(q) && !/农历|阴历|冬月|腊月|正月|中秋/.test(q));
    expect(parts.length).toBeGreaterThanOrEqual(20);
    expect(parts.map(([q, e]) => [q, differences(parse(q), e)]).filter(([, d]) => d)).toEqual([]);
  });

  it('reads every time left open on one side exactly (2020年以前, 2019年之后, 去年以来, 春节前: no misses allowed)', () => {
    const open = HAND.filter(([q]) => /以前|之后|以来|以后|节前|年前往/.test(q));
    expect(open.length).toBeGreaterThanOrEqual(7);
    expect(open.map(([q, e]) => [q, differences(parse(q), e)]).filter(([, d]) => d)).toEqual([]);
  });

  it('reports where each understood part is in the original query', () => {
    const q = '去年冬天在哈尔滨看冰雕的照片';
    const r = parse(q);
    expect(r.spans.map((s) => [s.what, s.text, q.slice(s.start, s.end)])).toEqual([
      ['time', '去年冬天', '去年冬天'],
      ['place', '哈尔滨', '哈尔滨'],
    ]);
    expect(r.time?.label).toBe('去年冬天');
    const wide = parse('２０１９年５月１日　西安');
    expect(wide.spans.map((s) => s.text)).toEqual(['２０１９年５月１日', '西安']);
  });

  it('knows a place only where the library has photos', () => {
    const without = parseQuery('在朝阳拍的日出', { now: NOW, timeZone: 'Asia/Shanghai', places: PlaceNameMatcher.fromGazetteer(Gazetteer.load(), ['CN-610113']) });
    expect(without.place).toBeNull();
    expect(without.remainder).toBe('朝阳拍的日出'); // 朝阳 stays a word for the picture
    expect(parseQuery('西安', { now: NOW, timeZone: 'Asia/Shanghai' }).place).toBeNull(); // no places given
  });

  it('counts days in the zone it is given', () => {
    const shanghai = parseQuery('2019年5月1日', { now: NOW, timeZone: 'Asia/Shanghai' }).time!;
    const utc = parseQuery('2019年5月1日', { now: NOW, timeZone: 'UTC' }).time!;
    expect(shanghai.start).toBe(Date.parse('2019-05-01T00:00:00+08:00'));
    expect(utc.start).toBe(Date.parse('2019-05-01T00:00:00Z'));
    expect(utc.end! - utc.start!).toBe(86_400_000);
    // A day with a DST change is 23 hours long.
    const ny = parseQuery('2024年3月10日', { now: NOW, timeZone: 'America/New_York' }).time!;
    expect(ny.end! - ny.start!).toBe(23 * 3_600_000);
  });

  it('leaves an empty query and a query with nothing understood alone', () => {
    expect(parse('')).toEqual({ time: null, place: null, kind: null, camera: null, remainder: '', spans: [] });
    expect(parse('   ').remainder).toBe('');
    expect(parse('一只橘猫').remainder).toBe('一只橘猫');
  });
});
