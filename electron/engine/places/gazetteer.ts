/**
 * Offline reverse geocoding: WGS-84 latitude/longitude (as EXIF GPS stores it) → the place a photo
 * was taken, in Chinese, at every level the gazetteer knows (country, province/state, city,
 * district). Loaded once from resources/geo/gazetteer.bin (format: gazetteer-format.ts; built by
 * scripts/geo/build-gazetteer.ts); a lookup is a binary search in one raster row plus a scan of the
 * seats of one province, far under a microsecond of work per photo.
 *
 * How a point is placed:
 *  - country and province/state from Natural Earth's admin-1 polygons, rasterised at 1/32° (~3 km):
 *    within ~3 km of a border the cell may belong to the neighbour; a point just off the coast
 *    takes the nearest land cell within 3 cells;
 *  - in China, city and district from the nearest district or city seat in that province
 *    (GeoNames coordinates of the GB/T 2260 divisions): district borders are approximated by the
 *    midlines between seats, and a district without a known seat is never returned (its photos get
 *    a neighbour's district, or the city alone). See docs/decisions/when-where.md for the measured
 *    accuracy at each level;
 *  - elsewhere, the city is the nearest place with a Chinese name within 30 km in the same country.
 *
 * Datum: EXIF GPS is WGS-84 and so is every source here. Coordinates taken from Chinese map apps
 * (GCJ-02, offset 100–700 m) are not photo coordinates and are not corrected; at district level
 * that offset is smaller than the seat approximation's error.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeGazetteer, PLACE_LEVELS, SEA, type GazetteerHeader, type GazetteerSections, type PlaceLevel } from './gazetteer-format.ts';

export interface PlaceRef {
  /** Stable code (gazetteer-format.ts): "CN", "CN-610000", "CN-610115", "JP-13", "GN-1850147". */
  id: string;
  name: string;
  level: PlaceLevel;
}

/** A photo's place, coarse to fine; levels the gazetteer cannot tell are null. */
export interface PhotoPlace {
  country: PlaceRef;
  province: PlaceRef | null;
  city: PlaceRef | null;
  district: PlaceRef | null;
}

export interface PlaceEntry extends PlaceRef {
  index: number;
  parent: number;
  aliases: readonly string[];
  /** Short forms that are also ordinary words (朝阳, 白云): see query/places-in-query.ts. */
  weakAliases: readonly string[];
}

/** resources/ next to the code (dev, tests) or wherever the packaged app says (SHIGUANG_RESOURCES). */
export function defaultGazetteerPath(): string {
  const resources = process.env.SHIGUANG_RESOURCES ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../resources');
  return path.join(resources, 'geo', 'gazetteer.bin');
}

const fingerprints = new Map<string, string>();

/**
 * A short hash of the gazetteer file's bytes (read once per process, ~10 ms): places computed with
 * another gazetteer are stale, so the places pass puts this in its version and a new gazetteer
 * re-runs it over the library.
 */
export function gazetteerFingerprint(file = defaultGazetteerPath()): string {
  let f = fingerprints.get(file);
  if (!f) fingerprints.set(file, (f = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex').slice(0, 12)));
  return f;
}

const WORLD_CITY_KM = 30;
const COAST_REACH_CELLS = 3;
const toRad = Math.PI / 180;

export class Gazetteer {
  readonly places: readonly PlaceEntry[];
  private readonly arrays: GazetteerSections;
  private readonly cellsPerDegree: number;
  private readonly rows: number;
  private readonly cols: number;
  private readonly regions: readonly number[];
  private readonly scale: number;
  /** Point indices per province (China) and per 1° cell (elsewhere). */
  private readonly seatsByProvince = new Map<number, number[]>();
  private readonly citiesByCell = new Map<number, number[]>();
  private readonly chain: (PlaceEntry | null)[][];
  /** Landmarks: their names and the place each lies in. */
  readonly landmarks: readonly { names: readonly string[]; place: PlaceEntry }[];

  private constructor(header: GazetteerHeader, arrays: GazetteerSections) {
    this.arrays = arrays;
    ({ cellsPerDegree: this.cellsPerDegree, rows: this.rows, cols: this.cols } = header.raster);
    this.regions = header.regions;
    this.scale = header.pointScale;
    this.places = header.places.map(([id, level, name, parent, aliases, weak], index) => ({ id, level: PLACE_LEVELS[level], name, parent, aliases, weakAliases: weak, index }));
    this.landmarks = header.landmarks.map(([names, place]) => ({ names, place: this.places[place] }));
    // Each place's chain of ancestors by level, computed once.
    this.chain = this.places.map((p) => {
      const c: (PlaceEntry | null)[] = [null, null, null, null];
      for (let q: PlaceEntry | undefined = p; q; q = q.parent >= 0 ? this.places[q.parent] : undefined) c[PLACE_LEVELS.indexOf(q.level)] ??= q;
      return c;
    });
    for (let i = 0; i < arrays.pointPlace.length; i++) {
      const place = this.places[arrays.pointPlace[i]];
      const province = this.chain[place.index][1];
      if (this.chain[place.index][0]?.id === 'CN' && province) {
        const list = this.seatsByProvince.get(province.index) ?? [];
        list.push(i);
        this.seatsByProvince.set(province.index, list);
      } else {
        const key = this.cellKey(arrays.pointLat[i] / this.scale, arrays.pointLon[i] / this.scale);
        const list = this.citiesByCell.get(key) ?? [];
        list.push(i);
        this.citiesByCell.set(key, list);
      }
    }
  }

  static fromBuffer(buffer: Buffer): Gazetteer {
    const { header, arrays } = decodeGazetteer(buffer);
    return new Gazetteer(header, arrays);
  }

  private static cache = new Map<string, Gazetteer>();

  /** Loads (once per path, then shared) the shipped gazetteer. */
  static load(file = defaultGazetteerPath()): Gazetteer {
    let g = Gazetteer.cache.get(file);
    if (!g) {
      g = Gazetteer.fromBuffer(fs.readFileSync(file));
      Gazetteer.cache.set(file, g);
    }
    return g;
  }

  /** The place at a WGS-84 coordinate, or null at sea / for coordinates that are not a position. */
  lookup(lat: number, lon: number): PhotoPlace | null {
    if (!Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) return null;
    const region = this.regionAt(lat, lon);
    if (region === SEA) return this.nearestWorldCity(lat, lon, null);
    const regionPlace = this.places[this.regions[region]];
    const regionChain = this.chain[regionPlace.index];
    const province = regionChain[1];
    if (regionChain[0]?.id === 'CN' && province && regionPlace.level === 'province') {
      const seat = this.nearestSeat(province.index, lat, lon);
      return this.placeOf(seat ?? regionPlace);
    }
    if (regionChain[0]?.id === 'CN') return this.placeOf(regionPlace);
    return this.nearestWorldCity(lat, lon, regionPlace) ?? this.placeOf(regionPlace);
  }

  /** Every place's entry by code. */
  byId(id: string): PlaceEntry | undefined {
    this.index ??= new Map(this.places.map((p) => [p.id, p]));
    return this.index.get(id);
  }
  private index: Map<string, PlaceEntry> | undefined;

  /** The place and its ancestors, coarse to fine. */
  ancestry(place: PlaceEntry): PhotoPlace {
    return this.placeOf(place);
  }

  private placeOf(p: PlaceEntry): PhotoPlace {
    const [country, province, city, district] = this.chain[p.index].map((q) => (q ? { id: q.id, name: q.name, level: q.level } : null));
    return { country: country!, province, city, district };
  }

  private cellKey(lat: number, lon: number): number {
    return (Math.floor(lat) + 90) * 360 + (Math.floor(lon) + 180);
  }

  private regionAt(lat: number, lon: number): number {
    const row = Math.min(this.rows - 1, Math.floor((90 - lat) * this.cellsPerDegree));
    const col = Math.min(this.cols - 1, Math.floor((lon + 180) * this.cellsPerDegree));
    const direct = this.cell(row, col);
    if (direct !== SEA) return direct;
    for (let d = 1; d <= COAST_REACH_CELLS; d++) {
      for (let dr = -d; dr <= d; dr++) for (let dc = -d; dc <= d; dc++) {
        if (Math.max(Math.abs(dr), Math.abs(dc)) !== d || row + dr < 0 || row + dr >= this.rows) continue;
        const v = this.cell(row + dr, (col + dc + this.cols) % this.cols);
        if (v !== SEA) return v;
      }
    }
    return SEA;
  }

  /** The value of one raster cell: binary search for the last run starting at or before col. */
  private cell(row: number, col: number): number {
    const { rowStart, runCol, runRegion } = this.arrays;
    let lo = rowStart[row];
    let hi = rowStart[row + 1] - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (runCol[mid] <= col) lo = mid;
      else hi = mid - 1;
    }
    return runRegion[lo];
  }

  private nearestSeat(province: number, lat: number, lon: number): PlaceEntry | null {
    const seats = this.seatsByProvince.get(province);
    if (!seats) return null;
    const { pointLat, pointLon, pointPlace } = this.arrays;
    const k = Math.cos(lat * toRad);
    const la = lat * this.scale;
    const lo = lon * this.scale;
    let best = -1;
    let bestD = Infinity;
    for (const i of seats) {
      const dy = pointLat[i] - la;
      const dx = (pointLon[i] - lo) * k;
      const d = dx * dx + dy * dy;
      if (d < bestD) {
        bestD = d;
        best = i;
      }
    }
    return best < 0 ? null : this.places[pointPlace[best]];
  }

  /**
   * The city a point outside China belongs to. A city claims the points within its radius, which
   * grows with its population (0.25 km × √(people/1000), at least 2 km: ~23 km for Tokyo, ~11 km for
   * Paris); the most populous claimer wins, so a photo at the Eiffel Tower is 巴黎, not the suburb
   * next to it. Unclaimed points take the nearest city within 30 km. Cities in the point's own
   * state are preferred, then its country.
   */
  private nearestWorldCity(lat: number, lon: number, region: PlaceEntry | null): PhotoPlace | null {
    const { pointLat, pointLon, pointPlace, pointPopulation } = this.arrays;
    const k = Math.cos(lat * toRad);
    const country = region ? this.chain[region.index][0] : null;
    let best = -1;
    let bestKey = -Infinity;
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
      for (const i of this.citiesByCell.get(this.cellKey(lat + dy, lon + dx)) ?? []) {
        const place = this.places[pointPlace[i]];
        const sameState = region !== null && place.parent === region.index;
        if (country && !sameState && this.chain[place.index][0] !== country) continue;
        const km = Math.hypot((pointLon[i] / this.scale - lon) * k, pointLat[i] / this.scale - lat) * 111.2;
        if (km > WORLD_CITY_KM) continue;
        const claims = km <= Math.max(2, 0.25 * Math.sqrt(pointPopulation[i] / 1000));
        // Ordered by: same state, claims the point, then population (claimers) or nearness (others).
        const key = (sameState ? 4e12 : 0) + (claims ? 2e12 + pointPopulation[i] : 1e6 - km * 1000);
        if (key > bestKey) {
          bestKey = key;
          best = i;
        }
      }
    }
    if (best < 0) return null;
    const city = this.places[pointPlace[best]];
    if (!region) return this.placeOf(city);
    const here = this.placeOf(region);
    return { ...here, city: { id: city.id, name: city.name, level: city.level } };
  }
}
