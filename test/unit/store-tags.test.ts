import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openLibrary, type Library } from '../../electron/engine/store/index.ts';

let lib: Library;
let photos: number[];
beforeEach(() => {
  lib = openLibrary(':memory:');
  const folderId = lib.folders.add(path.resolve('/p')).id;
  photos = [1, 2, 3].map(
    (i) => lib.photos.upsertDiscovered({ path: path.resolve('/p', `${i}.jpg`), folderId, size: 1, mtimeMs: 1 }).row.id,
  );
});
afterEach(() => lib.close());

describe('tags', () => {
  it('upserts by name, keeping the id', () => {
    const id = lib.tags.upsertTag({ name: '猫', nameEn: 'cat', family: 'animal', synonyms: ['猫咪', '小猫'] });
    expect(lib.tags.upsertTag({ name: '猫', nameEn: 'kitty', family: 'animal', synonyms: ['猫咪'] })).toBe(id);
    expect(lib.tags.getTag('猫')).toMatchObject({ id, nameEn: 'kitty', family: 'animal', synonyms: ['猫咪'], custom: false });
    const custom = lib.tags.upsertTag({ name: '我家的狗', custom: true });
    expect(lib.tags.getTag('我家的狗')).toMatchObject({ id: custom, custom: true, synonyms: [], nameEn: null });
  });

  it('reads the tags of many photos in one call, each list ordered like photoTags', () => {
    const cat = lib.tags.upsertTag({ name: '猫' });
    const sea = lib.tags.upsertTag({ name: '海边' });
    lib.tags.replacePhotoTags(photos[0], [
      { tagId: cat, score: 0.4 },
      { tagId: sea, score: 0.9 },
    ]);
    lib.tags.replacePhotoTags(photos[2], [{ tagId: cat, score: 0.8 }]);
    const many = lib.tags.photoTagsMany([photos[2], photos[1], photos[0]]);
    expect([...many.keys()]).toEqual([photos[2], photos[1], photos[0]]);
    for (const id of photos) expect(many.get(id)).toEqual(lib.tags.photoTags(id));
    expect(many.get(photos[0])!.map((t) => t.name)).toEqual(['海边', '猫']);
    expect(many.get(photos[1])).toEqual([]);
    expect(lib.tags.photoTagsMany([]).size).toBe(0);
  });

  it('round-trips assignments per photo and per tag', () => {
    const cat = lib.tags.upsertTag({ name: '猫' });
    const sea = lib.tags.upsertTag({ name: '海边' });
    lib.tags.replacePhotoTags(photos[0], [
      { tagId: cat, score: 0.4 },
      { tagId: sea, score: 0.9 },
    ]);
    lib.tags.replacePhotoTags(photos[1], [{ tagId: cat, score: 0.8 }]);
    expect(lib.tags.photoTags(photos[0])).toEqual([
      { name: '海边', score: expect.closeTo(0.9, 6) },
      { name: '猫', score: expect.closeTo(0.4, 6) },
    ]);
    expect(lib.tags.photosByTag('猫', 10).map((p) => p.photoId)).toEqual([photos[1], photos[0]]);
    expect(lib.tags.photosByTag('猫', 1).map((p) => p.photoId)).toEqual([photos[1]]);

    lib.tags.replacePhotoTags(photos[0], [{ tagId: cat, score: 0.5 }]);
    expect(lib.tags.photoTags(photos[0]).map((t) => t.name)).toEqual(['猫']);

    lib.tags.replaceTagAssignments(cat, [{ photoId: photos[2], score: 0.7 }]);
    expect(lib.tags.photosByTag('猫', 10)).toEqual([{ photoId: photos[2], score: expect.closeTo(0.7, 6) }]);

    lib.tags.replacePhotoTagsMany([
      { photoId: photos[0], tags: [{ tagId: sea, score: 0.3 }] },
      { photoId: photos[1], tags: [{ tagId: sea, score: 0.6 }] },
    ]);
    expect(lib.tags.listTags().map((t) => [t.name, t.photoCount])).toEqual([
      ['海边', 2],
      ['猫', 1],
    ]);
  });

  it('a failing bulk assignment leaves the previous assignments in place', () => {
    const cat = lib.tags.upsertTag({ name: '猫' });
    lib.tags.replaceTagAssignments(cat, [{ photoId: photos[0], score: 0.5 }]);
    expect(() => lib.tags.replaceTagAssignments(cat, [{ photoId: photos[1], score: 0.5 }, { photoId: 9999, score: 0.5 }])).toThrow();
    expect(lib.tags.photosByTag('猫', 10).map((p) => p.photoId)).toEqual([photos[0]]);
  });

  it('caches tag vectors per model and fingerprint; removing a tag cascades', () => {
    const cat = lib.tags.upsertTag({ name: '猫' });
    const v = Float32Array.from([0.25, -0.5, 1]);
    lib.tags.setTagVector('m', cat, 'fp1', v);
    expect(lib.tags.getTagVector('m', cat, 'fp1')).toEqual(v);
    expect(lib.tags.getTagVector('m', cat, 'fp2')).toBeUndefined();
    expect(lib.tags.getTagVector('other', cat, 'fp1')).toBeUndefined();
    lib.tags.setTagVector('m', cat, 'fp2', Float32Array.from([1, 1, 1]));
    expect(lib.tags.getTagVector('m', cat, 'fp1')).toBeUndefined();

    lib.tags.replacePhotoTags(photos[0], [{ tagId: cat, score: 1 }]);
    expect(lib.tags.removeTag('猫')).toBe(true);
    expect(lib.tags.removeTag('猫')).toBe(false);
    expect(lib.tags.photoTags(photos[0])).toEqual([]);
    expect(lib.tags.getTagVector('m', cat, 'fp2')).toBeUndefined();
  });
});

describe('settings', () => {
  it('stores JSON values', () => {
    expect(lib.settings.get('missing')).toBeUndefined();
    lib.settings.set('activeModel', 'cn-clip-vit-b-16');
    lib.settings.set('opts', { threshold: 0.2, list: [1, 2] });
    expect(lib.settings.get<string>('activeModel')).toBe('cn-clip-vit-b-16');
    expect(lib.settings.get('opts')).toEqual({ threshold: 0.2, list: [1, 2] });
    lib.settings.set('activeModel', 'other');
    expect(lib.settings.get('activeModel')).toBe('other');
    expect(lib.settings.delete('activeModel')).toBe(true);
    lib.settings.set('opts', undefined);
    expect(lib.settings.get('opts')).toBeUndefined();
  });
});
