/**
 * `BENCH_ONLY=ocr-cost npm run bench`: what reading the text of a mixed library costs — photos/s
 * of the OCR pass and the peak memory (VmHWM) of the process running it, in a fresh process of
 * its own with the engine's allocator settings, as the indexing process runs it after embedding.
 * The library is the one `ocr`'s `library` figure uses (BENCH_OCR_LIBRARY photos, 60 by default:
 * 30 % text images from the hard rendered set — 12 MP phone shots, small print, long scrolling
 * screenshots, receipts, chats — the rest ../shared/photos as they are and blown up to 12 MP).
 *
 * BENCH_OCR_COST_RUNS=2 runs the pass that many times (fresh library, fresh process each) and
 * reports each, so a busy machine shows its spread. BENCH_OCR_VARIANTS=base,gate640,… (names in
 * ocr-variants.ts) runs each setting in every round, interleaved, and reports each one's photos/s
 * as a ratio to the first's in the same round, its peak memory, and where its time went per kind
 * of photo (ms per photo by stage: decode, gate, detector graph and post-processing, classifier,
 * recogniser graph and the crops/decoding around it).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { makeOcrFixtures, writeOcrFixtures } from '../../scripts/fixtures/ocr-images.ts';
import { openLibrary } from '../../electron/engine/store/library.ts';
import { withAllocatorEnv } from '../../electron/engine/util/allocator-env.ts';
import { ocrVariant, ocrVariantNames, type OcrVariant } from './ocr-variants.ts';

type Log = (m: string) => void;
const r2 = (x: number): number => Math.round(x * 100) / 100;

/** Photos brought to a phone camera's 12 MP (4032×3024, JPEG quality 90), written into tmp. */
export function twelveMegapixel(photos: string[], tmp: string): Promise<string[]> {
  return Promise.all(
    photos.map(async (p, i) => {
      const f = path.join(tmp, `big-${i}.jpg`);
      await sharp(p).resize(4032, 3024, { fit: 'cover' }).jpeg({ quality: 90 }).toFile(f);
      return f;
    }),
  );
}

/** The mixed library's files: 3 in 10 with text, the others photos without. */
export async function mixedLibraryFiles(sharedPhotos: string[], tmp: string, n: number): Promise<string[]> {
  const big = await twelveMegapixel(sharedPhotos.slice(0, 10), tmp);
  const fixtures = await makeOcrFixtures({ photos: sharedPhotos, perKind: 6, hard: true, seed: 20240611 });
  const withText = writeOcrFixtures(path.join(tmp, 'fixtures'), fixtures);
  const without = [...sharedPhotos, ...big];
  return Array.from({ length: n }, (_, i) => (i % 10 < 3 ? withText[i % withText.length] : without[i % without.length]));
}

/** A library whose photos are all indexed and unread, each file copied into its one folder. */
function makeLibrary(files: string[], dir: string): string {
  const root = path.join(dir, 'photos');
  fs.mkdirSync(root, { recursive: true });
  const db = path.join(dir, 'lib.db');
  const lib = openLibrary(db);
  try {
    const folder = lib.folders.add(root);
    files.forEach((f, i) => {
      const file = path.join(root, `${String(i).padStart(4, '0')}-${path.basename(f)}`);
      fs.copyFileSync(f, file);
      const { row } = lib.photos.upsertDiscovered({ path: file, folderId: folder.id, size: 1, mtimeMs: 1 });
      lib.photos.setHash(row.id, `h${i}`);
      lib.photos.markIndexed(row.id, { width: 1, height: 1, takenAt: 0, takenAtSource: 'mtime', cameraMake: null, cameraModel: null, gpsLat: null, gpsLon: null });
    });
  } finally {
    lib.close();
  }
  return db;
}

/** The pass in a fresh process; its peak RSS polled from /proc (null elsewhere). */
type ByKind = Record<string, Record<string, number>>;
interface ChildResult {
  photos: number;
  withText: number;
  seconds: number;
  cpuSeconds: number;
  byKind: ByKind;
  peakRssMiB: number | null;
}

function runPassChild(db: string, opts: OcrVariant): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    // With the engine processes' allocator settings, so its peak memory is the app's.
    const env: NodeJS.ProcessEnv = opts.allocator === 'arenas' ? { ...process.env, MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2' } : withAllocatorEnv(process.env);
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/bench/ocr-pass-child.ts', db, JSON.stringify(opts)], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c));
    child.stderr.on('data', (c: Buffer) => (err += c));
    let peakKiB: number | null = null;
    const poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peakKiB = Math.max(peakKiB ?? 0, Number(m[1]));
      } catch {
        // not Linux, or the process is gone
      }
    }, 100);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(poll);
      if (code !== 0) return reject(new Error(`OCR pass child exited with ${code}\n${err}`));
      const r = JSON.parse(out.trim().split('\n').pop()!) as Omit<ChildResult, 'peakRssMiB'>;
      resolve({ ...r, peakRssMiB: peakKiB === null ? null : Math.round(peakKiB / 1024) });
    });
  });
}

/** ms per photo per stage, per kind, over every run of one variant. */
function perPhoto(runs: ByKind[]): ByKind {
  const sum: ByKind = {};
  for (const byKind of runs)
    for (const [kind, t] of Object.entries(byKind)) {
      const k = (sum[kind] ??= {});
      for (const [name, v] of Object.entries(t)) k[name] = (k[name] ?? 0) + v;
    }
  for (const k of Object.values(sum)) for (const name of Object.keys(k)) if (name !== 'photos') k[name] = Math.round(k[name] / k.photos);
  return sum;
}

export async function benchOcrCost(sharedPhotos: string[], log: Log): Promise<Record<string, unknown>> {
  const n = Number(process.env.BENCH_OCR_LIBRARY ?? 60);
  const runs = Number(process.env.BENCH_OCR_COST_RUNS ?? 2);
  const variants = ocrVariantNames();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-bench-ocr-cost-'));
  try {
    const files = await mixedLibraryFiles(sharedPhotos, tmp, n);
    const results: Record<string, (Omit<ChildResult, 'byKind'> & { photosPerSecond: number; ratioToFirst: number; cpuMsPerPhoto: number; cpuRatioToFirst: number })[]> = {};
    const kinds: Record<string, ByKind[]> = {};
    for (let i = 0; i < runs; i++) {
      let first = 0;
      let firstCpu = 0;
      for (const [vi, name] of variants.entries()) {
        const db = makeLibrary(files, path.join(tmp, `run-${i}-${name}`));
        const { byKind, ...r } = await runPassChild(db, ocrVariant(name)!);
        const pps = r.photos / r.seconds;
        const cpuMs = (1000 * r.cpuSeconds) / r.photos;
        if (vi === 0) [first, firstCpu] = [pps, cpuMs];
        (results[name] ??= []).push({ ...r, seconds: r2(r.seconds), cpuSeconds: r2(r.cpuSeconds), photosPerSecond: r2(pps), ratioToFirst: r2(pps / first), cpuMsPerPhoto: Math.round(cpuMs), cpuRatioToFirst: r2(cpuMs / firstCpu) });
        (kinds[name] ??= []).push(byKind);
        log(`ocr cost run ${i + 1}/${runs} ${name}: ${JSON.stringify(results[name].at(-1))}`);
      }
    }
    const summary = Object.fromEntries(
      variants.map((name) => {
        const rs = results[name];
        return [name, { runs: rs, bestPhotosPerSecond: Math.max(...rs.map((r) => r.photosPerSecond)), meanRatioToFirst: r2(rs.reduce((a, r) => a + r.ratioToFirst, 0) / rs.length), meanCpuRatioToFirst: r2(rs.reduce((a, r) => a + r.cpuRatioToFirst, 0) / rs.length), peakRssMiB: Math.max(...rs.map((r) => r.peakRssMiB ?? 0)) || null, msPerPhotoByKind: perPhoto(kinds[name]) }];
      }),
    );
    for (const name of variants) log(`ocr cost ${name}: ${JSON.stringify(summary[name].msPerPhotoByKind)}`);
    const base = summary[variants[0]];
    return { photos: n, withTextShare: 0.3, variants: summary, runs: base.runs, bestPhotosPerSecond: base.bestPhotosPerSecond, peakRssMiB: base.peakRssMiB };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
