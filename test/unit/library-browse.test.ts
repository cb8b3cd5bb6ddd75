/**
 * Browsing: the photos one photo filter selects, newest first, paged with a keyset cursor — the
 * same filter and the same translator as searches (store/photo-filter.ts), so tag lists, albums
 * and date ranges are narrowed by the engine, never after the fact by the renderer.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LibraryService } from '../../electron/engine/library/library-service.ts';
import { openLibrary, type Library } from '../../electron/engine/store/index.ts';

const ROOT = path.resolve('/photos');
const day = (iso: string): number => Date.parse(`${iso}T10:00:00`);

let lib: Library;
let service: LibraryService;
beforeEach(() => {
  lib = openLibrary(':memory:');
  service = new LibraryService(lib);
});
afterEach(() => lib.close());

function add(file: string, takenAt: number | null): number {
  const folder = lib.folders.add(ROOT);
  const { row } = lib.photos.upsertDiscovered({ path: path.join(ROOT, file), folderId: folder.id, size: 1, mtimeMs: 1 });
  lib.photos.markIndexed(row.id, { width: 10, height: 10, takenAt, takenAtSource: takenAt === null ? null : 'exif', cameraMake: null, cameraModel: null, gpsLat: null, gpsLon: null });
  return row.id;
}

const ids = (filter: Parameters<LibraryService['browse']>[0], limit = 100) => service.browse(filter, limit).hits.map((h) => h.id);

describe('browsing by the photo filter', () => {
  it('narrows by folder subtree (by path segment, not by prefix), dates and tag; newest first', () => {
    const a1 = add('a/1.jpg', day('2024-05-01'));
    const a2 = add('a/2.jpg', day('2024-05-02'));
    const ax = add('a/x/3.jpg', null);
    const old = add('a-old/4.jpg', day('2024-05-03'));
    expect(ids({})).toEqual([old, a2, a1, ax]);
    expect(ids({ folder: path.join(ROOT, 'a') })).toEqual([a2, a1, ax]);
    expect(ids({ after: '2024-05-02' })).toEqual([old, a2]);
    expect(ids({ before: '2024-05-01' })).toEqual([a1]);
    const tag = lib.tags.upsertTag({ name: '猫' });
    lib.tags.replacePhotoTags(a1, [{ tagId: tag, score: 0.9 }]);
    lib.tags.replacePhotoTags(old, [{ tagId: tag, score: 0.5 }]);
    expect(ids({ tag: '猫' })).toEqual([old, a1]);
    expect(ids({ tag: '猫', folder: path.join(ROOT, 'a') })).toEqual([a1]);
    expect(service.browse({ tag: '猫' }, 10).matched).toBe(2);
  });

  it('pages with a cursor that neither repeats nor skips a photo when photos arrive between pages', () => {
    const dates = Array.from({ length: 9 }, (_, i) => add(`p${i}.jpg`, i === 4 ? null : day(`2024-01-0${i + 1}`)));
    const first = service.browse({}, 4);
    expect(first.matched).toBe(9);
    // A newer photo and an older one arrive after the first page was shown.
    const newer = add('new.jpg', day('2025-01-01'));
    const older = add('older.jpg', day('2020-01-01'));
    const seen = [...first.hits.map((h) => h.id)];
    for (let cursor = first.nextCursor; cursor; ) {
      const page = service.browse({}, 4, cursor);
      expect(page.matched).toBeUndefined();
      seen.push(...page.hits.map((h) => h.id));
      cursor = page.nextCursor;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).not.toContain(newer);
    expect(seen).toContain(older);
    expect(seen.filter((id) => dates.includes(id))).toHaveLength(9);
    // The undated photo comes last.
    expect(seen.at(-1)).toBe(dates[4]);
  });

  it('refuses a cursor of another filter, and a reversed date range', () => {
    add('a.jpg', day('2024-05-01'));
    add('b.jpg', day('2024-05-02'));
    const page = service.browse({}, 1);
    expect(() => service.browse({ tag: '猫' }, 1, page.nextCursor!)).toThrow(/another list/);
    expect(() => service.browse({}, 1, 'garbage')).toThrow(/not a browse cursor/);
    expect(() => service.browse({ after: '2024-06-01', before: '2024-05-01' }, 1)).toThrow(/date range is empty/);
  });
});
