/**
 * Where photos were taken (migration 7): each photo's place at every level the gazetteer knows,
 * written by the places pass, and the library's places with their photo counts (kept by triggers
 * in place_counts) for the query parser's known places and the Places view.
 */
import type { Database, Statement } from './database.ts';
import type { SqlCondition } from './photo-filter.ts';

/** 0 country, 1 province/state, 2 city, 3 district. */
export type PlaceLevelIndex = 0 | 1 | 2 | 3;

export interface PhotoPlaceRecord {
  level: PlaceLevelIndex;
  placeId: string;
  source: 'gps' | 'folder';
}

/** What the pass reads of a photo: its position, its folder and the library root it lies in. */
export interface PlaceInput {
  id: number;
  dir: string;
  root: string;
  gpsLat: number | null;
  gpsLon: number | null;
}

export interface PlaceCount {
  placeId: string;
  level: PlaceLevelIndex;
  photos: number;
  /** A photo there to show (the newest). */
  cover: number;
}

export class PhotoPlacesRepository {
  private readonly s: Record<'inputs' | 'clear' | 'insert' | 'count' | 'known' | 'counts' | 'cover' | 'ofPhoto', Statement>;
  private readonly grouped = new Map<string, Statement>();

  constructor(private readonly db: Database) {
    const sql = db.sql;
    this.s = {
      inputs: sql.prepare(
        `SELECT p.id, p.dir, f.path AS root, p.gps_lat AS gpsLat, p.gps_lon AS gpsLon
         FROM photos p JOIN folders f ON f.id = p.folder_id WHERE p.id IN (SELECT value FROM json_each(?))`,
      ),
      clear: sql.prepare('DELETE FROM photo_places WHERE photo_id IN (SELECT value FROM json_each(?))'),
      // [photo, level, place, source] rows; photos deleted meanwhile have no row to refer to.
      insert: sql.prepare(
        `INSERT INTO photo_places (photo_id, level, place_id, source, taken_at)
         SELECT r.value ->> 0, r.value ->> 1, r.value ->> 2, r.value ->> 3, p.taken_at FROM json_each(?) r JOIN photos p ON p.id = r.value ->> 0`,
      ),
      count: sql.prepare(
        `INSERT INTO place_counts (place_id, level, photos)
         SELECT place_id, level, count(*) FROM photo_places WHERE photo_id IN (SELECT value FROM json_each(?)) GROUP BY place_id
         ON CONFLICT (place_id) DO UPDATE SET photos = photos + excluded.photos`,
      ),
      known: sql.prepare('SELECT place_id FROM place_counts ORDER BY place_id').pluck(),
      counts: sql.prepare('SELECT place_id AS placeId, level, photos FROM place_counts'),
      cover: sql.prepare('SELECT photo_id FROM photo_places WHERE place_id = ? ORDER BY taken_at DESC LIMIT 1').pluck(),
      ofPhoto: sql.prepare('SELECT level, place_id AS placeId, source FROM photo_places WHERE photo_id = ? ORDER BY level'),
    };
  }

  /** The pass's inputs for these photos (photos deleted meanwhile are absent). */
  inputs(photoIds: readonly number[]): PlaceInput[] {
    return this.s.inputs.all(JSON.stringify(photoIds)) as PlaceInput[];
  }

  /**
   * Replaces these photos' places (no records: a photo has none) and adds them to the counts, a
   * batch in three statements. Call inside the transaction that records the pass's result.
   */
  replaceMany(items: readonly { photoId: number; records: readonly PhotoPlaceRecord[] }[]): void {
    const ids = JSON.stringify(items.map((i) => i.photoId));
    this.db.transaction(() => {
      this.s.clear.run(ids);
      this.s.insert.run(JSON.stringify(items.flatMap((i) => i.records.map((r) => [i.photoId, r.level, r.placeId, r.source]))));
      this.s.count.run(ids);
    });
  }

  /** A photo's places, coarse to fine. */
  ofPhoto(photoId: number): PhotoPlaceRecord[] {
    return this.s.ofPhoto.all(photoId) as PhotoPlaceRecord[];
  }

  /** Every place the library has photos at (any level), sorted: a few hundred rows. */
  knownPlaceIds(): string[] {
    return this.s.known.all() as string[];
  }

  /**
   * Each place's photos (and a cover). Without a condition from place_counts (no scan); with one,
   * grouped over the photos it selects (the photo filter's SQL over `photos p`).
   */
  counts(where?: SqlCondition): PlaceCount[] {
    if (!where) {
      const rows = this.s.counts.all() as Omit<PlaceCount, 'cover'>[];
      return rows.map((r) => ({ ...r, cover: this.s.cover.get(r.placeId) as number }));
    }
    // max(taken_at) makes SQLite take `cover` from that row: the newest photo of each place.
    const text = `SELECT pp.place_id AS placeId, pp.level, count(*) AS photos, pp.photo_id AS cover, max(pp.taken_at) AS newest
      FROM photo_places pp JOIN photos p ON p.id = pp.photo_id
      WHERE p.status = 'indexed' AND ${where.sql} GROUP BY pp.place_id`;
    let stmt = this.grouped.get(text);
    if (!stmt) this.grouped.set(text, (stmt = this.db.sql.prepare(text)));
    return (stmt.all(where.params) as (PlaceCount & { newest: number | null })[]).map(({ newest: _n, ...c }) => c);
  }
}
