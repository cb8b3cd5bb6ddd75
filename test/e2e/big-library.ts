/**
 * A library database written ahead, for checking the UI at a size no test can index in time:
 * `n` photos already indexed under one model's embedding space, with CLIP-like vectors of that
 * model's dimension (test/bench/search/vectors.ts), dates spread over five years and one tag
 * on every photo (BIG_LIBRARY_TAG: browsing it lists them all), in one watched folder that is not
 * on this disk (the rows have no files: thumbnails do not load, which a check of the grid's DOM
 * does not need). Written with the store's own repositories, as the search benchmarks'
 * dataset.ts does.
 */
import fs from 'node:fs';
import path from 'node:path';
import { embeddingSpace, type ModelManifest } from '../../electron/engine/ml/manifest.ts';
import { openLibrary } from '../../electron/engine/store/index.ts';
import { makeVectors, Rng } from '../bench/search/vectors.ts';

/** Bump when what writeBigLibrary writes changes: cached databases of other versions are not used. */
const VERSION = 1;
/** The tag every photo carries. */
export const BIG_LIBRARY_TAG = '风景';
const START = Date.UTC(2019, 0, 1);
const SPAN = 5 * 365 * 86_400_000;

/** Writes `dbFile` with `n` indexed photos under `root` (which need not exist) for `manifest`'s model. */
export function writeBigLibrary(dbFile: string, root: string, n: number, manifest: ModelManifest): void {
  const dim = manifest.embeddingDim;
  const vectors = makeVectors('clip-like', n, dim, 7);
  const rng = new Rng(20240601);
  const lib = openLibrary(dbFile);
  try {
    const repo = lib.vectors(lib.models.ensure(embeddingSpace(manifest), dim));
    const folderId = lib.folders.add(root).id;
    for (let base = 0; base < n; base += 5000) {
      lib.transaction(() => {
        for (let i = base; i < Math.min(n, base + 5000); i++) {
          const takenAt = START + Math.floor(rng.next() * SPAN);
          const year = new Date(takenAt).getUTCFullYear();
          const file = path.join(root, String(year), `IMG_${String(i + 1).padStart(6, '0')}.jpg`);
          const { row } = lib.photos.upsertDiscovered({ path: file, folderId, size: 2_000_000 + i, mtimeMs: takenAt });
          if (row.id !== i + 1) throw new Error('photo ids must be 1..n in order');
          lib.photos.markIndexed(row.id, { width: 4000, height: 3000, takenAt, takenAtSource: 'exif', cameraMake: null, cameraModel: null, gpsLat: null, gpsLon: null });
          repo.upsert(row.id, vectors.subarray(i * dim, (i + 1) * dim));
        }
      });
    }
    lib.tags.replaceTagAssignments(
      lib.tags.upsertTag({ name: BIG_LIBRARY_TAG }),
      Array.from({ length: n }, (_, i) => ({ photoId: i + 1, score: 0.3 })),
    );
    // A freshly written library starts with nothing for a vector index to catch up on.
    lib.vectorLog.prune(lib.vectorLog.state().seq);
  } finally {
    lib.close();
  }
}

/**
 * A copy at `dbFile` of the library writeBigLibrary writes, cached under `cacheDir` (writing 100 000
 * rows takes about a minute on two busy cores); returns the seconds spent writing (0 when cached).
 */
export function copyBigLibrary(cacheDir: string, dbFile: string, n: number, manifest: ModelManifest): number {
  const cached = path.join(cacheDir, `big-${n}-${manifest.id}-${manifest.embeddingDim}d-v${VERSION}.db`);
  let seconds = 0;
  if (!fs.existsSync(cached)) {
    const t0 = performance.now();
    fs.mkdirSync(cacheDir, { recursive: true });
    const partial = `${cached}.partial`;
    for (const ext of ['', '-wal', '-shm']) fs.rmSync(`${partial}${ext}`, { force: true });
    // The photos' folder is never created: it stands for a drive that is not plugged in.
    writeBigLibrary(partial, path.join(cacheDir, 'big-library-photos'), n, manifest);
    for (const ext of ['', '-wal', '-shm']) if (fs.existsSync(`${partial}${ext}`)) fs.renameSync(`${partial}${ext}`, `${cached}${ext}`);
    seconds = (performance.now() - t0) / 1000;
  }
  for (const ext of ['', '-wal']) if (fs.existsSync(`${cached}${ext}`)) fs.copyFileSync(`${cached}${ext}`, `${dbFile}${ext}`);
  return seconds;
}
