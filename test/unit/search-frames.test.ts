/**
 * The KNN over video frames (search/frame-search.ts): the codes index answers what sqlite-vec's
 * exact scan answers — the same frames, the same scores — with the filter and the videos' scope
 * inside; it follows frames written after it was built without a rebuild, never returns a
 * deleted one, and rebuilds once many were removed. And the mixed list (mixed-pages.ts) pages
 * photos and segments in one keyset order across ties.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FrameSearch } from '../../electron/engine/search/frame-search.ts';
import { VisualList } from '../../electron/engine/search/mixed-pages.ts';
import { VectorSearch } from '../../electron/engine/search/vector-search.ts';
import { bySegmentOrder, DEFAULT_SEGMENT_MARGIN, videoSegments, type SegmentHit } from '../../electron/engine/search/video-segments.ts';
import { mergeSegments } from '../../electron/engine/video/segments.ts';
import { SAMPLING_DEFAULTS } from '../../electron/engine/video/frames.ts';
import { openLibrary, type Library } from '../../electron/engine/store/index.ts';
import type { ModelRow } from '../../electron/engine/store/rows.ts';
import { makeVectors } from '../bench/search/vectors.ts';

const ROOT = path.resolve('/lib');
const DIM = 32;
let lib: Library;
let model: ModelRow;
let folderId: number;
let frames: FrameSearch;

beforeEach(() => {
  lib = openLibrary(':memory:');
  model = lib.models.ensure('m', DIM);
  folderId = lib.folders.add(ROOT).id;
  frames = new FrameSearch(lib.videoFrames(model), { indexFrom: 1 });
});
afterEach(async () => {
  await frames.close();
  lib.close();
});

function addVideos(n: number, perVideo: number, seed: number, takenAt = (i: number) => Date.UTC(2020, 0, 1 + i)): number[] {
  const vecs = makeVectors('clip-like', n * perVideo, DIM, seed);
  const ids: number[] = [];
  lib.transaction(() => {
    for (let v = 0; v < n; v++) {
      const name = `v${seed}-${v}.mp4`;
      const row = lib.identity.insert({ path: path.join(ROOT, name), folderId, size: 1, mtimeMs: 1, fileId: null, kind: 'video' }, name);
      lib.videos.markIndexed(row.id, { hash: name, width: 1, height: 1, durationS: perVideo * 2, takenAt: takenAt(v), takenAtSource: 'exif', cameraMake: null, cameraModel: null, gpsLat: null, gpsLon: null });
      lib.videoFrames(model).replace(
        row.id,
        Array.from({ length: perVideo }, (_, f) => ({ t: f * 2, reason: 'interval' as const, vector: vecs.subarray((v * perVideo + f) * DIM, (v * perVideo + f + 1) * DIM) })),
      );
      ids.push(row.id);
    }
  });
  return ids;
}

const key = (hits: { frameId: number; score: number }[]) => hits.map((h) => `${h.frameId}:${h.score.toFixed(5)}`);

describe('frames: the codes index against sqlite-vec', () => {
  it('the same nearest frames, with the filter and the scope inside the query', async () => {
    const videos = addVideos(40, 12, 1);
    const query = makeVectors('clip-like', 3, DIM, 99);
    expect(frames.knn(query.subarray(0, DIM), 10)).toHaveLength(10);
    expect(frames.lastPath).toBe('sqlite'); // the index is built in the background meanwhile
    await frames.whenIdle();
    const scan = lib.videoFrames(model);
    for (let q = 0; q < 3; q++) {
      const v = query.subarray(q * DIM, (q + 1) * DIM);
      for (const [filter, scope] of [
        [{}, {}],
        [{ after: Date.UTC(2020, 0, 10), before: Date.UTC(2020, 0, 20) }, {}],
        [{}, { onlyVideos: videos.slice(0, 3) }],
        [{}, { exceptVideos: videos.slice(0, 20) }],
      ] as const) {
        const fast = frames.knn(v, 50, filter, scope);
        expect(frames.lastPath).toBe('index');
        expect(key(fast)).toEqual(key(scan.knn(v, 50, filter, scope)));
      }
    }
  });

  it('follows frames written after it was built, and never returns deleted ones', async () => {
    addVideos(20, 10, 2);
    frames.knn(new Float32Array(DIM).fill(0.1), 1);
    await frames.whenIdle();
    const [fresh] = addVideos(1, 10, 3);
    const q = lib.videoFrames(model).framesOf(fresh!)[4]!;
    const near = lib.videoFrames(model).frameNear(fresh!, q.t)!.vector;
    const hit = frames.knn(near, 1)[0]!;
    expect(frames.lastPath).toBe('index');
    expect(hit).toMatchObject({ photoId: fresh, t: q.t });
    expect(hit.score).toBeCloseTo(1, 5);
    lib.photos.delete(fresh!);
    expect(frames.knn(near, 30).some((h) => h.photoId === fresh)).toBe(false);
  });
});

describe('segments when the frames outnumber a round', () => {
  it('are the segments every frame scored gives (the frames a round leaves out only mark where segments end)', async () => {
    const videos = addVideos(120, 24, 5);
    frames.knn(new Float32Array(DIM).fill(0.1), 1);
    await frames.whenIdle();
    const repo = lib.videoFrames(model);
    const queries = makeVectors('clip-like', 4, DIM, 77);
    for (let q = 0; q < 4; q++) {
      const v = queries.subarray(q * DIM, (q + 1) * DIM);
      const got = videoSegments(frames, () => new Map(), v, {}, { maxVideos: 60 });
      const byVideo = new Set(got.map((s) => s.photoId));
      expect(byVideo.size).toBe(60);
      for (const id of byVideo) {
        // Reference: every frame of the video scored by sqlite-vec.
        const all = repo.knn(v, 24, {}, { onlyVideos: [id] }).map((h) => ({ t: h.t, score: h.score }));
        const best = Math.max(...all.map((f) => f.score));
        const want = mergeSegments(all, { threshold: best - DEFAULT_SEGMENT_MARGIN, intervalS: SAMPLING_DEFAULTS.intervalS }).map((s) => [s.start, s.end, s.bestTime]);
        const mine = got.filter((s) => s.photoId === id).sort((a, b) => a.segment.start - b.segment.start).map((s) => [s.segment.start, s.segment.end, s.segment.bestTime]);
        expect(mine).toEqual(want.sort((a, b) => a[0]! - b[0]!));
      }
    }
    expect(videos).toHaveLength(120);
  });
});

describe('the mixed list', () => {
  it('pages photos and segments in one order, ties included, without a repeat or a gap', () => {
    const vectors = lib.vectors(model);
    const search = new VectorSearch(vectors, lib.vectorLog, { mode: 'sqlite' });
    const e0 = new Float32Array(DIM);
    e0[0] = 1;
    const at = (c: number): Float32Array => {
      const v = new Float32Array(DIM);
      v[0] = c;
      v[1] = Math.sqrt(1 - c * c);
      return v;
    };
    const photos: number[] = [];
    lib.transaction(() => {
      for (let i = 0; i < 6; i++) {
        const row = lib.identity.insert({ path: path.join(ROOT, `p${i}.jpg`), folderId, size: 1, mtimeMs: 1, fileId: null }, `p${i}`);
        lib.photos.markIndexed(row.id, { width: 1, height: 1, takenAt: 1, takenAtSource: 'exif', cameraMake: null, cameraModel: null, gpsLat: null, gpsLon: null });
        vectors.upsert(row.id, at([0.9, 0.9, 0.7, 0.5, 0.3, 0.1][i]!));
        photos.push(row.id);
      }
    });
    // Segments tied exactly with the two best photos (their scores as the photo search gives them), and one between.
    const tie = search.page(e0, 1).hits[0]!.score;
    const segments: SegmentHit[] = [
      { photoId: 100, score: tie, segment: { start: 0, end: 2, bestTime: 0 } },
      { photoId: 100, score: 0.6, segment: { start: 8, end: 10, bestTime: 8 } },
      { photoId: 101, score: tie, segment: { start: 4, end: 6, bestTime: 4 } },
    ].sort(bySegmentOrder);
    const list = new VisualList(search, {}, segments);
    const all = list.page(e0, 100).hits.map((h) => `${h.photoId}${h.segment ? `@${h.segment.start}` : ''}`);
    expect(all).toHaveLength(9);
    const paged: string[] = [];
    for (const size of [1, 2, 4]) {
      paged.length = 0;
      let after;
      for (;;) {
        const p = list.page(e0, size, after);
        paged.push(...p.hits.map((h) => `${h.photoId}${h.segment ? `@${h.segment.start}` : ''}`));
        if (!p.next) break;
        after = p.next;
      }
      expect(paged).toEqual(all);
    }
    // Photos first among equals (a photo's key has no start), then by id: p0, p1, video 100@0, 101@4.
    expect(all.slice(0, 4)).toEqual([String(photos[0]), String(photos[1]), '100@0', '101@4']);
    // Videos only: the photo side is left out.
    expect(new VisualList(search, null, segments).page(e0, 10).hits.every((h) => h.segment)).toBe(true);
  });
});
