/**
 * GeoNames' cities500.txt rows, and the matching of China's official division names (GB/T 2260)
 * to GeoNames places, which gives each district and city a seat coordinate. GeoNames has no
 * county boundaries; a district is found by its seat (the nearest seat wins, see gazetteer.ts).
 */
import fs from 'node:fs';

export interface GnRow {
  id: number;
  name: string;
  lat: number;
  lon: number;
  featureCode: string;
  country: string;
  admin1: string;
  population: number;
  /** Alternate names that are written in Chinese characters only. */
  cjk: string[];
  /** Latin names, lower case, letters only ("Zhengding Xian" → "zhengdingxian"). */
  latin: Set<string>;
}

const CJK_ONLY = /^[\u3400-\u4dbf\u4e00-\u9fff]+$/u;
export const latinKey = (s: string): string => s.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^a-z]/g, '');

export function readGeoNames(file: string): GnRow[] {
  const rows: GnRow[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    const f = line.split('\t');
    const alts = f[3] ? f[3].split(',') : [];
    rows.push({
      id: Number(f[0]),
      name: f[1],
      lat: Number(f[4]),
      lon: Number(f[5]),
      featureCode: f[7],
      country: f[8],
      admin1: f[10],
      population: Number(f[14]) || 0,
      cjk: alts.filter((a) => CJK_ONLY.test(a)),
      latin: new Set([f[1], f[2], ...alts].filter((a) => !CJK_ONLY.test(a)).map(latinKey).filter(Boolean)),
    });
  }
  return rows;
}

/** GeoNames' admin1 codes for China → the first two digits of the GB/T 2260 province code. */
export const GEONAMES_CN_ADMIN1: Record<string, string> = {
  '01': '34', '02': '33', '03': '36', '04': '32', '05': '22', '06': '63', '07': '35', '08': '23', '09': '41', '10': '13',
  '11': '43', '12': '42', '13': '65', '14': '54', '15': '62', '16': '45', '18': '52', '19': '21', '20': '15', '21': '64',
  '22': '11', '23': '31', '24': '14', '25': '37', '26': '61', '28': '12', '29': '53', '30': '44', '31': '46', '32': '51', '33': '50',
};

const SEAT_RANK: Record<string, number> = { PPLC: 0, PPLA: 0, PPLA2: 1, PPLA3: 2, PPLA4: 4, PPL: 5 };
const rankOf = (r: GnRow): number => SEAT_RANK[r.featureCode] ?? 6;

export function distanceKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const x = ((lon2 - lon1) * Math.PI) / 180 * Math.cos((((lat1 + lat2) / 2) * Math.PI) / 180);
  const y = ((lat2 - lat1) * Math.PI) / 180;
  return Math.sqrt(x * x + y * y) * 6371;
}

const SUFFIX = /(自治县|自治旗|新区|林区|特区|矿区|区|县|市|旗|地区|盟|自治州)$/;
const SUFFIX_PINYIN: Record<string, string> = { 区: 'qu', 县: 'xian', 市: 'shi', 旗: 'qi', 新区: 'xinqu', 林区: 'linqu', 特区: 'tequ', 矿区: 'kuangqu', 地区: 'diqu', 盟: 'meng', 自治县: 'zizhixian', 自治旗: 'zizhiqi', 自治州: 'zizhizhou' };

export type Pinyin = (s: string) => string;

export interface SeatQuery {
  name: string;
  /** Where the seat should be near (its city's seat), and how far it may be. */
  near?: { lat: number; lon: number; maxKm: number };
  /** City seats: only seats of a prefecture or province (PPLA, PPLA2, PPLC) count for a bare short name. */
  city: boolean;
}

/**
 * The GeoNames row that is this division's seat, or null. Tried in order: the exact Chinese name
 * (临潼区), the short name with any division suffix (临潼, 临潼县, 临潼镇), the pinyin of the full
 * name (zhengdingxian) or, for seats, of the short name (zhengding). Among several, the best
 * ranked feature (seat of a higher division first), then the nearest to `near`.
 */
export function findSeat(q: SeatQuery, candidates: GnRow[], pinyin: Pinyin): GnRow | null {
  const suffix = q.name.match(SUFFIX)?.[1];
  const short = suffix && q.name.length - suffix.length >= 2 ? q.name.slice(0, -suffix.length) : q.name;
  const near = q.near;
  const ok = (r: GnRow): boolean => !near || distanceKm(r.lat, r.lon, near.lat, near.lon) <= near.maxKm;
  const best = (rs: GnRow[]): GnRow | null => {
    const good = rs.filter(ok);
    if (good.length === 0) return null;
    good.sort((a, b) => rankOf(a) - rankOf(b) || (near ? distanceKm(a.lat, a.lon, near.lat, near.lon) - distanceKm(b.lat, b.lon, near.lat, near.lon) : b.population - a.population));
    return good[0];
  };
  const seatCodes = q.city ? new Set(['PPLC', 'PPLA', 'PPLA2']) : new Set(['PPLC', 'PPLA', 'PPLA2', 'PPLA3']);
  const exact = best(candidates.filter((r) => r.cjk.includes(q.name)));
  if (exact) return exact;
  const variants = new Set([short, `${short}县`, `${short}市`, `${short}区`, `${short}镇`]);
  const loose = best(candidates.filter((r) => r.cjk.some((n) => variants.has(n))));
  if (loose) return loose;
  const pyShort = latinKey(pinyin(short));
  const pyFull = pyShort + (suffix ? SUFFIX_PINYIN[suffix] ?? '' : '');
  return best(candidates.filter((r) => r.latin.has(pyFull) || (seatCodes.has(r.featureCode) && r.latin.has(pyShort))));
}
