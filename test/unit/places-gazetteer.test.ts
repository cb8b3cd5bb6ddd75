/**
 * The shipped gazetteer against another project's places (test/fixtures/geo/README.md): which
 * province, city and district a point lies in, as GeoToolCN's boundaries say. The thresholds sit
 * just under what was measured (docs/decisions/when-where.md), so a regression in the data or the
 * lookup fails here; they are not claims of exactness at borders.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Gazetteer } from '../../electron/engine/places/gazetteer.ts';
import { GazetteerFormatError, decodeGazetteer } from '../../electron/engine/places/gazetteer-format.ts';
import { PlaceNameMatcher, placesInFolder } from '../../electron/engine/places/place-names.ts';

const g = Gazetteer.load();
const cityPoints = JSON.parse(fs.readFileSync('test/fixtures/geo/geotoolcn-city-points.json', 'utf8')).points as [number, number, string, string][];
const sample = JSON.parse(fs.readFileSync('test/fixtures/geo/geotoolcn-reverse-sample.json', 'utf8')) as { representative: [number, number, string][]; uniform: [number, number, string | null][] };
const MUNICIPALITIES = ['11', '12', '31', '50'];

describe('reverse geocoding against GeoToolCN', () => {
  it('puts points inside Chinese cities in the right province (≥ 98%) and city (≥ 80%)', () => {
    let province = 0;
    let city = 0;
    for (const [lat, lon, prov, cityCode] of cityPoints) {
      const r = g.lookup(lat, lon);
      if (r?.province?.id === `CN-${prov}`) province++;
      // Municipalities: GeoToolCN's city is the whole municipality, ours is too (one city per municipality, or two for 重庆).
      if (r?.city?.id === `CN-${cityCode}` || (MUNICIPALITIES.includes(cityCode.slice(0, 2)) && r?.province?.id === `CN-${prov}`)) city++;
    }
    expect(cityPoints.length).toBeGreaterThan(1000);
    expect(province / cityPoints.length).toBeGreaterThanOrEqual(0.98);
    expect(city / cityPoints.length).toBeGreaterThanOrEqual(0.8);
  });

  it('finds the district of districts\' representative points (≥ 65%) and their city (all)', () => {
    let district = 0;
    let city = 0;
    for (const [lat, lon, code] of sample.representative) {
      const r = g.lookup(lat, lon);
      if (r?.district?.id === `CN-${code}`) district++;
      if (r?.city?.id.slice(0, 7) === `CN-${code.slice(0, 4)}`) city++;
    }
    expect(district / sample.representative.length).toBeGreaterThanOrEqual(0.65);
    expect(city).toBe(sample.representative.length);
  });

  it('puts random points in China in the right city (≥ 80%) and never puts a point outside China in China', () => {
    const inside = sample.uniform.filter((u) => u[2] !== null);
    const outside = sample.uniform.filter((u) => u[2] === null);
    const rightCity = inside.filter(([lat, lon, code]) => g.lookup(lat, lon)?.city?.id.slice(0, 7) === `CN-${code!.slice(0, 4)}`).length;
    expect(rightCity / inside.length).toBeGreaterThanOrEqual(0.8);
    for (const [lat, lon] of outside) expect(g.lookup(lat, lon)?.country.id ?? 'sea').not.toBe('CN');
  });
});

describe('places and names', () => {
  it('names every level in Chinese, outside China too', () => {
    const tokyo = g.lookup(35.6895, 139.69171)!;
    expect([tokyo.country.name, tokyo.province?.name, tokyo.city?.name]).toEqual(['日本', '东京', '东京']);
    const paris = g.lookup(48.8584, 2.2945)!; // at the Eiffel Tower: the city, not the suburb next to it
    expect([paris.country.name, paris.city?.name]).toEqual(['法国', '巴黎']);
    expect(g.lookup(30, 125)).toBeNull(); // East China Sea
    expect(g.lookup(Number.NaN, 0)).toBeNull();
    expect(g.lookup(91, 0)).toBeNull();
  });

  it('knows the aliases people type', () => {
    const m = PlaceNameMatcher.fromGazetteer(g);
    const ids = (s: string): string[] => m.matchAll(s).flatMap((x) => x.places.map((p) => p.id));
    expect(ids('哈尔滨')).toContain('CN-230100');
    expect(ids('哈尔滨市')).toContain('CN-230100');
    expect(ids('西安')).toContain('CN-610100');
    expect(ids('西安市')).toContain('CN-610100');
    expect(ids('陕西')).toContain('CN-610000');
    expect(ids('日本')).toContain('JP');
    expect(ids('东京都')).toContain('JP-13');
    expect(ids('东京')).toContain('JP-13');
    expect(m.matchAll('朝阳')[0].weak).toBe(false); // 朝阳市 (辽宁) makes it a strong name in the whole gazetteer
    expect(m.matchAll('白云')[0].weak).toBe(true); // only 白云区: a weak short form
  });

  it('reads places from folder names, innermost first, strong names only', () => {
    const m = PlaceNameMatcher.fromGazetteer(g);
    expect(placesInFolder(m, '/photos/哈尔滨之旅').map((x) => x.text)).toEqual(['哈尔滨']);
    expect(placesInFolder(m, 'D:\\照片\\2019-西安\\兵马俑').map((x) => x.text)).toEqual(['兵马俑', '西安']);
    expect(placesInFolder(m, '/photos/蓝天白云')).toEqual([]);
  });

  it('restricted to a library\'s places, other places are not names', () => {
    const m = PlaceNameMatcher.fromGazetteer(g, ['CN-110105']); // 朝阳区, Beijing
    expect(m.matchAll('朝阳区')[0].places.map((p) => p.id)).toEqual(['CN-110105']);
    expect(m.matchAll('北京').length).toBe(1); // its ancestors are known too
    expect(m.matchAll('西安')).toEqual([]);
  });

  it('ships within budget and rejects a file that is not a gazetteer', () => {
    expect(fs.statSync('resources/geo/gazetteer.bin').size).toBeLessThan(10 * 2 ** 20);
    expect(() => decodeGazetteer(Buffer.from('not a gazetteer'))).toThrow(GazetteerFormatError);
    const real = fs.readFileSync('resources/geo/gazetteer.bin');
    expect(() => decodeGazetteer(real.subarray(0, real.length / 2))).toThrow(GazetteerFormatError);
  });
});
