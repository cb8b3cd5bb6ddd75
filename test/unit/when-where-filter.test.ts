/**
 * The photo filter's when/where fields on a real SQLite library: place (any level, from the
 * places pass's real lookups), kind (the screenshot rule on real screenshots' names and sizes,
 * test/fixtures/screenshots), camera, taken range with hours of the day — alone, together, and
 * intersected with the filter chosen in the UI (folder, dates, tag). Every reader agrees: the
 * browsing SQL (where), the in-memory index's selection, sqlite-vec's KNN.
 */
process.env.TZ = 'Asia/Shanghai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PhotoFilter } from '../../electron/shared/api.ts';
import { resolvePhotoFilter } from '../../electron/engine/library/photo-filter.ts';
import { LibraryService } from '../../electron/engine/library/library-service.ts';
import { PlacesPass } from '../../electron/engine/places/places-pass.ts';
import { openLibrary, type Library } from '../../electron/engine/store/index.ts';
import type { PassContext } from '../../electron/engine/passes/pass.ts';

interface Case {
  name: string;
  width: number;
  height: number;
  make?: string;
  model?: string;
}
const cases = JSON.parse(fs.readFileSync(path.resolve('test/fixtures/screenshots/cases.json'), 'utf8')) as Record<'screenshots' | 'notScreenshots' | 'knownMisses', Case[]>;

const at = (iso: string): number => Date.parse(iso);
/** Neutral folder names: a folder named "…screenshots…" is itself evidence the rule looks at. */
const FOLDER = { screenshots: 'set-a', notScreenshots: 'set-b', knownMisses: 'set-c' } as const;
const HARBIN = { lat: 45.7567, lon: 126.6424 }; // 道里区
const XIAN = { lat: 34.2658, lon: 108.9541 };
const TOKYO = { lat: 35.6812, lon: 139.7671 };

export const passContext = (): PassContext => ({ signal: new AbortController().signal, yieldTo: async () => {}, working: () => {}, completed: () => {} });

describe('photo filter: place, kind, camera, taken', () => {
  let tmp: string;
  let lib: Library;
  let root: string;
  let folderId: number;
  const ids = new Map<string, number>();

  const add = (rel: string, o: { w?: number; h?: number; t?: number | null; make?: string; model?: string; gps?: { lat: number; lon: number } } = {}): number => {
    const file = path.join(root, rel);
    const { row } = lib.photos.upsertDiscovered({ path: file, folderId, size: 1000, mtimeMs: 1 });
    lib.photos.markIndexed(row.id, {
      width: o.w ?? 4000,
      height: o.h ?? 3000,
      takenAt: o.t === undefined ? at('2025-06-01T12:00:00+08:00') : o.t,
      takenAtSource: 'exif',
      cameraMake: o.make ?? null,
      cameraModel: o.model ?? null,
      gpsLat: o.gps?.lat ?? null,
      gpsLon: o.gps?.lon ?? null,
    });
    ids.set(rel, row.id);
    return row.id;
  };

  /** File names (relative paths) the filter selects, by every reader; they must agree. */
  const select = (...filters: PhotoFilter[]): string[] => {
    const q = resolvePhotoFilter(...filters);
    const byId = new Map([...ids].map(([k, v]) => [v, k]));
    const browsed = lib.browse.page(q, 10_000).map((r) => byId.get(r.id)!).sort();
    const sel = lib.filters.selection(q);
    const allowed = [...ids.values()].filter((id) => (sel.allow ?? []).every((list) => list.includes(id)));
    const inRange = allowed.filter((id) => {
      const t = lib.photos.get(id)!.takenAt;
      return (sel.after === undefined || (t !== null && t >= sel.after)) && (sel.before === undefined || (t !== null && t < sel.before));
    });
    expect(inRange.map((id) => byId.get(id)!).sort()).toEqual(browsed);
    const knn = lib.vectors(lib.models.active()!).knn(new Float32Array([1, 0, 0, 0]), 1000, q).map((h) => byId.get(h.photoId)!).sort();
    expect(knn).toEqual(browsed);
    expect(lib.browse.count(q)).toBe(browsed.length);
    return browsed;
  };

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-ww-filter-'));
    root = path.join(tmp, 'Photos');
    lib = openLibrary(path.join(tmp, 'lib.db'));
    folderId = lib.folders.add(root).id;
    lib.models.ensure('test-4d', 4); // the first model is the active one
    add('trip/harbin-winter.jpg', { t: at('2025-01-15T20:30:00+08:00'), make: 'Apple', model: 'iPhone 13', gps: HARBIN });
    add('trip/harbin-summer.jpg', { t: at('2024-07-15T09:00:00+08:00'), make: 'HUAWEI', model: 'ELE-AL00', gps: HARBIN });
    add('trip/xian-mayday.jpg', { t: at('2026-05-02T23:30:00+08:00'), make: 'apple', model: 'iPad Pro', gps: XIAN });
    add('2019-西安/folder-only.jpg', { t: at('2019-10-02T10:00:00+08:00'), make: 'Canon', model: 'Canon EOS 80D' });
    add('tokyo.jpg', { t: at('2025-01-03T02:00:00+08:00'), make: 'NIKON CORPORATION', model: 'NIKON Z 6', gps: TOKYO });
    add('undated.jpg', { t: null, make: 'Xiaomi', model: 'Redmi Note 8' });
    add('odd-model.jpg', { make: 'SONY', model: 'ILCE_7M3' });
    for (const group of ['screenshots', 'notScreenshots', 'knownMisses'] as const) {
      for (const c of cases[group]) add(`${FOLDER[group]}/${c.name}`, { w: c.width, h: c.height, make: c.make, model: c.model });
    }
    // A folder of screenshots by its whole name (Android's DCIM/Screenshots) — not a folder whose name only contains the word.
    add('DCIM/Screenshots/20230512_143012.jpg', { w: 1080, h: 2340 });
    add('旅行截图精选/scan-001.jpg', { w: 1080, h: 2340 });
    const vectors = lib.vectors(lib.models.active()!);
    for (const id of ids.values()) vectors.upsert(id, new Float32Array([1, id / 1000, 0, 0]));
    const pass = new PlacesPass(lib);
    for (let owed = pass.owed(500, 0); owed.length > 0; owed = pass.owed(500, owed.at(-1)!.id)) await pass.run(owed, passContext());
  });
  afterAll(() => {
    lib.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('place matches at every level: country, province, city, district; folder names place photos without GPS', () => {
    expect(select({ place: ['CN-230100'] })).toEqual(['trip/harbin-summer.jpg', 'trip/harbin-winter.jpg']);
    expect(select({ place: ['CN-230000'] })).toEqual(['trip/harbin-summer.jpg', 'trip/harbin-winter.jpg']);
    const district = lib.places.ofPhoto(ids.get('trip/harbin-winter.jpg')!).find((p) => p.level === 3)!;
    expect(district.placeId).toMatch(/^CN-2301\d\d$/);
    expect(select({ place: [district.placeId] })).toEqual(['trip/harbin-summer.jpg', 'trip/harbin-winter.jpg']);
    expect(select({ place: ['CN-610000'] })).toEqual(['2019-西安/folder-only.jpg', 'trip/xian-mayday.jpg']);
    expect(lib.places.ofPhoto(ids.get('2019-西安/folder-only.jpg')!)).toEqual([
      { level: 0, placeId: 'CN', source: 'folder' },
      { level: 1, placeId: 'CN-610000', source: 'folder' },
      { level: 2, placeId: 'CN-610100', source: 'folder' },
    ]);
    expect(select({ place: ['CN'] })).toHaveLength(4);
    expect(select({ place: ['JP-13'] })).toEqual(['tokyo.jpg']);
    // Several places in one list: any of them.
    expect(select({ place: ['JP-13', 'CN-230100'] })).toHaveLength(3);
  });

  it('kind screenshot: every real screenshot name and screen size, none of the real non-screenshots', () => {
    const shots = select({ kind: 'screenshot' });
    expect(shots).toEqual([...cases.screenshots.map((c) => `${FOLDER.screenshots}/${c.name}`), 'DCIM/Screenshots/20230512_143012.jpg'].sort());
    // The known miss stays a miss (documented), and a photo is everything that is not a screenshot.
    const photos = select({ kind: 'photo' });
    expect(photos).toContain(`${FOLDER.knownMisses}/${cases.knownMisses[0]!.name}`);
    expect(photos).toContain('旅行截图精选/scan-001.jpg');
    expect(photos.length + shots.length).toBe(ids.size);
    expect(select({ kind: 'video' })).toEqual([]);
  });

  it('camera: Make in any case, Model containing the model line, LIKE wildcards taken literally', () => {
    // IMG_2682.heic is Immich's test photo from an iPhone 7.
    expect(select({ camera: { makes: ['Apple'] } })).toEqual([`${FOLDER.notScreenshots}/IMG_2682.heic`, 'trip/harbin-winter.jpg', 'trip/xian-mayday.jpg']);
    expect(select({ camera: { makes: ['Apple'], model: 'iPhone' } })).toEqual([`${FOLDER.notScreenshots}/IMG_2682.heic`, 'trip/harbin-winter.jpg']);
    expect(select({ camera: { makes: ['NIKON CORPORATION', 'NIKON'] } })).toEqual(['tokyo.jpg']);
    expect(select({ camera: { makes: ['Xiaomi', 'Redmi'], model: 'Redmi' } })).toEqual([`${FOLDER.notScreenshots}/IMG_20230512_143012.jpg`, 'undated.jpg']);
    expect(select({ camera: { makes: ['SONY'], model: 'E_7' } })).toEqual(['odd-model.jpg']);
    expect(select({ camera: { makes: ['SONY'], model: 'E%7' } })).toEqual([]);
  });

  it('taken: a range (end exclusive), hours of the day (crossing midnight too), undated photos never match', () => {
    const winter = { from: at('2024-12-01T00:00:00+08:00'), to: at('2025-03-01T00:00:00+08:00') };
    expect(select({ taken: winter })).toEqual(['tokyo.jpg', 'trip/harbin-winter.jpg']);
    expect(select({ taken: { to: at('2025-01-15T20:30:00+08:00') }, place: ['CN-230100'] })).toEqual(['trip/harbin-summer.jpg']);
    // 晚上 18–24 in the machine's zone (Asia/Shanghai here).
    expect(select({ taken: { hours: { from: 18, to: 24 } } })).toEqual(['trip/harbin-winter.jpg', 'trip/xian-mayday.jpg']);
    // 深夜 22–3 crosses midnight.
    expect(select({ taken: { hours: { from: 22, to: 3 } } })).toEqual(['tokyo.jpg', 'trip/xian-mayday.jpg']);
    expect(select({ taken: { ...winter, hours: { from: 22, to: 3 } } })).toEqual(['tokyo.jpg']);
    expect(select({ taken: { hours: { from: 0, to: 24 } } })).not.toContain('undated.jpg');
    // Days of the week (ISO 1 Monday … 7 Sunday) in the machine's zone: tokyo.jpg is Friday 02:00
    // here and Thursday in UTC; the photos without a date of their own are Sunday 1 June 2025.
    expect(select({ taken: { weekdays: [6] } })).toEqual(['trip/xian-mayday.jpg']);
    expect(select({ taken: { weekdays: [5] } })).toEqual(['tokyo.jpg']);
    expect(select({ taken: { weekdays: [1, 2, 3, 4, 5], hours: { from: 18, to: 24 } } })).toEqual(['trip/harbin-winter.jpg']);
    expect(select({ taken: { ...winter, weekdays: [3, 5] } })).toEqual(['tokyo.jpg', 'trip/harbin-winter.jpg']);
    expect(select({ taken: { weekdays: [1, 2, 3, 4, 5, 6, 7] } })).not.toContain('undated.jpg');
    // A month and day of any year (那年今日), local: tokyo.jpg is 3 January here, 2 January in UTC.
    expect(select({ taken: { monthDay: { month: 1, day: 3 } } })).toEqual(['tokyo.jpg']);
    expect(select({ taken: { monthDay: { month: 1, day: 2 } } })).toEqual([]);
    expect(select({ taken: { monthDay: { month: 1, day: 15 }, to: at('2025-01-01T00:00:00+08:00') } })).toEqual([]);
    expect(select({ taken: { monthDay: { month: 1, day: 15 } } })).toEqual(['trip/harbin-winter.jpg']);
    // A place with a time range reads photo_places' copy of taken_at: it follows a photo re-dated.
    const id = ids.get('trip/harbin-summer.jpg')!;
    const row = lib.photos.get(id)!;
    const redate = (takenAt: number): void =>
      lib.photos.markIndexed(id, { width: row.width!, height: row.height!, takenAt, takenAtSource: 'exif', cameraMake: row.cameraMake, cameraModel: row.cameraModel, gpsLat: row.gpsLat, gpsLon: row.gpsLon });
    redate(at('2024-12-24T10:00:00+08:00'));
    expect(select({ taken: winter, place: ['CN-230100'] })).toEqual(['trip/harbin-summer.jpg', 'trip/harbin-winter.jpg']);
    redate(row.takenAt!);
    expect(select({ taken: winter, place: ['CN-230100'] })).toEqual(['trip/harbin-winter.jpg']);
  });

  it('the UI filter and the understood one both hold: folder, dates, tag with place, time, kind, camera', () => {
    const understood: PhotoFilter = { place: ['CN-230100'], taken: { from: at('2024-01-01T00:00:00+08:00'), to: at('2026-01-01T00:00:00+08:00') } };
    expect(select({}, understood)).toEqual(['trip/harbin-summer.jpg', 'trip/harbin-winter.jpg']);
    expect(select({ after: '2025-01-01' }, understood)).toEqual(['trip/harbin-winter.jpg']);
    expect(select({ before: '2024-12-31' }, understood)).toEqual(['trip/harbin-summer.jpg']);
    expect(select({ after: '2025-02-01' }, understood)).toEqual([]);
    expect(select({ taken: { weekdays: [5, 6] } }, { taken: { weekdays: [6, 7] } })).toEqual(['trip/xian-mayday.jpg']);
    expect(select({ folder: path.join(root, 'trip') }, { place: ['CN-610100'] })).toEqual(['trip/xian-mayday.jpg']);
    expect(select({ folder: path.join(root, '2019-西安') }, { place: ['CN-230100'] })).toEqual([]);
    const tag = lib.tags.upsertTag({ name: '雪' });
    lib.tags.replaceTagAssignments(tag, [{ photoId: ids.get('trip/harbin-winter.jpg')!, score: 0.5 }, { photoId: ids.get('tokyo.jpg')!, score: 0.5 }]);
    expect(select({ tag: '雪' }, { place: ['CN'] })).toEqual(['trip/harbin-winter.jpg']);
    expect(select({ tag: '雪' }, { camera: { makes: ['nikon corporation'] } })).toEqual(['tokyo.jpg']);
    // The Places view's place and a query's place: both must hold (the city inside the province).
    expect(select({ place: ['CN-230000'] }, { place: ['CN-230100'], kind: 'photo' })).toEqual(['trip/harbin-summer.jpg', 'trip/harbin-winter.jpg']);
    expect(select({ place: ['JP-13'] }, { place: ['CN-230100'] })).toEqual([]);
    expect(select({ kind: 'screenshot' }, { kind: 'photo' })).toEqual([]);
  });

  it('timeline: photos per local month, newest first, with the month as a taken range', () => {
    const t = new LibraryService(lib).timeline({ place: ['CN'] });
    expect(t.months.map((m) => [m.month, m.photos])).toEqual([
      ['2026-05', 1],
      ['2025-01', 1],
      ['2024-07', 1],
      ['2019-10', 1],
    ]);
    expect(t.months[1]).toMatchObject({ from: at('2025-01-01T00:00:00+08:00'), to: at('2025-02-01T00:00:00+08:00') });
    expect(new LibraryService(lib).browse({ taken: { from: t.months[1]!.from, to: t.months[1]!.to }, place: ['CN'] }, 10).hits.map((h) => h.fileName)).toEqual(['harbin-winter.jpg']);
    expect(new LibraryService(lib).timeline({}).undated).toBe(1);
  });
});
