/**
 * The reverse-geocoding pass on a real library: GPS → every level (source gps), folder names for
 * photos without GPS (source folder), what makes a photo owed again (a move to another folder, new
 * content, another gazetteer), the place counts the triggers keep, and the Places tree and known
 * places built from them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultGazetteerPath } from '../../electron/engine/places/gazetteer.ts';
import { PlacesPass } from '../../electron/engine/places/places-pass.ts';
import { PlacesService } from '../../electron/engine/places/places-service.ts';
import type { PassContext } from '../../electron/engine/passes/pass.ts';
import { openLibrary, type Library } from '../../electron/engine/store/index.ts';

const ctx = (): PassContext => ({ signal: new AbortController().signal, yieldTo: async () => {}, working: () => {}, completed: () => {} });
const HARBIN = { lat: 45.7567, lon: 126.6424 };
const XIAN = { lat: 34.2658, lon: 108.9541 };
const PARIS = { lat: 48.8584, lon: 2.2945 }; // the Eiffel Tower

describe('places pass', () => {
  let tmp: string;
  let lib: Library;
  let root: string;
  let folderId: number;

  const add = (rel: string, gps?: { lat: number; lon: number }): number => {
    const { row } = lib.photos.upsertDiscovered({ path: path.join(root, rel), folderId, size: 1, mtimeMs: 1 });
    lib.photos.setHash(row.id, `h-${rel}`);
    lib.photos.markIndexed(row.id, { width: 10, height: 10, takenAt: 1, takenAtSource: 'exif', cameraMake: null, cameraModel: null, gpsLat: gps?.lat ?? null, gpsLon: gps?.lon ?? null });
    return row.id;
  };
  const runAll = async (pass: PlacesPass): Promise<number> => {
    let n = 0;
    for (let owed = pass.owed(pass.batchSize, 0); owed.length > 0; owed = pass.owed(pass.batchSize, owed.at(-1)!.id)) {
      await pass.run(owed, ctx());
      n += owed.length;
    }
    return n;
  };
  const placesOf = (id: number): string[] => lib.places.ofPhoto(id).map((p) => `${p.placeId}:${p.source}`);
  /** place_counts equals a GROUP BY over photo_places. */
  const countsAgree = (): void => {
    const kept = lib.db.sql.prepare('SELECT place_id, photos FROM place_counts ORDER BY place_id').all();
    const grouped = lib.db.sql.prepare('SELECT place_id, count(*) AS photos FROM photo_places GROUP BY place_id ORDER BY place_id').all();
    expect(kept).toEqual(grouped);
  };

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-places-'));
    root = path.join(tmp, '我的照片');
    lib = openLibrary(path.join(tmp, 'lib.db'));
    folderId = lib.folders.add(root).id;
  });
  afterEach(() => {
    lib.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('places GPS photos at every level and photos without GPS by their folders; nothing is owed after', async () => {
    const harbin = add('a/1.jpg', HARBIN);
    const xian = add('a/2.jpg', XIAN);
    const paris = add('a/3.jpg', PARIS);
    const folder = add('2019-西安/第一天/4.jpg');
    const trip = add('哈尔滨之旅/5.jpg');
    const none = add('a/6.jpg');
    const sea = add('a/7.jpg', { lat: -40, lon: -120 }); // the South Pacific
    const pass = new PlacesPass(lib);
    expect(pass.counts()).toEqual({ done: 0, failed: 0, pending: 7 });
    expect(await runAll(pass)).toBe(7);
    expect(pass.counts()).toEqual({ done: 7, failed: 0, pending: 0 });
    expect(placesOf(harbin)).toEqual(['CN:gps', 'CN-230000:gps', 'CN-230100:gps', expect.stringMatching(/^CN-2301\d\d:gps$/)]);
    expect(placesOf(xian).slice(0, 3)).toEqual(['CN:gps', 'CN-610000:gps', 'CN-610100:gps']);
    expect(placesOf(paris)).toEqual(['FR:gps', 'FR-75:gps', expect.stringMatching(/^GN-\d+:gps$/)]);
    expect(placesOf(folder)).toEqual(['CN:folder', 'CN-610000:folder', 'CN-610100:folder']);
    expect(placesOf(trip)).toEqual(['CN:folder', 'CN-230000:folder', 'CN-230100:folder']);
    expect(placesOf(none)).toEqual([]);
    expect(placesOf(sea)).toEqual([]);
    expect(pass.owed(100, 0)).toEqual([]);
    countsAgree();
  });

  it('a move to another folder, new content, a photo deleted: owed again or gone, counts kept', async () => {
    const moved = add('哈尔滨之旅/1.jpg');
    const changed = add('b/2.jpg', XIAN);
    const deleted = add('b/3.jpg', HARBIN);
    const pass = new PlacesPass(lib);
    await runAll(pass);
    lib.photos.move(moved, path.join(root, '西安/1.jpg'), folderId);
    expect(pass.owed(10, 0).map((p) => p.id)).toEqual([moved]);
    lib.photos.setHash(changed, 'h-new-content');
    expect(placesOf(changed)).toEqual([]); // dropped with the old content
    lib.photos.delete(deleted);
    countsAgree();
    expect(pass.owed(10, 0).map((p) => p.id)).toEqual([moved, changed]);
    await runAll(pass);
    expect(placesOf(moved)).toEqual(['CN:folder', 'CN-610000:folder', 'CN-610100:folder']);
    expect(placesOf(changed)[2]).toBe('CN-610100:gps');
    countsAgree();
    expect(lib.places.knownPlaceIds()).not.toContain('CN-230100');
  });

  it('another gazetteer makes every photo owed again', async () => {
    add('a/1.jpg', HARBIN);
    add('a/2.jpg');
    await runAll(new PlacesPass(lib));
    const copy = path.join(tmp, 'gazetteer.bin');
    fs.writeFileSync(copy, Buffer.concat([fs.readFileSync(defaultGazetteerPath()), Buffer.alloc(4)]));
    const next = new PlacesPass(lib, { gazetteerFile: copy });
    expect(next.counts()).toEqual({ done: 0, failed: 0, pending: 2 });
    expect(await runAll(next)).toBe(2);
    expect(new PlacesPass(lib).counts().pending).toBe(2); // and back: the shipped file's results were replaced
  });

  it('a folder name standing for several places: the one where the library has photos, else the one it fully names, else the country', async () => {
    add('x/1.jpg', { lat: 39.9219, lon: 116.4436 }); // Beijing, 朝阳区
    const chaoyang = add('朝阳/2.jpg');
    const xian = add('西安/3.jpg'); // 西安市, not the 西安区 of Liaoyuan or Mudanjiang
    await runAll(new PlacesPass(lib));
    expect(placesOf(chaoyang)).toEqual(['CN:folder', 'CN-110000:folder', 'CN-110100:folder', 'CN-110105:folder']);
    // Without photos there, 朝阳 fully names one place (朝阳市, Liaoning) and is a short form of the districts.
    const other = openLibrary(path.join(tmp, 'other.db'));
    try {
      const f = other.folders.add(root).id;
      const { row } = other.photos.upsertDiscovered({ path: path.join(root, '朝阳/9.jpg'), folderId: f, size: 1, mtimeMs: 1 });
      other.photos.markIndexed(row.id, { width: 1, height: 1, takenAt: 1, takenAtSource: 'exif', cameraMake: null, cameraModel: null, gpsLat: null, gpsLon: null });
      const pass = new PlacesPass(other);
      await pass.run(pass.owed(10, 0), ctx());
      expect(other.places.ofPhoto(row.id).map((p) => p.placeId)).toEqual(['CN', 'CN-210000', 'CN-211300']);
    } finally {
      other.close();
    }
    expect(placesOf(xian)).toEqual(['CN:folder', 'CN-610000:folder', 'CN-610100:folder']);
  });

  it('the Places tree and the known places follow what the pass wrote', async () => {
    const service = new PlacesService(lib);
    expect(service.knownPlaces()).toBeNull();
    expect(service.tree()).toEqual([]);
    for (let i = 0; i < 3; i++) add(`h/${i}.jpg`, HARBIN);
    add('x/1.jpg', XIAN);
    const last = add('p/1.jpg', PARIS);
    await runAll(new PlacesPass(lib));
    const tree = service.tree();
    expect(tree.map((c) => [c.id, c.photos])).toEqual([
      ['CN', 4],
      ['FR', 1],
    ]);
    const china = tree[0]!;
    expect(china.children.map((p) => [p.name, p.photos])).toEqual([
      ['黑龙江省', 3],
      ['陕西省', 1],
    ]);
    expect(china.children[0]!.children.map((c) => [c.id, c.level, c.photos])).toEqual([['CN-230100', 'city', 3]]);
    expect(china.children[0]!.children[0]!.children).toEqual([]); // districts are not listed
    // A city's page asks for one level more: its districts (Harbin's photos are in 道里区 here).
    const deep = service.tree({ place: ['CN-230100'] }, 4);
    const harbin = deep[0]!.children[0]!.children[0]!;
    expect(harbin.id).toBe('CN-230100');
    expect(harbin.children.map((d) => [d.name, d.level, d.photos])).toEqual([['道里区', 'district', 3]]);
    expect(tree[1]!.cover).toBe(last);
    // Known places: names of the library's places and their ancestors only.
    const known = service.knownPlaces()!;
    expect(known.matchAll('去哈尔滨和巴黎').map((m) => m.text)).toEqual(['哈尔滨', '巴黎']);
    expect(known.matchAll('南京')).toEqual([]);
    expect(service.knownPlaces()).toBe(known); // unchanged set: the same matcher
    add('n/1.jpg', { lat: 32.0603, lon: 118.7969 }); // 南京
    await runAll(new PlacesPass(lib));
    expect(service.knownPlaces()!.matchAll('南京').map((m) => m.places[0]!.id)).toEqual(['CN-320100']);
    // A filter narrows the counts (the grouped path).
    expect(service.tree({ folder: path.join(root, 'h') }).map((c) => [c.id, c.photos])).toEqual([['CN', 3]]);
  });

  it("tells where one photo was taken, coarse to fine, and whether from its GPS or its folder's name", async () => {
    const service = new PlacesService(lib);
    const byGps = add('h/1.jpg', HARBIN);
    const byFolder = add('西安/1.jpg');
    const nowhere = add('misc/1.jpg');
    await runAll(new PlacesPass(lib));
    expect(service.ofPhoto(byGps).slice(0, 3)).toEqual([
      { id: 'CN', name: '中国', level: 'country', fromFolder: false },
      { id: 'CN-230000', name: '黑龙江省', level: 'province', fromFolder: false },
      { id: 'CN-230100', name: '哈尔滨市', level: 'city', fromFolder: false },
    ]);
    expect(service.ofPhoto(byFolder).map((p) => [p.name, p.fromFolder])).toEqual([
      ['中国', true],
      ['陕西省', true],
      ['西安市', true],
    ]);
    expect(service.ofPhoto(nowhere)).toEqual([]);
  });
});
