import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openLibrary, type Library } from '../../electron/engine/store/library.ts';
import { TagService } from '../../electron/engine/tags/service.ts';
import { parseTaxonomy, type Taxonomy } from '../../electron/engine/tags/taxonomy.ts';
import { axis, colourTaxonomyJson, ColourEmbedder, DIM, mix } from './tags-fakes.ts';

const RED = 0;
const PURPLE = 5;
const BLUE = 4;
const root = path.resolve('/library');
const trip = path.join(root, 'trip');
const home = path.join(root, 'home');

let lib: Library;
let taxonomy: Taxonomy;

function addPhoto(file: string, vector: Float32Array, takenAt: number | null = null): number {
  const folder = lib.folders.byPath(root) ?? lib.folders.add(root);
  const { row } = lib.photos.upsertDiscovered({ path: file, folderId: folder.id, size: 1, mtimeMs: 1 });
  lib.photos.markIndexed(row.id, { width: 1, height: 1, takenAt, takenAtSource: takenAt ? 'exif' : null, cameraMake: null, cameraModel: null, gpsLat: null, gpsLon: null });
  vectorsOf(lib).upsert(row.id, vector);
  return row.id;
}

const vectorsOf = (l: Library) => l.vectors(l.models.ensure('fake-colours', DIM));

function service(embedder = new ColourEmbedder(), tax = taxonomy): TagService {
  return new TagService(lib, () => vectorsOf(lib), () => embedder, { taxonomy: tax, album: { minPhotos: 1 } });
}

const tagsOf = (id: number): string[] => lib.tags.photoTags(id).map((t) => t.name);

beforeEach(() => {
  lib = openLibrary(':memory:');
  taxonomy = parseTaxonomy(colourTaxonomyJson());
});
afterEach(() => lib.close());

describe('TagService', () => {
  it('tags the library and new photos as they arrive', async () => {
    const july = new Date(2023, 6, 10).getTime();
    const red = addPhoto(path.join(trip, 'a.jpg'), axis(RED), july);
    const blue = addPhoto(path.join(trip, 'b.jpg'), axis(BLUE), july);
    const none = addPhoto(path.join(trip, 'c.jpg'), axis(9), july);
    const s = service();
    expect(await s.tagAll()).toEqual({ photos: 3, assigned: 2 });
    expect(tagsOf(red)).toEqual(['红色']);
    expect(tagsOf(blue)).toEqual(['蓝色']);
    expect(tagsOf(none)).toEqual([]);

    const later = addPhoto(path.join(home, 'd.jpg'), mix([RED, 1], [1, 1]));
    expect(await s.tagPhotos([later, 999])).toEqual({ photos: 1, assigned: 2 });
    expect(tagsOf(later).sort()).toEqual(['橙色', '红色']);
    expect(tagsOf(red)).toEqual(['红色']); // untouched
  });

  it('keeps tag vectors in the store per model and recomputes only when needed', async () => {
    addPhoto(path.join(trip, 'a.jpg'), axis(RED));
    const a = new ColourEmbedder('model-a');
    expect(await service(a).ensureTagVectors()).toEqual({ tags: 9, computed: 9 });
    const texts = a.texts;

    const again = new ColourEmbedder('model-a');
    expect(await service(again).ensureTagVectors()).toEqual({ tags: 9, computed: 0 });
    expect(again.texts).toBe(0);
    expect(texts).toBe(27);

    const other = new ColourEmbedder('model-b');
    expect((await service(other).ensureTagVectors()).computed).toBe(9);

    // Editing one tag's synonyms re-encodes that tag alone.
    const edited = structuredClone(colourTaxonomyJson()) as { tags: { synonyms?: string[] }[] };
    edited.tags[0]!.synonyms = ['赤红'];
    const e = new ColourEmbedder('model-a');
    expect((await service(e, parseTaxonomy(edited)).ensureTagVectors()).computed).toBe(1);
  });

  it('drops built-in tags the taxonomy no longer has, keeping custom ones', async () => {
    addPhoto(path.join(trip, 'a.jpg'), axis(RED));
    const s = service();
    await s.tagAll();
    await s.addCustomTag('红紫');
    const smaller = structuredClone(colourTaxonomyJson()) as { tags: unknown[] };
    smaller.tags = smaller.tags.slice(1); // 红色 is gone
    await service(new ColourEmbedder(), parseTaxonomy(smaller)).ensureTagVectors();
    const names = lib.tags.listTags().map((t) => t.name);
    expect(names).not.toContain('红色');
    expect(names).toContain('红紫');
    expect(names).toHaveLength(9);
  });

  it('adds a custom tag to the photos it fits, lists it, and removes it with its assignments', async () => {
    const both = addPhoto(path.join(trip, 'a.jpg'), mix([RED, 1], [PURPLE, 1]));
    const red = addPhoto(path.join(trip, 'b.jpg'), axis(RED));
    const blue = addPhoto(path.join(trip, 'c.jpg'), axis(BLUE));
    const s = service();
    await s.tagAll();

    const info = await s.addCustomTag('  红紫 ');
    expect(info).toEqual({ name: '红紫', nameEn: null, family: 'custom', familyName: null, custom: true, photoCount: 1 });
    expect(tagsOf(both)).toContain('红紫');
    expect(tagsOf(red)).not.toContain('红紫');
    expect(s.listTags().find((t) => t.name === '红紫')).toMatchObject({ custom: true, photoCount: 1 });

    // A photo indexed later competes for the custom tag too.
    const later = addPhoto(path.join(home, 'd.jpg'), mix([RED, 1], [PURPLE, 0.9]));
    await s.tagPhotos([later]);
    expect(tagsOf(later)).toContain('红紫');

    expect(await s.removeTag('红紫')).toEqual({ removed: true });
    expect(tagsOf(both)).not.toContain('红紫');
    expect(tagsOf(later)).not.toContain('红紫');
    expect(await s.removeTag('红紫')).toEqual({ removed: false });
    await s.tagPhotos([later]);
    expect(tagsOf(later)).not.toContain('红紫'); // gone from the matrix as well
    expect(tagsOf(blue)).toEqual(['蓝色']);
  });

  it('does not duplicate a taxonomy tag as a custom one, and refuses to remove built-in tags', async () => {
    addPhoto(path.join(trip, 'a.jpg'), axis(RED));
    const s = service();
    await s.tagAll();
    expect(await s.addCustomTag('红色')).toMatchObject({ name: '红色', custom: false, family: 'colour', familyName: { zh: '颜色', en: 'Colours' }, photoCount: 1 });
    await expect(s.removeTag('红色')).rejects.toThrow(/built-in/);
  });

  it('summarises a folder and lists albums per directory', async () => {
    const summer = new Date(2023, 6, 1).getTime();
    const blue: number[] = [];
    for (let i = 0; i < 4; i++) blue.push(addPhoto(path.join(trip, `b${i}.jpg`), axis(BLUE), summer + i * 86_400_000));
    // The newest photo is the red one: the cover must still show what the album is about.
    addPhoto(path.join(trip, 'r.jpg'), axis(RED), summer + 10 * 86_400_000);
    addPhoto(path.join(home, 'x.jpg'), axis(3), new Date(2021, 0, 5).getTime());
    const s = service();
    await s.tagAll();

    const album = s.albumSummary(trip);
    expect(album).toMatchObject({ folder: trip, photoCount: 5, title: '蓝色 · 红色 · 2023年夏' });
    expect(album.tags[0]).toEqual({ name: '蓝色', weight: expect.closeTo(0.8, 2) });
    expect(blue).toContain(album.cover);

    expect(s.albumSummary(root).photoCount).toBe(6);
    const albums = s.albums();
    expect(albums.map((a) => [a.folder, a.title])).toEqual([
      [home, '绿色 · 2021年冬'],
      [trip, '蓝色 · 红色 · 2023年夏'],
    ]);
  });
});
