/**
 * The library the search benchmarks query: n CLIP-like 512-d photos (vectors.ts) in a real
 * SQLite library — 10 watched roots with 7 subfolders each, dates spread over five years, a tag on
 * 5% and one on 0.1% of the photos — plus the filters the UI sends and exact ground truth.
 *
 * Databases are cached under .cache/bench-search/ (keyed by size, kind and DATASET_VERSION): at a
 * million photos writing one takes minutes, and the benchmarks only read it. Bump the version
 * when anything here or in vectors.ts changes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { openLibrary, type Library, type PhotoQuery, type VectorRepository } from '../../../electron/engine/store/index.ts';
import { VectorSource } from '../../../electron/engine/search/vector-index/source.ts';
import { cosineDistance } from '../../../electron/engine/search/vector-index/exact-vectors.ts';
import { makeQueries, makeVectors, Rng, type VectorKind } from './vectors.ts';

const DATASET_VERSION = 3;
/** The bench model's id (scripts/models/generate-bench-models.ts): the query benchmark opens the app on this library with it. */
export const BENCH_MODEL_KEY = 'bench-vit-b-16';
const DIM = 512;
const ROOTS = 10;
const SUBDIRS = 7;
const START = Date.UTC(2019, 0, 1);
const SPAN = 5 * 365 * 86_400_000;

export interface BenchFilter {
  name: string;
  filter: PhotoQuery;
  /** Does photo index i (id i + 1) pass? For the ground truth. */
  keep(i: number): boolean;
}

export interface Dataset {
  n: number;
  dim: number;
  kind: VectorKind;
  vectors: Float32Array;
  queries: Float32Array[];
  takenAt: Float64Array;
  root: Int32Array;
  filters: BenchFilter[];
  dbFile: string;
  lib: Library;
  repo: VectorRepository;
  /** The index's view of the store (filters resolved as the app resolves them). */
  source: VectorSource;
  /** Seconds it took to write the database (0 when it came from the cache). */
  writeSeconds: number;
  close(): void;
}

const log = (msg: string): void => void process.stderr.write(`[bench] ${msg}\n`);

export function openDataset(n: number, kind: VectorKind, queryCount: number, cacheDir = path.resolve('.cache/bench-search'), modelKey = BENCH_MODEL_KEY): Dataset {
  const vectors = makeVectors(kind, n, DIM, 1);
  const queries = makeQueries(kind, queryCount, DIM, 1);
  const rng = new Rng(20260101);
  const takenAt = new Float64Array(n);
  const root = new Int32Array(n);
  const sub = new Int32Array(n);
  const beach = new Uint8Array(n);
  const rare = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    takenAt[i] = START + Math.floor(rng.next() * SPAN);
    root[i] = rng.int(ROOTS);
    sub[i] = rng.int(SUBDIRS);
    beach[i] = rng.next() < 0.05 ? 1 : 0;
    rare[i] = rng.next() < 0.001 ? 1 : 0;
  }
  fs.mkdirSync(cacheDir, { recursive: true });
  const dbFile = path.join(cacheDir, `${kind}-${n}-${modelKey}-v${DATASET_VERSION}.db`);
  const rootPath = (r: number): string => path.join(cacheDir, 'photos', `root-${r}`);
  let writeSeconds = 0;
  if (!fs.existsSync(dbFile)) {
    const t0 = performance.now();
    writeSeconds = writeDatabase(`${dbFile}.partial`, { n, vectors, takenAt, root, sub, beach, rare, rootPath, modelKey });
    for (const ext of ['', '-wal', '-shm']) if (fs.existsSync(`${dbFile}.partial${ext}`)) fs.renameSync(`${dbFile}.partial${ext}`, `${dbFile}${ext}`);
    log(`wrote ${n} photos to ${dbFile} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  const lib = openLibrary(dbFile);
  const model = lib.models.active()!;
  const repo = lib.vectors(model);
  const source = new VectorSource(repo, lib.vectorLog);
  const year = { after: Date.UTC(2021, 0, 1), before: Date.UTC(2022, 0, 1) };
  const inYear = (i: number): boolean => takenAt[i]! >= year.after && takenAt[i]! < year.before;
  const filters: BenchFilter[] = [
    { name: 'none', filter: {}, keep: () => true },
    { name: 'date (one year, 20%)', filter: year, keep: inYear },
    { name: 'folder (one root, 10%)', filter: { dirPrefix: rootPath(3) + path.sep }, keep: (i) => root[i] === 3 },
    { name: 'tag (5%)', filter: { tag: '海边' }, keep: (i) => beach[i] === 1 },
    { name: 'subfolder (1.4%)', filter: { dirPrefix: path.join(rootPath(3), 'd2') + path.sep }, keep: (i) => root[i] === 3 && sub[i] === 2 },
    { name: 'date + folder (2%)', filter: { ...year, dirPrefix: rootPath(5) + path.sep }, keep: (i) => inYear(i) && root[i] === 5 },
    { name: 'tag (0.1%)', filter: { tag: '证件照' }, keep: (i) => rare[i] === 1 },
  ];
  return {
    n,
    dim: DIM,
    kind,
    vectors,
    queries,
    takenAt,
    root,
    filters,
    dbFile,
    lib,
    repo,
    source,
    writeSeconds,
    close: () => lib.close(),
  };
}

function writeDatabase(
  file: string,
  d: { n: number; vectors: Float32Array; takenAt: Float64Array; root: Int32Array; sub: Int32Array; beach: Uint8Array; rare: Uint8Array; rootPath(r: number): string; modelKey: string },
): number {
  for (const ext of ['', '-wal', '-shm']) fs.rmSync(`${file}${ext}`, { force: true });
  const t0 = performance.now();
  const lib = openLibrary(file);
  try {
    const repo = lib.vectors(lib.models.ensure(d.modelKey, DIM));
    const roots = Array.from({ length: ROOTS }, (_, r) => lib.folders.add(d.rootPath(r)).id);
    for (let base = 0; base < d.n; base += 5000) {
      lib.transaction(() => {
        for (let i = base; i < Math.min(d.n, base + 5000); i++) {
          const r = d.root[i]!;
          const file = path.join(d.rootPath(r), `d${d.sub[i]}`, `IMG_${i}.jpg`);
          const { row } = lib.photos.upsertDiscovered({ path: file, folderId: roots[r]!, size: 1000 + i, mtimeMs: d.takenAt[i]! });
          if (row.id !== i + 1) throw new Error('photo ids must be 1..n in order');
          lib.photos.markIndexed(row.id, { width: 4000, height: 3000, takenAt: d.takenAt[i]!, takenAtSource: 'exif', cameraMake: null, cameraModel: null, gpsLat: null, gpsLon: null });
          repo.upsert(row.id, d.vectors.subarray(i * DIM, (i + 1) * DIM));
        }
      });
      if (base % 100_000 === 0 && base > 0) log(`  ${base} photos written`);
    }
    const assign = (name: string, on: Uint8Array): void => {
      const tag = lib.tags.upsertTag({ name });
      const list: { photoId: number; score: number }[] = [];
      on.forEach((v, i) => v && list.push({ photoId: i + 1, score: 0.5 }));
      lib.tags.replaceTagAssignments(tag, list);
    };
    assign('海边', d.beach);
    assign('证件照', d.rare);
    // The vector log is for indexes that follow changes; a freshly written library starts clean.
    lib.vectorLog.prune(lib.vectorLog.state().seq);
  } finally {
    lib.close();
  }
  return (performance.now() - t0) / 1000;
}

/** Exact (distance, id) order over the photos passing `keep`, first `depth` of them. */
export function groundTruth(d: Dataset, q: Float32Array, keep: (i: number) => boolean, depth: number, distances?: Float32Array): number[] {
  const all = distances ?? exactDistances(d, q);
  const idx: number[] = [];
  for (let i = 0; i < d.n; i++) if (keep(i)) idx.push(i);
  idx.sort((a, b) => all[a]! - all[b]! || a - b);
  return idx.slice(0, depth).map((i) => i + 1);
}

/** sqlite-vec's distance from q to every photo. */
export function exactDistances(d: Dataset, q: Float32Array): Float32Array {
  const out = new Float32Array(d.n);
  for (let i = 0; i < d.n; i++) out[i] = cosineDistance(q, d.vectors.subarray(i * d.dim, (i + 1) * d.dim));
  return out;
}
