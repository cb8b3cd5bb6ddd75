/**
 * The gazetteer file (resources/geo/gazetteer.bin): one file the app ships and reads once, written
 * by scripts/geo/build-gazetteer.ts. Layout, all little-endian:
 *
 *   "SGZ1" | u32 header bytes | header (UTF-8 JSON, padded to 4 bytes) | sections
 *
 * The header holds the place table (names, aliases, hierarchy) and where each typed array section
 * starts; the sections are the numbers: the region raster and the points. Plain JSON for the
 * names keeps the format readable; typed arrays keep the numbers small and load without parsing.
 */

export const GAZETTEER_MAGIC = 'SGZ1';

/** Administrative levels, coarsest first. A place's parent is always of a coarser level. */
export const PLACE_LEVELS = ['country', 'province', 'city', 'district'] as const;
export type PlaceLevel = (typeof PLACE_LEVELS)[number];

/**
 * One place: [code, level index, display name, parent index (-1: none), aliases, weak aliases].
 * Codes are stable across rebuilds: ISO 3166-1 alpha-2 for countries ("JP"), ISO 3166-2 or
 * Natural Earth's adm1 code for states ("JP-13"), "CN-" + GB/T 2260 for China's provinces, cities
 * and districts ("CN-610115"), "GN-" + GeoNames id for cities outside China ("GN-1850147").
 * Weak aliases are short forms that are also ordinary words (白云, 和平, 长安): a query takes them
 * as a place only next to a place word (在白云区 is; 蓝天白云 is not) — see query/places-in-query.ts.
 */
export type PlaceRecord = [code: string, level: number, name: string, parent: number, aliases: string[], weak: string[]];

/** A landmark: its names and the place it lies in (an index into places). */
export type LandmarkRecord = [names: string[], place: number];

export interface SectionRef {
  /** Byte offset from the start of the file (a multiple of 4). */
  offset: number;
  /** Element count. */
  length: number;
  type: 'u16' | 'u32' | 'i32';
}

export interface GazetteerHeader {
  format: 1;
  /** What went in, with versions and licences, for the credits and the decision record. */
  sources: { name: string; version: string; licence: string; use: string }[];
  builtFrom: string;
  places: PlaceRecord[];
  landmarks: LandmarkRecord[];
  /**
   * Regions (Natural Earth admin-1 polygons, rasterised): row r covers latitudes
   * 90 - r/cellsPerDegree downwards, column c longitudes -180 + c/cellsPerDegree eastwards.
   * Row r's runs are runCol/runRegion[rowStart[r] .. rowStart[r+1]); a run lasts until the next
   * run's column. runRegion indexes `regions` (the place a cell lies in); SEA marks the sea.
   */
  raster: { cellsPerDegree: number; rows: number; cols: number };
  regions: number[];
  sections: { rowStart: SectionRef; runCol: SectionRef; runRegion: SectionRef; pointLat: SectionRef; pointLon: SectionRef; pointPlace: SectionRef; pointPopulation: SectionRef };
  /**
   * Points: China's district seats and city seats (matched by name to GeoNames), and cities
   * elsewhere that have a Chinese name, in 1e-5 degrees. pointPlace indexes places.
   */
  pointScale: number;
}

export const SEA = 0xffff;

export interface GazetteerSections {
  rowStart: Uint32Array;
  runCol: Uint16Array;
  runRegion: Uint16Array;
  pointLat: Int32Array;
  pointLon: Int32Array;
  pointPlace: Uint32Array;
  pointPopulation: Uint32Array;
}

type Typed = Uint16Array | Uint32Array | Int32Array;
const typeOf = (a: Typed): SectionRef['type'] => (a instanceof Uint16Array ? 'u16' : a instanceof Uint32Array ? 'u32' : 'i32');
const pad4 = (n: number): number => (n + 3) & ~3;

/** Serialises a header (without `sections`) and the arrays into one buffer. */
export function encodeGazetteer(header: Omit<GazetteerHeader, 'sections'>, arrays: GazetteerSections): Buffer {
  const names = Object.keys(arrays) as (keyof GazetteerSections)[];
  // The header's length depends on the offsets it records; offsets depend on its length. Lay the
  // sections out after a header sized with placeholder offsets, then pad the real header to it.
  const placeholder = Object.fromEntries(names.map((n) => [n, { offset: 0xffffffff, length: arrays[n].length, type: typeOf(arrays[n]) }]));
  const headerSize = pad4(Buffer.byteLength(JSON.stringify({ ...header, sections: placeholder })) + 64);
  let at = 8 + headerSize;
  const sections = {} as GazetteerHeader['sections'];
  for (const n of names) {
    sections[n] = { offset: at, length: arrays[n].length, type: typeOf(arrays[n]) };
    at = pad4(at + arrays[n].byteLength);
  }
  const json = Buffer.from(JSON.stringify({ ...header, sections }));
  if (json.length > headerSize) throw new Error('gazetteer header grew past its reserved size');
  const out = Buffer.alloc(at, 0);
  out.write(GAZETTEER_MAGIC, 0, 'latin1');
  out.writeUInt32LE(headerSize, 4);
  json.copy(out, 8);
  out.fill(0x20, 8 + json.length, 8 + headerSize); // spaces: JSON.parse ignores them
  for (const n of names) Buffer.from(arrays[n].buffer, arrays[n].byteOffset, arrays[n].byteLength).copy(out, sections[n].offset);
  return out;
}

export class GazetteerFormatError extends Error {}

/** Reads a gazetteer buffer; the typed arrays are views on a copy aligned for them. */
export function decodeGazetteer(file: Buffer): { header: GazetteerHeader; arrays: GazetteerSections } {
  if (file.length < 8 || file.toString('latin1', 0, 4) !== GAZETTEER_MAGIC) throw new GazetteerFormatError('not a gazetteer file (bad magic)');
  const headerSize = file.readUInt32LE(4);
  if (8 + headerSize > file.length) throw new GazetteerFormatError('gazetteer file is truncated (header)');
  const header = JSON.parse(file.toString('utf8', 8, 8 + headerSize)) as GazetteerHeader;
  if (header.format !== 1) throw new GazetteerFormatError(`gazetteer format ${String(header.format)} is not supported`);
  // Node's pooled Buffers are not 4-byte aligned in general: copy once into an ArrayBuffer of our own.
  const ab = new ArrayBuffer(file.length);
  new Uint8Array(ab).set(file);
  const view = (ref: SectionRef): Typed => {
    const size = ref.type === 'u16' ? 2 : 4;
    if (ref.offset % 4 !== 0 || ref.offset + ref.length * size > file.length) throw new GazetteerFormatError('gazetteer file is truncated (sections)');
    return ref.type === 'u16' ? new Uint16Array(ab, ref.offset, ref.length) : ref.type === 'u32' ? new Uint32Array(ab, ref.offset, ref.length) : new Int32Array(ab, ref.offset, ref.length);
  };
  const s = header.sections;
  return {
    header,
    arrays: {
      rowStart: view(s.rowStart) as Uint32Array,
      runCol: view(s.runCol) as Uint16Array,
      runRegion: view(s.runRegion) as Uint16Array,
      pointLat: view(s.pointLat) as Int32Array,
      pointLon: view(s.pointLon) as Int32Array,
      pointPlace: view(s.pointPlace) as Uint32Array,
      pointPopulation: view(s.pointPopulation) as Uint32Array,
    },
  };
}
