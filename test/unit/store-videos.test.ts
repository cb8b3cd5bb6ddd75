/**
 * The store's side of videos (migration 7): a library from before videos opens with its photos as
 * photos and a frame table per model; a video's frames are written with its row, found by KNN with
 * the photo filter inside the query, and leave with the video (deleted, skipped), its model
 * (retired) — and the photo pipeline, the passes and OCR never see a video.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS, openDatabase, openLibrary, type Library } from '../../electron/engine/store/index.ts';
import type { ModelRow } from '../../electron/engine/store/rows.ts';

const ROOT = path.resolve('/lib');
let lib: Library;
let model: ModelRow;
let folderId: number;

beforeEach(() => {
  lib = openLibrary(':memory:');
  model = lib.models.ensure('test-model', 4);
  folderId = lib.folders.add(ROOT).id;
});
afterEach(() => lib.close());

const e = (i: number): Float32Array => Float32Array.from([0, 1, 2, 3].map((k) => (k === i ? 1 : 0.01)));

function video(name: string, takenAt: number): number {
  const row = lib.identity.insert({ path: path.join(ROOT, name), folderId, size: 10, mtimeMs: 1, fileId: null, kind: 'video' }, `hash-${name}`);
  lib.videos.markIndexed(row.id, { hash: `hash-${name}`, width: 4, height: 2, durationS: 6, takenAt, takenAtSource: 'exif', cameraMake: null, cameraModel: null, gpsLat: null, gpsLon: null });
  return row.id;
}

const frameCount = (): number => lib.db.sql.prepare('SELECT count(*) FROM vframes_1_rowids').pluck().get() as number;

describe('videos in the store', () => {
  it('frames go in with the video and come out by KNN, with the filter inside the query', () => {
    const frames = lib.videoFrames(model);
    expect(frames.hasAny()).toBe(false);
    const a = video('a.mp4', Date.UTC(2020, 0, 1));
    const b = video('b.mp4', Date.UTC(2023, 0, 1));
    frames.replace(a, [
      { t: 0, reason: 'first', vector: e(0) },
      { t: 2, reason: 'interval', vector: e(1) },
    ]);
    frames.replace(b, [{ t: 0, reason: 'first', vector: Float32Array.from([0.3, 1, 0.01, 0.01]) }]);
    expect(frames.hasAny()).toBe(true);
    const hits = frames.knn(e(1), 10);
    expect(hits.map((h) => [h.photoId, h.t])).toEqual([
      [a, 2],
      [b, 0],
      [a, 0],
    ]);
    expect(hits[0]!.score).toBeCloseTo(1, 3);
    expect(frames.knn(e(1), 10, { after: Date.UTC(2022, 0, 1) }).map((h) => h.photoId)).toEqual([b]);
    expect(frames.knn(e(1), 10, {}, { exceptVideos: [b] }).map((h) => h.photoId)).toEqual([a, a]);
    expect(frames.knn(e(1), 10, {}, { onlyVideos: [b] }).map((h) => h.photoId)).toEqual([b]);
    expect(frames.frameNear(a, 1.9)).toMatchObject({ t: 2 });
    expect(frames.frameCounts([a, b])).toEqual(new Map([[a, 2], [b, 1]]));
    // Replacing keeps one set per model.
    frames.replace(a, [{ t: 1, reason: 'first', vector: e(2) }]);
    expect(frames.framesOf(a).map((f) => f.t)).toEqual([1]);
    expect(frameCount()).toBe(2);
  });

  it('a deleted or skipped video loses its frames and their vectors; a retired model drops its table', () => {
    const frames = lib.videoFrames(model);
    const a = video('a.mp4', 1);
    const b = video('b.mp4', 1);
    frames.replace(a, [{ t: 0, reason: 'first', vector: e(0) }]);
    frames.replace(b, [{ t: 0, reason: 'first', vector: e(0) }, { t: 2, reason: 'interval', vector: e(1) }]);
    lib.photos.markSkipped(a, 'truncated: cut off');
    expect(frames.framesOf(a)).toEqual([]);
    expect(frameCount()).toBe(2);
    lib.photos.delete(b);
    expect(frameCount()).toBe(0);
    const c = video('c.mp4', 1);
    frames.replace(c, [{ t: 0, reason: 'first', vector: e(0) }]);
    lib.models.ensure('other-model', 4);
    lib.models.activate('other-model');
    expect(lib.db.sql.prepare(`SELECT count(*) FROM sqlite_master WHERE name = 'vframes_1'`).pluck().get()).toBe(0);
    expect(lib.db.sql.prepare('SELECT count(*) FROM video_frames').pluck().get()).toBe(0);
    lib.photos.delete(c); // no trigger left behind that names the dropped table
  });

  it('photos-only readers never see a video: the pipeline, the passes, OCR; the video pass owes it until it has frames', () => {
    const p = lib.identity.insert({ path: path.join(ROOT, 'p.jpg'), folderId, size: 1, mtimeMs: 1, fileId: null }, 'hp');
    const pending = lib.identity.insert({ path: path.join(ROOT, 'new.mp4'), folderId, size: 1, mtimeMs: 1, fileId: null, kind: 'video' }, 'hv');
    expect(lib.photos.listPending(10).map((r) => r.id)).toEqual([p.id]);
    expect(lib.videos.owed(model.id, 10).map((r) => r.id)).toEqual([pending.id]);
    const v = video('done.mp4', 1);
    expect(lib.photos.missingVectors(model.id, 10)).toEqual([]);
    expect(lib.passState.owed('tags', '1', 10)).toEqual([]);
    expect(lib.ocrText.pending('engine', 10, 0)).toEqual([]);
    // Indexed, no frames for this model (a model switch): owed again, and it holds the switch up.
    expect(lib.videos.owed(model.id, 10).map((r) => r.id)).toEqual([pending.id, v]);
    expect(lib.videos.missingFrames(model.id)).toBe(1);
    lib.videoFrames(model).replace(v, [{ t: 0, reason: 'first', vector: e(0) }]);
    expect(lib.videos.counts(model.id)).toEqual({ done: 1, failed: 0, pending: 1 });
    expect(lib.photos.videoCounts()).toEqual({ indexed: 1, pending: 1, skipped: 0 });
    expect(lib.photos.counts()).toEqual({ indexed: 1, pending: 2, skipped: 0 });
  });

  it("a byte-identical copy finds a twin only among indexed videos with this model's frames, and takes its frames and row facts", () => {
    const frames = lib.videoFrames(model);
    const other = lib.models.ensure('other-model', 4);
    const a = video('a.mp4', Date.UTC(2021, 4, 1));
    lib.db.sql.prepare('UPDATE photos SET gps_lat = 31.2, gps_lon = 121.5, camera_make = ? WHERE id = ?').run('Apple', a);
    const copyRow = lib.identity.insert({ path: path.join(ROOT, 'backup', 'a.mp4'), folderId, size: 10, mtimeMs: 99, fileId: null, kind: 'video' }, 'hash-a.mp4');
    // No frames yet: an indexed row alone is no twin.
    expect(lib.videos.indexedTwinWithFrames('hash-a.mp4', copyRow.id, model.id)).toBeUndefined();
    frames.replace(a, [
      { t: 0, reason: 'first', vector: e(0) },
      { t: 2.5, reason: 'scene', vector: e(3) },
    ]);
    expect(lib.videos.indexedTwinWithFrames('hash-a.mp4', copyRow.id, model.id)).toBe(a);
    // Not itself, not another model's frames, not other bytes; a photo's row is never a video's twin.
    expect(lib.videos.indexedTwinWithFrames('hash-a.mp4', a, model.id)).toBeUndefined(); // the copy itself is still pending
    expect(lib.videos.indexedTwinWithFrames('hash-a.mp4', copyRow.id, other.id)).toBeUndefined();
    expect(lib.videos.indexedTwinWithFrames('hash-b.mp4', copyRow.id, model.id)).toBeUndefined();
    const photo = lib.identity.insert({ path: path.join(ROOT, 'a-as.jpg'), folderId, size: 10, mtimeMs: 1, fileId: null }, 'hash-photo');
    expect(() => lib.photos.copyIndexedMetadata(photo.id, copyRow.id)).toThrow(/kind/);

    const copied = frames.framesToCopy(a);
    expect(copied.map((f) => [f.t, f.reason])).toEqual([
      [0, 'first'],
      [2.5, 'scene'],
    ]);
    expect(Array.from(copied[1]!.vector)).toEqual(Array.from(e(3)));
    frames.replace(copyRow.id, copied);
    lib.photos.copyIndexedMetadata(a, copyRow.id);
    const got = lib.photos.get(copyRow.id)!;
    expect(got).toMatchObject({ status: 'indexed', kind: 'video', durationS: 6, width: 4, height: 2, takenAt: Date.UTC(2021, 4, 1), takenAtSource: 'exif', gpsLat: 31.2, cameraMake: 'Apple' });
    expect(frames.knn(e(3), 10).map((h) => [h.photoId, h.t])).toEqual(expect.arrayContaining([[a, 2.5], [copyRow.id, 2.5]]));
    expect(lib.videos.counts(model.id)).toEqual({ done: 2, failed: 0, pending: 0 });
    // The twin gone later: the copy keeps what it was given.
    lib.photos.delete(a);
    expect(frames.framesOf(copyRow.id).map((f) => f.t)).toEqual([0, 2.5]);
  });

  it('a library from before videos opens with its photos as photos and a frame table for its model', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-store-videos-'));
    try {
      const file = path.join(dir, 'library.db');
      const old = openDatabase(file, { migrations: MIGRATIONS.slice(0, 6) });
      old.sql.exec(`INSERT INTO folders (id, path, added_at) VALUES (1, '/lib', 0);
        INSERT INTO photos (path, folder_id, dir, size, mtime_ms, status, updated_at) VALUES ('/lib/a.jpg', 1, '/lib/', 1, 1, 'indexed', 0);
        INSERT INTO models (model_key, dim, state, vec_table, created_at) VALUES ('m', 4, 'active', 'vec_1', 0);`);
      old.close();
      const now = openLibrary(file);
      expect(now.photos.getByPath('/lib/a.jpg')).toMatchObject({ kind: 'photo', durationS: null });
      const m = now.models.ensure('m', 4);
      expect(now.videoFrames(m).hasAny()).toBe(false);
      now.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
