/**
 * Makes test/fixtures/geo/geotoolcn-city-points.json: points inside each Chinese city's boundary as
 * another project drew it (GeoToolCN's china_city.geojson, WGS-84; see the fixture README), with the
 * province and city each lies in. Run with the path of that file:
 *   npx tsx scripts/geo/sample-reference-points.ts path/to/china_city.geojson
 * Points are drawn uniformly over each city's area (seeded) and kept 3 km inside its boundary, so a
 * gazetteer is tested on places, not on the width of a border line.
 */
import fs from 'node:fs';
import { mulberry32 } from '../random.ts';

type Ring = [number, number][];
interface Feature { properties: { adcode: string; name: string }; geometry: { type: 'Polygon' | 'MultiPolygon'; coordinates: Ring[] | Ring[][] } }

const src = JSON.parse(fs.readFileSync(process.argv[2], 'utf8')) as { features: Feature[] };
const rand = mulberry32(17);
const inside = (rings: Ring[], x: number, y: number): boolean => {
  let c = false;
  for (const ring of rings) for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) c = !c;
  }
  return c;
};
const nearEdgeKm = (rings: Ring[], x: number, y: number): number => {
  let best = Infinity;
  const k = Math.cos((y * Math.PI) / 180);
  for (const ring of rings) for (const [px, py] of ring) best = Math.min(best, Math.hypot((px - x) * k, py - y) * 111.2);
  return best;
};
const out: [number, number, string, string][] = [];
for (const f of src.features) {
  const rings: Ring[] = f.geometry.type === 'Polygon' ? (f.geometry.coordinates as Ring[]) : (f.geometry.coordinates as Ring[][]).flat();
  const xs = rings.flat().map((p) => p[0]);
  const ys = rings.flat().map((p) => p[1]);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  let got = 0;
  for (let tries = 0; tries < 5000 && got < 3; tries++) {
    const x = x0 + rand() * (x1 - x0);
    const y = y0 + rand() * (y1 - y0);
    if (!inside(rings, x, y) || nearEdgeKm(rings, x, y) < 3) continue;
    out.push([Math.round(y * 1e5) / 1e5, Math.round(x * 1e5) / 1e5, f.properties.adcode.slice(0, 2) + '0000', f.properties.adcode]);
    got++;
  }
}
fs.writeFileSync('test/fixtures/geo/geotoolcn-city-points.json', JSON.stringify({ source: 'GeoToolCN china_city.geojson (see README.md)', points: out }) + '\n');
process.stderr.write(`${out.length} points from ${src.features.length} cities\n`);
