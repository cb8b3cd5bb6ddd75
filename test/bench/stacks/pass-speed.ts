/**
 * The stacks pass as the engine runs it, on a real library database: BENCH_STACKS_N synthetic
 * pictures (synthetic-library.ts: CLIP-like 512-d vectors, scenes shot as bursts or sessions, 10 %
 * re-encoded copies, 3 % byte-identical copies as a second photo row) written as indexed photos
 * with their vectors and picture facts, then
 *
 *   fromScratch   the pass's first batch: every photo's facts read, grouped from scratch (vectors
 *                 read from the store on demand), every stack written, every photo marked done
 *   restore       a new pass on the same library (a restart): the stored groups taken back
 *   perNewPhoto   one new photo at a time through pass.run (its vector and facts read, placed,
 *                 its stack rewritten, marked done)
 *
 * with wall and CPU seconds (the machine is shared: CPU time is the pass's own work) and the
 * memory the grouping holds.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PassContext } from '../../../electron/engine/passes/pass.ts';
import { formatPhash } from '../../../electron/engine/stacks/phash.ts';
import { DEFAULT_THRESHOLDS, type Picture } from '../../../electron/engine/stacks/relations.ts';
import { StacksPass } from '../../../electron/engine/stacks/stacks-pass.ts';
import { openLibrary, type Library, type VectorRepository } from '../../../electron/engine/store/index.ts';
import { createLogger } from '../../../electron/engine/util/log.ts';
import { DIM, syntheticLibrary } from './synthetic-library.ts';

type Log = (m: string) => void;
const r2 = (x: number): number => Math.round(x * 100) / 100;
const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

const ctx: PassContext = { signal: new AbortController().signal, yieldTo: async () => undefined, working: () => undefined, completed: () => undefined };

/** Writes pictures as indexed photos with vectors and facts; a share of them get a byte-identical second photo. */
function writePictures(lib: Library, repo: VectorRepository, folderId: number, pictures: Picture[], from: number, exactShare: number): number {
  let photos = 0;
  for (let i = 0; i < pictures.length; i += 2000) {
    lib.transaction(() => {
      const vectors: { photoId: number; vector: Float32Array }[] = [];
      for (const [k, p] of pictures.slice(i, i + 2000).entries()) {
        const n = from + i + k;
        const hash = crypto.createHash('sha256').update(p.key).digest('hex');
        const copies = (n * 2654435761) % 1000 < exactShare * 1000 ? 2 : 1;
        for (let c = 0; c < copies; c++) {
          const file = path.join('/bench/stacks', c === 0 ? 'photos' : 'backup', `${n}.jpg`);
          const { row } = lib.photos.upsertDiscovered({ path: file, folderId, size: 2_000_000 + (n % 1000), mtimeMs: 1 });
          const [make, model] = p.camera ? p.camera.split('\u0000') : [null, null];
          lib.photos.markIndexed(row.id, {
            width: 4000,
            height: 3000,
            takenAt: p.takenAt === null ? 1 : Math.floor(p.takenAt / 1000) * 1000,
            takenAtSource: p.takenAt === null ? 'mtime' : 'exif',
            cameraMake: make ?? null,
            cameraModel: model ?? null,
            gpsLat: null,
            gpsLon: null,
          });
          lib.photos.setHash(row.id, hash);
          vectors.push({ photoId: row.id, vector: p.vector! });
          photos++;
        }
        lib.pictureFacts.save({ hash, phash: formatPhash(p.phash!), sharpness: 100 + (n % 97), subSecMs: p.takenAt === null ? null : p.takenAt % 1000, uniqueId: null, burstId: null });
      }
      repo.upsertMany(vectors);
    });
  }
  return photos;
}

export async function benchPassSpeed(n: number, log: Log): Promise<unknown> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-stacks-pass-'));
  const lib = openLibrary(path.join(dir, 'lib.db'));
  try {
    const repo = lib.vectors(lib.models.ensure('bench-synthetic', DIM));
    const folderId = lib.folders.add('/bench/stacks').id;
    const t0 = performance.now();
    const library = syntheticLibrary(n);
    const photos = writePictures(lib, repo, folderId, library.pictures, 0, 0.03);
    log(`pass: ${photos} photos (${library.pictures.length} pictures) written in ${r2((performance.now() - t0) / 1000)} s`);
    const deps = { lib, vectors: () => repo, thresholds: () => DEFAULT_THRESHOLDS, log: createLogger('bench', 'warn') };

    // Retained memory, not garbage: measured after a collection when node runs with --expose-gc.
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const heap0 = process.memoryUsage().heapUsed;
    const pass = new StacksPass(deps);
    let t = performance.now();
    let c = cpu();
    await pass.run(pass.owed(pass.batchSize, 0), ctx);
    const scratch = { seconds: r2((performance.now() - t) / 1000), cpuSeconds: r2(cpu() - c) };
    gc?.();
    const heapMiB = Math.round((process.memoryUsage().heapUsed - heap0) / 2 ** 20);
    const stacks = lib.stacks.count();
    log(`pass: from scratch ${JSON.stringify(scratch)}, ${stacks} stacks, heap +${heapMiB} MiB`);

    // One new photo at a time, into the full library.
    const more = syntheticLibrary(400, 99).pictures.slice(0, 200).map((p) => ({ ...p, key: `new-${p.key}` }));
    writePictures(lib, repo, folderId, more, 10_000_000, 0);
    const perNew: number[] = [];
    const perNewCpu: number[] = [];
    for (let guard = 0; guard < 1000; guard++) {
      const [item] = pass.owed(1, 0);
      if (!item) break;
      t = performance.now();
      c = cpu();
      await pass.run([item], ctx);
      perNew.push(performance.now() - t);
      perNewCpu.push((cpu() - c) * 1000);
    }
    const median = (xs: number[]): number => r2([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN);

    // A restart: the stored groups taken back (with one new photo to place).
    writePictures(lib, repo, folderId, syntheticLibrary(5, 7).pictures.slice(0, 1).map((p) => ({ ...p, key: 'restart-one' })), 20_000_000, 0);
    const again = new StacksPass(deps);
    t = performance.now();
    c = cpu();
    await again.run(again.owed(again.batchSize, 0), ctx);
    const restore = { seconds: r2((performance.now() - t) / 1000), cpuSeconds: r2(cpu() - c) };
    return {
      photos,
      pictures: library.pictures.length,
      stacks,
      fromScratch: { ...scratch, photosPerSecond: Math.round(photos / scratch.seconds), photosPerCpuSecond: Math.round(photos / scratch.cpuSeconds) },
      perNewPhoto: { photos: perNew.length, msMedian: median(perNew), cpuMsMedian: median(perNewCpu), photosPerSecond: Math.round(1000 / median(perNew)) },
      restore,
      groupingHeapMiB: heapMiB,
      heapMeasuredAfterGc: gc !== undefined,
      loadAverage: os.loadavg().map(r2),
    };
  } finally {
    lib.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
