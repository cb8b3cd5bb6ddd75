/**
 * BENCH_ONLY=video-search: what videos cost searches, in one run.
 *
 *   photoOnly   a photo-only library of BENCH_VECTORS CLIP-like photos (dataset.ts): the first page
 *               of UI_PAGE_SIZE through SearchService (what the API runs now: the side filters, the
 *               frames check, the mixed list, the hits with their tags) against what
 *               SearchService.page did before videos, line for line (the vector page, the rows,
 *               the tags: `pageAsBefore`), and the bare vector page, interleaved query by query;
 *               p50/p95 and the ratio of medians
 *   withFrames  the same library (a copy) with videos beside the photos: 100 and 1 000 videos of 30
 *               frames (3k / 30k frames; BENCH_VIDEO_FRAMES=150000 adds 5 000 videos), the first
 *               page through SearchService, and the video side alone (frames KNN → segments) with
 *               the frames' codes index (FrameSearch) and with sqlite-vec's scan, and the index's
 *               build time
 *
 * The query vectors are the dataset's text-like queries, handed to SearchService by a stub
 * embedder (the text tower's time is not what is measured here; `searchMs` is).
 */
import fs from 'node:fs';
import path from 'node:path';
import { FrameSearch } from '../../../electron/engine/search/frame-search.ts';
import { SearchService, type QueryEmbedder } from '../../../electron/engine/search/search-service.ts';
import { VectorSearch } from '../../../electron/engine/search/vector-search.ts';
import { sideFilters, videoSegments } from '../../../electron/engine/search/video-segments.ts';
import { openLibrary, type Library } from '../../../electron/engine/store/index.ts';
import { attachTags, toHit } from '../../../electron/engine/library/photo-hits.ts';
import { UI_PAGE_SIZE } from '../../../electron/shared/paging.ts';
import { openDataset } from './dataset.ts';
import { makeVectors } from './vectors.ts';

const r2 = (x: number): number => Math.round(x * 100) / 100;
const pct = (xs: number[], p: number): number => r2([...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!);
const ROUNDS = 5;
const FRAMES_PER_VIDEO = 30;

function stubEmbedder(queries: Float32Array[]): QueryEmbedder {
  return {
    preprocessSpec: { resolution: 224, mean: [0, 0, 0], std: [1, 1, 1], resize: 'bicubic' },
    embedTexts: async (texts) => texts.map((t) => queries[Number(t.slice(1))]!),
    embedImageTensors: async () => {
      throw new Error('not used');
    },
  };
}

/** SearchService.page as it was before videos (main at eeabe40): the vector page, its rows, their tags. */
function pageAsBefore(lib: Library, search: VectorSearch, q: Float32Array): number {
  const page = search.page(q, UI_PAGE_SIZE, {});
  const byId = new Map(lib.photos.getMany(page.hits.map((h) => h.photoId)).map((r) => [r.id, r]));
  const hits = attachTags(
    lib,
    page.hits.flatMap((f) => {
      const r = byId.get(f.photoId);
      return r ? [toHit(r, f.score)] : [];
    }),
  );
  return hits.length;
}

/** First pages of every query, `rounds` times, through SearchService and (when asked) the pre-video page and the bare vector page, interleaved. */
async function firstPages(lib: Library, search: VectorSearch, frames: FrameSearch, queries: Float32Array[], bare: boolean): Promise<{ service: number[]; before: number[]; bare: number[] }> {
  const out = { service: [] as number[], before: [] as number[], bare: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    // A new service per round: query vectors and segment lists are not cached across rounds.
    const service = new SearchService(lib, () => ({ embedder: stubEmbedder(queries), vectors: search, frames }));
    for (let q = 0; q < queries.length; q++) {
      const r = await service.text(`q${q}`, UI_PAGE_SIZE, {}, undefined, 'visual');
      out.service.push(r.searchMs);
      if (bare) {
        // Each call a query the previous call did not ask: the index keeps the last query's scores
        // for its next page, which would favour whichever ran second.
        const t0 = performance.now();
        pageAsBefore(lib, search, queries[(q + 7) % queries.length]!);
        out.before.push(performance.now() - t0);
        const t1 = performance.now();
        search.page(queries[(q + 13) % queries.length]!, UI_PAGE_SIZE, {});
        out.bare.push(performance.now() - t1);
      }
    }
  }
  return out;
}

/** Adds `videos` videos of FRAMES_PER_VIDEO CLIP-like frames each (consecutive frames share a scene, as vectors.ts makes bursts). */
function addVideos(lib: Library, videos: number, firstIndex: number): void {
  const model = lib.models.active()!;
  const frames = lib.videoFrames(model);
  const folderId = lib.folders.list()[0]!.id;
  const root = lib.folders.list()[0]!.path;
  const vectors = makeVectors('clip-like', videos * FRAMES_PER_VIDEO, model.dim, 7 + firstIndex);
  for (let base = 0; base < videos; base += 500) {
    lib.transaction(() => {
      for (let v = base; v < Math.min(videos, base + 500); v++) {
        const i = firstIndex + v;
        const row = lib.identity.insert({ path: path.join(root, 'videos', `VID_${i}.mp4`), folderId, size: 1, mtimeMs: 1, fileId: null, kind: 'video' }, `video-${i}`);
        lib.videos.markIndexed(row.id, { hash: `video-${i}`, width: 1920, height: 1080, durationS: 60, takenAt: Date.UTC(2022, 0, 1) + i * 60_000, takenAtSource: 'exif', cameraMake: null, cameraModel: null, gpsLat: null, gpsLon: null });
        frames.replace(
          row.id,
          Array.from({ length: FRAMES_PER_VIDEO }, (_, f) => ({ t: f * 2, reason: f === 0 ? ('first' as const) : ('interval' as const), vector: vectors.subarray((v * FRAMES_PER_VIDEO + f) * model.dim, (v * FRAMES_PER_VIDEO + f + 1) * model.dim) })),
        );
      }
    });
  }
}

export async function benchVideoSearch(opts: { n: number; log: (m: string) => void }): Promise<Record<string, unknown>> {
  const { log } = opts;
  const d = openDataset(opts.n, 'clip-like', 20);
  const queries = d.queries;
  const out: Record<string, unknown> = { photos: opts.n, uiPageSize: UI_PAGE_SIZE, queries: queries.length, rounds: ROUNDS };
  try {
    const search = new VectorSearch(d.repo, d.lib.vectorLog, { dir: null });
    search.warmIndex();
    await search.whenIdle();
    const frames = new FrameSearch(d.lib.videoFrames(d.lib.models.active()!));
    const photoOnly = await firstPages(d.lib, search, frames, queries, true);
    // What a photo-only library's query does now that it did not before, alone: the side filters
    // and the one EXISTS read that finds no frame (the rest of the path is the pre-video code's).
    const n = 20_000;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) if (sideFilters({}).videos && frames.hasAny()) throw new Error('a photo-only library has frames');
    const addedWorkUs = r2(((performance.now() - t0) * 1000) / n);
    out.photoOnly = {
      serviceMs: { p50: pct(photoOnly.service, 50), p95: pct(photoOnly.service, 95) },
      beforeVideosMs: { p50: pct(photoOnly.before, 50), p95: pct(photoOnly.before, 95) },
      vectorPageMs: { p50: pct(photoOnly.bare, 50), p95: pct(photoOnly.bare, 95) },
      ratioOfMedians: r2(pct(photoOnly.service, 50) / pct(photoOnly.before, 50)),
      addedWorkUs,
      path: search.lastSearchPath,
    };
    log(`video-search photo-only: ${JSON.stringify(out.photoOnly)}`);
    await search.close({ save: false });
  } finally {
    d.close();
  }

  // Videos beside the photos, in a copy of the dataset.
  const copy = `${d.dbFile}.with-videos`;
  fs.copyFileSync(d.dbFile, copy);
  const lib = openLibrary(copy);
  try {
    const search = new VectorSearch(lib.vectors(lib.models.active()!), lib.vectorLog, { dir: null });
    search.warmIndex();
    await search.whenIdle();
    const frames = new FrameSearch(lib.videoFrames(lib.models.active()!));
    const sqliteFrames = new FrameSearch(lib.videoFrames(lib.models.active()!), { mode: 'sqlite' });
    const steps = [100, 1000, ...(Number(process.env.BENCH_VIDEO_FRAMES ?? 0) >= 150_000 ? [5000] : [])];
    const rows: unknown[] = [];
    let videos = 0;
    for (const target of steps) {
      const t0 = performance.now();
      addVideos(lib, target - videos, videos);
      videos = target;
      const writeS = (performance.now() - t0) / 1000;
      // The frames' index is built in the background on the first query past indexFrom; wait for it.
      const t2 = performance.now();
      frames.knn(queries[0]!, 1);
      await frames.whenIdle();
      const buildS = (performance.now() - t2) / 1000;
      const r = await firstPages(lib, search, frames, queries, false);
      const side = (f: FrameSearch): { ms: number[]; segments: number; path: string | undefined } => {
        const ms: number[] = [];
        let segments = 0;
        for (let round = 0; round < ROUNDS; round++) {
          for (const q of queries) {
            const t1 = performance.now();
            segments = videoSegments(f, () => new Map(), q, {}).length;
            ms.push(performance.now() - t1);
          }
        }
        return { ms, segments, path: f.lastPath };
      };
      const indexed = side(frames);
      const scanned = side(sqliteFrames);
      const row = {
        videos,
        frames: videos * FRAMES_PER_VIDEO,
        writeSeconds: r2(writeS),
        frameIndexBuildSeconds: r2(buildS),
        serviceFirstPageMs: { p50: pct(r.service, 50), p95: pct(r.service, 95) },
        videoSideMs: { path: indexed.path, p50: pct(indexed.ms, 50), p95: pct(indexed.ms, 95) },
        videoSideSqliteMs: { p50: pct(scanned.ms, 50), p95: pct(scanned.ms, 95) },
        segmentsPerQuery: indexed.segments,
      };
      rows.push(row);
      log(`video-search with frames: ${JSON.stringify(row)}`);
    }
    out.withFrames = rows;
    await frames.close();
    await search.close({ save: false });
  } finally {
    lib.close();
    for (const ext of ['', '-wal', '-shm']) fs.rmSync(`${copy}${ext}`, { force: true });
  }
  return out;
}
