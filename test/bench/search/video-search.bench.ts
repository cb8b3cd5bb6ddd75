/**
 * BENCH_ONLY=video-search: what videos cost searches, in one run.
 *
 *   photoOnly   a photo-only library of BENCH_VECTORS CLIP-like photos (dataset.ts): the first page
 *               of UI_PAGE_SIZE through SearchService (what the API runs now: the photo filter, the
 *               frames check, the mixed list) against VectorSearch.page alone (what it ran before
 *               videos), interleaved query by query; p50/p95 and the ratio of medians
 *   withFrames  the same library (a copy) with videos beside the photos: 100 and 1 000 videos of 30
 *               frames (3k / 30k frames; BENCH_VIDEO_FRAMES=150000 adds 5 000 videos), the first
 *               page through SearchService, and the video side alone (frames KNN → segments)
 *
 * The query vectors are the dataset's text-like queries, handed to SearchService by a stub
 * embedder (the text tower's time is not what is measured here; `searchMs` is).
 */
import fs from 'node:fs';
import path from 'node:path';
import { SearchService, type QueryEmbedder } from '../../../electron/engine/search/search-service.ts';
import { VectorSearch } from '../../../electron/engine/search/vector-search.ts';
import { videoSegments } from '../../../electron/engine/search/video-segments.ts';
import { openLibrary, type Library } from '../../../electron/engine/store/index.ts';
import { UI_PAGE_SIZE } from '../../../electron/shared/paging.ts';
import { openDataset } from './dataset.ts';
import { makeVectors } from './vectors.ts';

const r2 = (x: number): number => Math.round(x * 100) / 100;
const pct = (xs: number[], p: number): number => r2([...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!);
const ROUNDS = 3;
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

/** First pages of every query, `rounds` times, through SearchService and (when asked) the bare vector page, interleaved. */
async function firstPages(lib: Library, search: VectorSearch, queries: Float32Array[], bare: boolean): Promise<{ service: number[]; bare: number[] }> {
  const model = lib.models.active()!;
  const out = { service: [] as number[], bare: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    // A new service per round: query vectors and segment lists are not cached across rounds.
    const service = new SearchService(lib, () => ({ embedder: stubEmbedder(queries), vectors: search, frames: lib.videoFrames(model) }));
    for (let q = 0; q < queries.length; q++) {
      const r = await service.text(`q${q}`, UI_PAGE_SIZE, {}, undefined, 'visual');
      out.service.push(r.searchMs);
      if (bare) {
        const t0 = performance.now();
        search.page(queries[q]!, UI_PAGE_SIZE, {});
        out.bare.push(performance.now() - t0);
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
    const photoOnly = await firstPages(d.lib, search, queries, true);
    out.photoOnly = {
      serviceMs: { p50: pct(photoOnly.service, 50), p95: pct(photoOnly.service, 95) },
      vectorPageMs: { p50: pct(photoOnly.bare, 50), p95: pct(photoOnly.bare, 95) },
      ratioOfMedians: r2(pct(photoOnly.service, 50) / pct(photoOnly.bare, 50)),
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
    const steps = [100, 1000, ...(Number(process.env.BENCH_VIDEO_FRAMES ?? 0) >= 150_000 ? [5000] : [])];
    const rows: unknown[] = [];
    let videos = 0;
    for (const target of steps) {
      const t0 = performance.now();
      addVideos(lib, target - videos, videos);
      videos = target;
      const writeS = (performance.now() - t0) / 1000;
      const r = await firstPages(lib, search, queries, false);
      const frames = lib.videoFrames(lib.models.active()!);
      const side: number[] = [];
      let segments = 0;
      for (let round = 0; round < ROUNDS; round++) {
        for (const q of queries) {
          const t1 = performance.now();
          segments = videoSegments(frames, () => new Map(), q, {}).length;
          side.push(performance.now() - t1);
        }
      }
      const row = {
        videos,
        frames: videos * FRAMES_PER_VIDEO,
        writeSeconds: r2(writeS),
        serviceFirstPageMs: { p50: pct(r.service, 50), p95: pct(r.service, 95) },
        videoSideMs: { p50: pct(side, 50), p95: pct(side, 95) },
        segmentsPerQuery: segments,
      };
      rows.push(row);
      log(`video-search with frames: ${JSON.stringify(row)}`);
    }
    out.withFrames = rows;
    await search.close({ save: false });
  } finally {
    lib.close();
    for (const ext of ['', '-wal', '-shm']) fs.rmSync(`${copy}${ext}`, { force: true });
  }
  return out;
}
