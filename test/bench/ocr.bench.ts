/**
 * `BENCH_ONLY=ocr npm run bench`: OCR with the real PP-OCRv4 weights on the CPU.
 *
 *   perPhoto     ms for a photo without text (the shared photos as they are, and blown up to
 *                12 MP as a phone would take them) and for text-heavy screenshots
 *   library      photos/s of the OCR pass over a mixed library (most photos without text)
 *   classifier   what the direction classifier costs on a text-heavy screenshot (interleaved)
 *   accuracy     character accuracy on the larger rendered set (phone shots, turned photos,
 *                long screenshots), per kind
 *   gutenye      the same images through @gutenye/ocr-node, interleaved with ours, when
 *                SHIGUANG_BENCH_GUTENYE points at an install of it (it is not a dependency)
 *   textIndex    index size per 1k photos and text-query latency at BENCH_OCR_PHOTOS (100k)
 *                photos through the store; the trigram / bigram / jieba contenders side by side
 *   fusedQuery   what fusing text hits into text queries costs at 100k (ocr-fused.bench.ts)
 *
 * Options: BENCH_OCR_PER_KIND=6  BENCH_OCR_PHOTOS=100000  BENCH_OCR_LIBRARY=60
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { characterAccuracy } from '../../scripts/fixtures/ocr-accuracy.ts';
import { makeOcrFixtures, renderChat, writeOcrFixtures, type OcrFixture } from '../../scripts/fixtures/ocr-images.ts';
import { libraryText, seeded } from '../../scripts/fixtures/ocr-text.ts';
import { normaliseText } from '../../electron/engine/ocr/normalise-text.ts';
import { runOcrPass } from '../../electron/engine/ocr/ocr-pass.ts';
import { PhotoReader } from '../../electron/engine/ocr/photo-reader.ts';
import { searchText } from '../../electron/engine/ocr/text-search.ts';
import { openLibrary } from '../../electron/engine/store/library.ts';
import { createLogger } from '../../electron/engine/util/log.ts';
import { benchTextIndex } from './ocr-text-index.bench.ts';
import { benchFusedQuery } from './ocr-fused.bench.ts';

type Log = (m: string) => void;
const r2 = (x: number): number => Math.round(x * 100) / 100;
const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return r2(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]);
};
const median = (xs: number[]): number => pct(xs, 50);

async function timeReads(reader: PhotoReader, files: string[], rounds = 1): Promise<{ ms: number[]; lines: number[] }> {
  const ms: number[] = [];
  const lines: number[] = [];
  for (let r = 0; r < rounds; r++)
    for (const f of files) {
      const res = await reader.read(f);
      ms.push(res.timings.totalMs);
      lines.push(res.lines.length);
    }
  return { ms, lines };
}

export async function benchOcr(sharedPhotos: string[], log: Log): Promise<Record<string, unknown>> {
  const perKind = Number(process.env.BENCH_OCR_PER_KIND ?? 6);
  const threads = os.availableParallelism();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-bench-ocr-'));
  const reader = new PhotoReader({ provider: 'cpu', threads, classifier: 'all' });
  const out: Record<string, unknown> = { model: reader.engineKey, threads, detMaxSide: reader.model.manifest.detection.maxSide };
  try {
    await reader.info(); // start the worker outside the timings
    // Photos without text: as they are (≈ 500 × 375) and as 12 MP phone photos.
    const plain = sharedPhotos.slice(0, 20);
    const big = await Promise.all(
      plain.slice(0, 10).map(async (p, i) => {
        const f = path.join(tmp, `big-${i}.jpg`);
        await sharp(p).resize(4032, 3024, { fit: 'cover' }).jpeg({ quality: 90 }).toFile(f);
        return f;
      }),
    );
    const rand = seeded(99);
    const shots: OcrFixture[] = [];
    for (const fontPx of [16, 24]) shots.push(await renderChat(rand, `screenshot-${fontPx}px`, { dark: false, fontPx }));
    const shotFiles = writeOcrFixtures(path.join(tmp, 'shots'), shots);
    await timeReads(reader, [plain[0], big[0], shotFiles[0]]); // warm-up: first-run allocations per shape
    const small = await timeReads(reader, plain, 2);
    const large = await timeReads(reader, big, 2);
    const heavy = await timeReads(reader, shotFiles, 3);
    out.perPhoto = {
      noTextSmallMs: { p50: median(small.ms), p95: pct(small.ms, 95), photosWithLines: small.lines.filter((n) => n > 0).length / 2, of: plain.length },
      noText12MpMs: { p50: median(large.ms), p95: pct(large.ms, 95), photosWithLines: large.lines.filter((n) => n > 0).length / 2, of: big.length },
      screenshot16pxMs: median(heavy.ms.filter((_, i) => i % 2 === 0)),
      screenshot24pxMs: median(heavy.ms.filter((_, i) => i % 2 === 1)),
      screenshotLines: heavy.lines.slice(0, 2),
    };
    log(`ocr per photo: ${JSON.stringify(out.perPhoto)}`);

    // The classifier's cost: the same screenshot read with it on every line and only on turned ones.
    const noCls = new PhotoReader({ provider: 'cpu', threads, classifier: 'rotated' });
    try {
      await noCls.info();
      const withMs: number[] = [];
      const withoutMs: number[] = [];
      for (let i = 0; i < 4; i++) {
        withMs.push((await reader.read(shotFiles[0])).timings.recogniseMs);
        withoutMs.push((await noCls.read(shotFiles[0])).timings.recogniseMs);
      }
      out.classifier = { recogniseMsAllLines: median(withMs), recogniseMsTurnedOnly: median(withoutMs), ratio: r2(median(withMs) / median(withoutMs)) };
      log(`ocr classifier: ${JSON.stringify(out.classifier)}`);
    } finally {
      await noCls.close();
    }

    // Accuracy on the larger set, and the mixed library from its images plus plain photos.
    const fixtures = await makeOcrFixtures({ photos: sharedPhotos, perKind, hard: true, seed: 20240611 });
    const files = writeOcrFixtures(path.join(tmp, 'fixtures'), fixtures);
    const byKind: Record<string, { chars: number; errors: number; images: number }> = {};
    const perImage: Record<string, number> = {};
    const ourMs: number[] = [];
    const gutenye = await loadGutenye(log);
    const gut: { chars: number; errors: number; ms: number[] } = { chars: 0, errors: 0, ms: [] };
    for (let i = 0; i < fixtures.length; i++) {
      const f = fixtures[i];
      const res = await reader.read(files[i]);
      ourMs.push(res.timings.totalMs);
      const acc = characterAccuracy(f.lines, res.lines.map((l) => l.text));
      const group = f.name.replace(/-\d+$/, '');
      const k = (byKind[group] ??= { chars: 0, errors: 0, images: 0 });
      k.chars += acc.chars;
      k.errors += acc.errors;
      k.images++;
      perImage[f.name] = r2(acc.accuracy * 100);
      if (gutenye) {
        const t0 = performance.now();
        const lines = await gutenye(files[i]);
        gut.ms.push(performance.now() - t0);
        const g = characterAccuracy(f.lines, lines);
        gut.chars += g.chars;
        gut.errors += g.errors;
      }
    }
    const total = Object.values(byKind).reduce((a, k) => ({ chars: a.chars + k.chars, errors: a.errors + k.errors }), { chars: 0, errors: 0 });
    out.accuracy = {
      images: fixtures.length,
      characters: total.chars,
      percent: r2((1 - total.errors / total.chars) * 100),
      byKind: Object.fromEntries(Object.entries(byKind).map(([k, v]) => [k, { images: v.images, percent: r2((1 - v.errors / v.chars) * 100) }])),
      perImage,
      msPerImage: { p50: median(ourMs), p95: pct(ourMs, 95) },
    };
    log(`ocr accuracy: ${JSON.stringify({ ...(out.accuracy as object), perImage: undefined })}`);
    if (gutenye) {
      // Photos without text at 12 MP, interleaved: what most of a library costs.
      const gBig: number[] = [];
      const oBig: number[] = [];
      for (const f of big.slice(0, 4)) {
        const t0 = performance.now();
        await gutenye(f);
        gBig.push(performance.now() - t0);
        oBig.push((await reader.read(f)).timings.totalMs);
      }
      out.gutenye = {
        percent: r2((1 - gut.errors / gut.chars) * 100),
        msPerImage: { p50: median(gut.ms), p95: pct(gut.ms, 95) },
        oursMsPerImage: { p50: median(ourMs), p95: pct(ourMs, 95) },
        noText12MpMs: { gutenye: median(gBig), ours: median(oBig) },
        peakRssMiBAfter: Math.round(process.resourceUsage().maxRSS / 1024),
      };
      log(`gutenye: ${JSON.stringify(out.gutenye)}`);
    }
    out.library = await benchLibraryPass(reader, files, [...sharedPhotos, ...big], tmp, log);
    out.textIndex = await benchStoreText(Number(process.env.BENCH_OCR_PHOTOS ?? 100_000), tmp, log);
    out.textIndexContenders = await benchTextIndex(Number(process.env.BENCH_OCR_PHOTOS ?? 100_000), log);
    out.fusedQuery = await benchFusedQuery(Number(process.env.BENCH_OCR_PHOTOS ?? 100_000), log);
  } finally {
    await reader.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return out;
}

/** The pass over a library: mostly photos without text (as a phone library is), some with. */
async function benchLibraryPass(reader: PhotoReader, withText: string[], without: string[], tmp: string, log: Log): Promise<Record<string, unknown>> {
  const n = Number(process.env.BENCH_OCR_LIBRARY ?? 60);
  const files = Array.from({ length: n }, (_, i) => (i % 10 < 3 ? withText[i % withText.length] : without[i % without.length]));
  const lib = openLibrary(path.join(tmp, 'pass.db'));
  try {
    // A library folder of its own, each photo a file in it (the pass reads only what lies inside
    // the library's folders, as the app's does).
    const root = path.join(tmp, 'pass-lib');
    fs.mkdirSync(root, { recursive: true });
    const folder = lib.folders.add(root);
    files.forEach((f, i) => {
      const file = path.join(root, `${String(i).padStart(4, '0')}-${path.basename(f)}`);
      fs.copyFileSync(f, file);
      const { row } = lib.photos.upsertDiscovered({ path: file, folderId: folder.id, size: 1, mtimeMs: 1 });
      lib.photos.setHash(row.id, `h${i}`);
      lib.photos.markIndexed(row.id, { width: 1, height: 1, takenAt: 0, takenAtSource: 'mtime', cameraMake: null, cameraModel: null, gpsLat: null, gpsLon: null });
    });
    const t0 = performance.now();
    const s = await runOcrPass(lib, reader, createLogger('bench', 'warn'));
    const seconds = (performance.now() - t0) / 1000;
    const r = { photos: n, withTextShare: 0.3, photosWithLines: s.withText, seconds: r2(seconds), photosPerSecond: r2(n / seconds), peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) };
    log(`ocr library pass: ${JSON.stringify(r)}`);
    return r;
  } finally {
    lib.close();
  }
}

/** The store's own tables at `photos` photos: bytes per 1k photos and query latency. */
export async function benchStoreText(photos: number, tmp: string, log: Log): Promise<Record<string, unknown>> {
  const file = path.join(tmp, 'text.db');
  const lib = openLibrary(file);
  try {
    const folder = lib.folders.add(path.join(tmp, 'lib'));
    const rand = seeded(5);
    const box: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], [100, 0], [100, 20], [0, 20]];
    const texts: string[] = [];
    const sizeBefore = (): number => {
      lib.db.sql.pragma('wal_checkpoint(TRUNCATE)');
      return fs.statSync(file).size;
    };
    for (let base = 0; base < photos; base += 5000) {
      lib.transaction(() => {
        for (let i = base; i < Math.min(photos, base + 5000); i++) {
          const { row } = lib.photos.upsertDiscovered({ path: path.join(folder.path, `IMG_${i}.jpg`), folderId: folder.id, size: i, mtimeMs: i });
          lib.photos.setHash(row.id, `h${i}`);
          lib.photos.markIndexed(row.id, { width: 1, height: 1, takenAt: i, takenAtSource: 'exif', cameraMake: null, cameraModel: null, gpsLat: null, gpsLon: null });
        }
      });
    }
    const photosOnly = sizeBefore();
    const ids = lib.db.sql.prepare('SELECT id FROM photos ORDER BY id').pluck().all() as number[];
    const t0 = performance.now();
    for (let base = 0; base < ids.length; base += 2000) {
      lib.transaction(() => {
        for (const id of ids.slice(base, base + 2000)) {
          const lines = libraryText(rand) ?? [];
          if (lines.length) texts.push(lines.join(''));
          lib.ocrText.saveRead(id, { engine: 'bench', photoHash: `h${id - 1}`, lines: lines.map((text) => ({ text, confidence: 0.95, box })), norm: normaliseText(lines.join('')) });
        }
      });
    }
    const writeSeconds = (performance.now() - t0) / 1000;
    lib.db.sql.exec(`INSERT INTO ocr_fts(ocr_fts) VALUES ('optimize'); INSERT INTO ocr_bigrams(ocr_bigrams) VALUES ('optimize');`);
    lib.db.sql.exec('VACUUM');
    const withText = sizeBefore();
    const qrand = seeded(3);
    const sample = (n: number): string => {
      for (;;) {
        const c = [...normaliseText(texts[Math.floor(qrand() * texts.length)])];
        if (c.length < n) continue;
        const at = Math.floor(qrand() * (c.length - n + 1));
        const q = c.slice(at, at + n).join('');
        if (/\p{Script=Han}/u.test(q)) return q;
      }
    };
    const latency: Record<string, { p50: number; p95: number }> = {};
    const qs = { '1': 1, '2': 2, '3': 3, '4': 4, '6': 6 };
    for (const [name, n] of Object.entries(qs)) {
      const ms: number[] = [];
      for (let i = 0; i < 60; i++) {
        const q = sample(n);
        const t = performance.now();
        searchText(lib, q, 200);
        ms.push(performance.now() - t);
      }
      latency[`${name}chars`] = { p50: pct(ms, 50), p95: pct(ms, 95) };
    }
    // Queries of two words that do not occur together (the all-words path: each word's whole
    // candidate list intersected), from two photos' texts.
    for (const [name, [a, b]] of Object.entries({ '2+2words': [2, 2], '3+2words': [3, 2] })) {
      const ms: number[] = [];
      for (let i = 0; i < 60; i++) {
        const q = `${sample(a)} ${sample(b)}`;
        const t = performance.now();
        searchText(lib, q, 200);
        ms.push(performance.now() - t);
      }
      latency[name] = { p50: pct(ms, 50), p95: pct(ms, 95) };
    }
    const r = {
      photos,
      photosWithText: texts.length,
      bytesPer1kPhotos: Math.round((withText - photosOnly) / (photos / 1000)),
      writePhotosPerSecond: Math.round(photos / writeSeconds),
      queryMsAt: latency,
    };
    log(`ocr text store: ${JSON.stringify(r)}`);
    return r;
  } finally {
    lib.close();
  }
}

/** @gutenye/ocr-node from SHIGUANG_BENCH_GUTENYE (a directory holding it), for comparison only. */
async function loadGutenye(log: Log): Promise<((file: string) => Promise<string[]>) | null> {
  const dir = process.env.SHIGUANG_BENCH_GUTENYE;
  if (!dir) return null;
  try {
    const entry = path.join(dir, 'build', 'index.js');
    const mod = (await import(entry)) as { default: { create(): Promise<{ detect(f: string): Promise<{ text: string }[]> }> } };
    const ocr = await mod.default.create();
    return async (file) => (await ocr.detect(file)).map((l) => l.text);
  } catch (err) {
    log(`SHIGUANG_BENCH_GUTENYE=${dir}: could not load @gutenye/ocr-node (${err instanceof Error ? err.message : String(err)})`);
    return null;
  }
}
