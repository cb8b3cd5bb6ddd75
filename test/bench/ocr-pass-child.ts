/**
 * Child process of ocr-cost.bench.ts: the OCR pass over a library that is already indexed, as the
 * indexing process runs it after embedding, alone in its process so its peak memory is its own.
 * argv: DB, then the variant as JSON (ocr-variants.ts: session options and manifest overrides). Prints one JSON line: the pass's counts and seconds, and
 * the stage times summed per kind of photo (the file name's kind, see `photoKind`).
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
const reader = new PhotoReader({ provider: 'cpu', threads: os.availableParallelism(), ...opts.session }, variantManifest(opts, path.dirname(dbPath)));
const byKind: Record<string, Record<string, number>> = {};
const timed: TextReader = {
  engineKey: reader.engineKey,
  read: async (file) => {
    const r = await reader.read(file);
    const k = (byKind[photoKind(file, r.lines.length)] ??= { photos: 0 });
    k.photos++;
    for (const [name, ms] of Object.entries(r.timings as PhotoTimings)) k[name] = (k[name] ?? 0) + (ms ?? 0);
    return r;
  },
};
try {
  await reader.info(); // the worker's start is not the photos' cost
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const s = await runOcrPass(lib, timed, createLogger('bench', 'warn'));
  const seconds = (performance.now() - t0) / 1000;
  // CPU of the whole process (all threads: ONNX Runtime's, sharp's, JS): less swayed by other
  // work on a shared machine than the wall clock, though spinning threads count in it.
  const c = process.cpuUsage(c0);
  const cpuSeconds = (c.user + c.system) / 1e6;
  process.stdout.write(JSON.stringify({ photos: s.done, withText: s.withText, failed: s.failed, seconds, cpuSeconds, byKind }) + '\n');
} finally {
  await reader.close();
  lib.close();
}
