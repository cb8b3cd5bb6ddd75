/**
 * Album summaries: what a folder (or any set of photos) is mostly about, and a Chinese title
 * like "海边 · 日落 · 2023年夏".
 *
 * A tag's weight is the sum of its scores over the album divided by the album's size: it rewards
 * tags that are both confident and common. A tag must also cover a minimum share of the photos
 * (default 20%), so three very confident 火锅 photos in a 200-photo trip do not name the trip.
 */

export interface AlbumPhoto {
  /** The photo's id, when the caller wants a cover picked. */
  id?: number;
  tags: { name: string; score: number; family?: string }[];
  /** When it was taken: Unix ms as the store keeps it, an ISO 8601 string, or null. */
  takenAt: DateLike;
}

export interface AlbumTag {
  name: string;
  weight: number;
  coverage: number;
  family?: string;
}

export interface AlbumSummaryOptions {
  minCoverage?: number;
  maxTags?: number;
  /** Tags in the title (2–3 read well). */
  titleTags?: number;
  /** Title used when neither tags nor dates say anything (e.g. the folder's name). */
  fallbackTitle?: string;
}

export interface AlbumSummaryResult {
  photoCount: number;
  title: string;
  tags: AlbumTag[];
  dateLabel: string | null;
  /** The photo shown on the album's card (pickCover), null without ids. */
  cover: number | null;
}

export const DEFAULT_MIN_COVERAGE = 0.2;
const TITLE_SEPARATOR = ' · ';

export function dominantTags(photos: AlbumPhoto[], minCoverage = DEFAULT_MIN_COVERAGE, maxTags = 8): AlbumTag[] {
  if (photos.length === 0) return [];
  const acc = new Map<string, { sum: number; count: number; family?: string }>();
  for (const p of photos) {
    const seen = new Set<string>();
    for (const t of p.tags) {
      if (seen.has(t.name)) continue; // a tag counts once per photo
      seen.add(t.name);
      const a = acc.get(t.name) ?? { sum: 0, count: 0, family: t.family };
      a.sum += t.score;
      a.count += 1;
      acc.set(t.name, a);
    }
  }
  const n = photos.length;
  return [...acc.entries()]
    .map(([name, a]) => ({ name, weight: a.sum / n, coverage: a.count / n, ...(a.family ? { family: a.family } : {}) }))
    .filter((t) => t.coverage >= minCoverage)
    .sort((x, y) => y.weight - x.weight || x.name.localeCompare(y.name, 'zh'))
    .slice(0, maxTags);
}

export function summariseAlbum(photos: AlbumPhoto[], options: AlbumSummaryOptions = {}): AlbumSummaryResult {
  const tags = dominantTags(photos, options.minCoverage ?? DEFAULT_MIN_COVERAGE, options.maxTags ?? 8);
  const dateLabel = dateSpanLabel(photos.map((p) => p.takenAt));
  // A season tag (夏天) says less than the date label (2023年夏) and would repeat it.
  const titleTags = tags.filter((t) => !(dateLabel && t.family === 'time')).slice(0, options.titleTags ?? 2);
  const parts = [...titleTags.map((t) => t.name), ...(dateLabel ? [dateLabel] : [])];
  const title = parts.length > 0 ? parts.join(TITLE_SEPARATOR) : (options.fallbackTitle ?? '');
  return { photoCount: photos.length, title, tags, dateLabel, cover: pickCover(photos, tags.slice(0, COVER_TAGS)) };
}

/** How many of the album's dominant tags a cover is judged by (its title shows two or three). */
const COVER_TAGS = 3;

/**
 * The album's cover: the photo that shows most of what the album is about — the largest sum of
 * its scores on the album's dominant tags, each weighted by the tag's weight in the album (a
 * photo of the one red flower in a blue album does not stand for it) — and among equals (or when
 * no tag says anything) the newest, which is also the first photo the opened album lists.
 */
export function pickCover(photos: AlbumPhoto[], dominant: Pick<AlbumTag, 'name' | 'weight'>[]): number | null {
  const wanted = new Map(dominant.map((t) => [t.name, t.weight]));
  let best: { id: number; score: number; time: number } | null = null;
  for (const p of photos) {
    if (p.id === undefined) continue;
    let score = 0;
    const seen = new Set<string>();
    for (const t of p.tags) {
      const weight = wanted.get(t.name);
      if (weight === undefined || seen.has(t.name)) continue;
      seen.add(t.name);
      score += weight * t.score;
    }
    const time = timeOf(p.takenAt);
    const better = !best || score > best.score || (score === best.score && (time > best.time || (time === best.time && p.id > best.id)));
    if (better) best = { id: p.id, score, time };
  }
  return best?.id ?? null;
}

/** A capture time as a number to compare (undated photos sort oldest). */
function timeOf(value: DateLike): number {
  if (value == null) return Number.NEGATIVE_INFINITY;
  const t = typeof value === 'number' ? value : value instanceof Date ? value.getTime() : Date.parse(value.replace(/^(\d{4}):(\d{2}):(\d{2})/, '$1-$2-$3'));
  return Number.isNaN(t) ? Number.NEGATIVE_INFINITY : t;
}

// ---------- dates ----------

export type Season = '春' | '夏' | '秋' | '冬';
export type DateLike = string | number | Date | null | undefined;

/** Meteorological seasons as used in China: 春 3–5月, 夏 6–8月, 秋 9–11月, 冬 12–2月. */
export function seasonOf(month: number): Season {
  if (month >= 3 && month <= 5) return '春';
  if (month >= 6 && month <= 8) return '夏';
  if (month >= 9 && month <= 11) return '秋';
  return '冬';
}

interface YearMonth {
  year: number;
  month: number;
}

/**
 * Year and month of a capture time. Strings are read as written: EXIF times are wall-clock
 * times, and going through Date would move a 2023-12-31T23:30 photo into 2024 in another zone.
 * Numbers (Unix ms) and Dates are read in local time, the inverse of how media/metadata turns a
 * zone-less EXIF time into an instant.
 */
export function parseYearMonth(value: DateLike): YearMonth | null {
  if (value == null) return null;
  if (typeof value === 'number') value = new Date(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : { year: value.getFullYear(), month: value.getMonth() + 1 };
  const m = /^(\d{4})[-:/](\d{2})/.exec(value.trim());
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  return month >= 1 && month <= 12 ? { year, month } : null;
}

/** Dec 2023 – Feb 2024 is one winter: it is keyed by the year it starts. */
function seasonKey({ year, month }: YearMonth): { year: number; season: Season } {
  return { year: month <= 2 ? year - 1 : year, season: seasonOf(month) };
}

/**
 * A short Chinese label for when an album's photos were taken: "2023年夏" when they fall in one
 * season ("2023–2024年冬" for a winter across New Year), "2023年" in one year, "2019–2023年" otherwise; null without dates. Outliers are
 * ignored (the middle 90% of dates decides when there are 20 or more), so one stray old photo
 * does not turn a summer trip into "2009–2023年".
 */
export function dateSpanLabel(dates: DateLike[]): string | null {
  const parsed = dates.map(parseYearMonth).filter((d): d is YearMonth => d !== null);
  if (parsed.length === 0) return null;
  parsed.sort((a, b) => a.year - b.year || a.month - b.month);
  const trim = parsed.length >= 20 ? Math.floor(parsed.length * 0.05) : 0;
  const first = parsed[trim]!;
  const last = parsed[parsed.length - 1 - trim]!;
  const a = seasonKey(first);
  const b = seasonKey(last);
  if (a.year === b.year && a.season === b.season) {
    // One winter across New Year reads "2023–2024年冬"; naming it by either year alone misleads.
    return first.year === last.year ? `${first.year}年${a.season}` : `${first.year}–${last.year}年${a.season}`;
  }
  if (first.year === last.year) return `${first.year}年`;
  return `${first.year}–${last.year}年`;
}
