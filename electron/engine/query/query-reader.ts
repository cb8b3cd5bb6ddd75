/**
 * A search query as the search service uses it: parseQuery's reading (parse-query.ts) with the
 * library's own places, turned into the contract's photo filter for what was understood, the
 * words left for the visual and text search, and the reading as the API reports it.
 *
 * Landmarks (兵马俑, 外滩) name a place but do not narrow to it: the name stays a word for the
 * visual search, and a photo of the Terracotta Army without GPS must still be found. A time that
 * has not begun yet (明天, 下周) is words too: no photo can have been taken then.
 */
import type { PhotoFilter, PlaceLevel, QueryReading } from '../../shared/api.ts';
import { parseQuery, type KnownPlaces } from './parse-query.ts';
import type { ParsedQuery } from './types.ts';

export interface QueryReaderOptions {
  /** The library's known places (null: it has none yet). */
  places: () => KnownPlaces | null;
  /** A place id's level and display name. */
  describePlace: (id: string) => { id: string; level: PlaceLevel; name: string } | null;
  /** The moment relative times count from (SHIGUANG_NOW fixes it for tests). */
  now: () => number;
  /** IANA zone of the days (default: this machine's, as EXIF dates are stored). */
  timeZone?: string;
}

export interface ReadQuery {
  reading: QueryReading;
  /** The understood parts as a photo filter (empty when nothing narrows). */
  filter: PhotoFilter;
  /** What the visual and text search get ('' : nothing, the filter's photos newest first). */
  words: string;
}

export class QueryReader {
  constructor(private readonly opts: QueryReaderOptions) {}

  read(query: string, plain?: readonly { start: number; end: number }[]): ReadQuery {
    const now = this.opts.now();
    const options = { now, timeZone: this.opts.timeZone, places: this.opts.places() };
    let parsed = parseQuery(query, { ...options, plain });
    // A time that has not begun (明天, 下周, 明年) selects no photo: it is words — "明天开会" is
    // the text of a chat screenshot, not a filter that can only come back empty.
    if (parsed.time?.start != null && parsed.time.start > now) {
      const future = parsed.spans.filter((s) => s.what === 'time').map(({ start, end }) => ({ start, end }));
      parsed = parseQuery(query, { ...options, plain: [...(plain ?? []), ...future] });
    }
    return { reading: this.reading(parsed), filter: filterOf(parsed), words: parsed.remainder };
  }

  private reading(p: ParsedQuery): QueryReading {
    let place: QueryReading['place'] = null;
    if (p.place) {
      const places = p.place.ids.flatMap((id) => this.opts.describePlace(id) ?? []);
      place = { name: p.place.name, level: p.place.levels[0] ?? 'city', places, source: p.place.source };
    }
    return {
      time: p.time
        ? {
            from: localIso(p.time.start),
            to: localIso(p.time.end),
            label: p.time.label,
            ...(p.time.hours ? { hours: { ...p.time.hours } } : {}),
            ...(p.time.weekdays ? { weekdays: [...p.time.weekdays] } : {}),
            ...(p.time.monthDay ? { monthDay: { ...p.time.monthDay } } : {}),
          }
        : null,
      place,
      kind: p.kind,
      camera: p.camera ? { ...p.camera, makes: [...p.camera.makes] } : null,
      remainder: p.remainder,
      spans: p.spans.map((s) => ({ ...s })),
    };
  }
}

function filterOf(p: ParsedQuery): PhotoFilter {
  const f: PhotoFilter = {};
  if (p.time) {
    const taken: NonNullable<PhotoFilter['taken']> = {};
    if (p.time.start !== null) taken.from = p.time.start;
    if (p.time.end !== null) taken.to = p.time.end;
    if (p.time.hours) taken.hours = { from: p.time.hours.from, to: p.time.hours.to };
    if (p.time.weekdays) taken.weekdays = [...p.time.weekdays];
    if (p.time.monthDay) taken.monthDay = { ...p.time.monthDay };
    f.taken = taken;
  }
  if (p.place && p.place.source === 'name') f.place = [...p.place.ids];
  if (p.kind) f.kind = p.kind;
  if (p.camera) f.camera = { makes: [...p.camera.makes], ...(p.camera.model ? { model: p.camera.model } : {}) };
  return f;
}

/** Unix ms as a local ISO 8601 time with its offset (2024-12-01T00:00:00+08:00). */
export function localIso(ms: number | null): string | null {
  if (ms === null) return null;
  const d = new Date(ms);
  const pad = (n: number, w = 2): string => String(Math.abs(n)).padStart(w, '0');
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}${sign}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
}
