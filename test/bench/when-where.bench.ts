/**
 * BENCH_ONLY=query-parse: query understanding latency (p50/p95 over the test phrasings, after a
 * warm-up), reverse-geocoding throughput (photos/s over a spread of positions in China and
 * elsewhere), the gazetteer's load time and size. Nothing is asserted; see docs/decisions/when-where.md.
 */
import fs from 'node:fs';
import { Gazetteer, defaultGazetteerPath } from '../../electron/engine/places/gazetteer.ts';
import { PlaceNameMatcher } from '../../electron/engine/places/place-names.ts';
import { parseQuery } from '../../electron/engine/query/parse-query.ts';
import { mulberry32 } from '../../scripts/random.ts';
import { HAND, LIBRARY_PLACES, NOW } from '../unit/query-phrasings.ts';

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] * 1000) / 1000;
};

export function benchWhenWhere(log: (s: string) => void): Record<string, unknown> {
  const file = defaultGazetteerPath();
  const t0 = performance.now();
  const g = Gazetteer.fromBuffer(fs.readFileSync(file));
  const loadMs = performance.now() - t0;
  const matcher = PlaceNameMatcher.fromGazetteer(g, LIBRARY_PLACES);
  const queries = HAND.map(([q]) => q);
  for (const q of queries) parseQuery(q, { now: NOW, timeZone: 'Asia/Shanghai', places: matcher }); // warm-up
  const ms: number[] = [];
  for (let round = 0; round < 5; round++) for (const q of queries) {
    const s = performance.now();
    parseQuery(q, { now: NOW, timeZone: 'Asia/Shanghai', places: matcher });
    ms.push(performance.now() - s);
  }
  // Photos: 80% in eastern China (where most of a Chinese library is), 20% anywhere on land or sea.
  const rand = mulberry32(7);
  const n = 200_000;
  const lat = new Float64Array(n);
  const lon = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const china = rand() < 0.8;
    lat[i] = china ? 22 + rand() * 24 : -60 + rand() * 130;
    lon[i] = china ? 102 + rand() * 20 : -180 + rand() * 360;
  }
  const s = performance.now();
  let placed = 0;
  for (let i = 0; i < n; i++) if (g.lookup(lat[i], lon[i])) placed++;
  const seconds = (performance.now() - s) / 1000;
  const result = {
    parse: { queries: ms.length, p50Ms: pct(ms, 50), p95Ms: pct(ms, 95), maxMs: pct(ms, 100) },
    reverseGeocode: { photos: n, placed, photosPerSecond: Math.round(n / seconds) },
    gazetteer: { bytes: fs.statSync(file).size, loadMs: Math.round(loadMs), places: g.places.length, landmarks: g.landmarks.length },
  };
  log(`when-where: ${JSON.stringify(result)}`);
  return result;
}
