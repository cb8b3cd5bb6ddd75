/**
 * Child process of ocr-cost.bench.ts: the OCR pass over a library that is already indexed, as the
 * indexing process runs it after embedding, alone in its process so its peak memory is its own.
 * argv: DB, then options as JSON ({ classifier?, threads? }). Prints one JSON line.
 */
import os from 'node:os';
import { runOcrPass } from '../../electron/engine/ocr/ocr-pass.ts';
import { PhotoReader } from '../../electron/engine/ocr/photo-reader.ts';
import type { ClassifierUse } from '../../electron/engine/ml/ocr/ocr-sessions.ts';
import { openLibrary } from '../../electron/engine/store/library.ts';
import { createLogger } from '../../electron/engine/util/log.ts';

const [dbPath, optsJson] = process.argv.slice(2);
const opts = JSON.parse(optsJson ?? '{}') as { classifier?: ClassifierUse; threads?: number };
const lib = openLibrary(dbPath);
const reader = new PhotoReader({ provider: 'cpu', threads: opts.threads ?? os.availableParallelism(), classifier: opts.classifier });
try {
  await reader.info(); // the worker's start is not the photos' cost
  const t0 = performance.now();
  const s = await runOcrPass(lib, reader, createLogger('bench', 'warn'));
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(JSON.stringify({ photos: s.done, withText: s.withText, failed: s.failed, seconds }) + '\n');
} finally {
  await reader.close();
  lib.close();
}
