/**
 * Child process of ocr-cost.bench.ts: the OCR pass over a library that is already indexed, as the
 * indexing process runs it after embedding, alone in its process so its peak memory is its own.
 * argv: DB, then the variant as JSON (ocr-variants.ts: session options, manifest overrides,
 * `parallel`). Prints one JSON line: the counts, wall and CPU seconds, and the stage times summed
 * per kind of photo (the file name's kind, see `photoKind`).
 */
import os from 'node:os';
import path from 'node:path';
import { runOcrPass, type TextReader } from '../../electron/engine/ocr/ocr-pass.ts';
import { PhotoReader, type PhotoTimings } from '../../electron/engine/ocr/photo-reader.ts';
import { variantManifest, type OcrVariant } from './ocr-variants.ts';
import { openLibrary } from '../../electron/engine/store/library.ts';
import { createLogger } from '../../electron/engine/util/log.ts';

/** The kind of a mixed-library file, from its name (ocr-cost.bench.ts names them). */
function photoKind(file: string, lines: number): string {
  const b = path.basename(file).replace(/^\d+-/, '');
  if (/^big-/.test(b)) return lines ? '12mp-photo-text' : '12mp-photo';
  if (/^photo-/.test(b)) return '12mp-phone-shot';
  if (/^(long|android)-chat/.test(b)) return 'long-screenshot';
  if (/^(sign|receipt|chat|label)-/.test(b)) return 'rendered-small';
  return lines ? 'photo-text' : 'photo';
}

const [dbPath, optsJson] = process.argv.slice(2);
const opts = JSON.parse(optsJson ?? '{}') as OcrVariant;
const lib = openLibrary(dbPath);
const newReader = (): PhotoReader => new PhotoReader({ provider: 'cpu', threads: os.availableParallelism(), ...opts.session }, variantManifest(opts, path.dirname(dbPath)));
const byKind: Record<string, Record<string, number>> = {};

/** The reader, its timings summed per kind of photo. */
function timed(reader: PhotoReader): TextReader {
  return {
    engineKey: reader.engineKey,
    read: async (file) => {
      const r = await reader.read(file);
      const k = (byKind[photoKind(file, r.lines.length)] ??= { photos: 0 });
      k.photos++;
      for (const [name, ms] of Object.entries(r.timings as PhotoTimings)) k[name] = (k[name] ?? 0) + (ms ?? 0);
      return r;
    },
  };
}

/** `n` photos at once, each reader its own: the pending photos shared out, read (not stored). */
async function readInParallel(readers: PhotoReader[]): Promise<{ done: number; withText: number; failed: number }> {
  const photos = lib.ocrText.pending(readers[0].engineKey, 1_000_000, 0);
  const s = { done: 0, withText: 0, failed: 0 };
  let next = 0;
  await Promise.all(
    readers.map(async (r) => {
      const t = timed(r);
      for (let i = next++; i < photos.length; i = next++) {
        try {
          // Awaited before the sum: `+= await` would add to the value read before the wait.
          const lines = (await t.read(photos[i].path)).lines.length;
          if (lines > 0) s.withText++;
        } catch {
          s.failed++;
        }
        s.done++;
      }
    }),
  );
  return s;
}

const readers = Array.from({ length: Math.max(1, opts.parallel ?? 1) }, newReader);
try {
  await Promise.all(readers.map((r) => r.info())); // the workers' start is not the photos' cost
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const s = readers.length > 1 ? await readInParallel(readers) : await runOcrPass(lib, timed(readers[0]), createLogger('bench', 'warn'), { inFlight: opts.inFlight });
  const seconds = (performance.now() - t0) / 1000;
  // CPU of the whole process (all threads: ONNX Runtime's, sharp's, JS): less swayed by other
  // work on a shared machine than the wall clock, though spinning threads count in it.
  const c = process.cpuUsage(c0);
  const cpuSeconds = (c.user + c.system) / 1e6;
  process.stdout.write(JSON.stringify({ photos: s.done, withText: s.withText, failed: s.failed, seconds, cpuSeconds, byKind }) + '\n');
} finally {
  await Promise.all(readers.map((r) => r.close()));
  lib.close();
}
