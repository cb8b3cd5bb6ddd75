/**
 * `BENCH_ONLY=ocr-cost npm run bench`: what reading the text of a mixed library costs — photos/s
 * of the OCR pass and the peak memory (VmHWM) of the process running it, in a fresh process of
 * its own, as the indexing process runs it after embedding. The library is the one `ocr`'s
 * `library` figure uses (BENCH_OCR_LIBRARY photos, 60 by default: 30 % text images from the hard
 * rendered set — 12 MP phone shots, small print, long scrolling screenshots, receipts, chats —
 * the rest ../shared/photos as they are and blown up to 12 MP).
 *
 * BENCH_OCR_COST_RUNS=2 runs the pass that many times (fresh library, fresh process each) and
 * reports each, so a busy machine shows its spread.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { makeOcrFixtures, writeOcrFixtures } from '../../scripts/fixtures/ocr-images.ts';
import { openLibrary } from '../../electron/engine/store/library.ts';

type Log = (m: string) => void;
const r2 = (x: number): number => Math.round(x * 100) / 100;

/** The mixed library's files: 3 in 10 with text, the others photos without. */
export async function mixedLibraryFiles(sharedPhotos: string[], tmp: string, n: number): Promise<string[]> {
  const big = await Promise.all(
    sharedPhotos.slice(0, 10).map(async (p, i) => {
      const f = path.join(tmp, `big-${i}.jpg`);
      await sharp(p).resize(4032, 3024, { fit: 'cover' }).jpeg({ quality: 90 }).toFile(f);
      return f;
    }),
  );
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
function runPassChild(db: string, opts: Record<string, unknown>): Promise<{ photos: number; withText: number; seconds: number; peakRssMiB: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/bench/ocr-pass-child.ts', db, JSON.stringify(opts)], { stdio: ['ignore', 'pipe', 'pipe'] });
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
      const r = JSON.parse(out.trim().split('\n').pop()!) as { photos: number; withText: number; seconds: number };
      resolve({ ...r, peakRssMiB: peakKiB === null ? null : Math.round(peakKiB / 1024) });
    });
  });
}

export async function benchOcrCost(sharedPhotos: string[], log: Log): Promise<Record<string, unknown>> {
  const n = Number(process.env.BENCH_OCR_LIBRARY ?? 60);
  const runs = Number(process.env.BENCH_OCR_COST_RUNS ?? 2);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-bench-ocr-cost-'));
  try {
    const files = await mixedLibraryFiles(sharedPhotos, tmp, n);
    const results = [];
    for (let i = 0; i < runs; i++) {
      const db = makeLibrary(files, path.join(tmp, `run-${i}`));
      const r = await runPassChild(db, {});
      results.push({ ...r, seconds: r2(r.seconds), photosPerSecond: r2(r.photos / r.seconds) });
      log(`ocr cost run ${i + 1}/${runs}: ${JSON.stringify(results.at(-1))}`);
    }
    const best = Math.max(...results.map((r) => r.photosPerSecond));
    return { photos: n, withTextShare: 0.3, runs: results, bestPhotosPerSecond: best, peakRssMiB: Math.max(...results.map((r) => r.peakRssMiB ?? 0)) || null };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
