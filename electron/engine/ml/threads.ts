/**
 * How many intra-op threads ONNX Runtime gets. At most the machine's logical cores: every session
 * (image tower, text tower, OCR's detector, classifier and recogniser) starts that many, so a
 * thread count far above the cores (999 was accepted once: about 3,000 threads) only makes the
 * threads fight over the cores, and starves the thread that answers the UI and the signals.
 * Settings and flags refuse such values where they enter (settings/runtime-limits.ts); this clamp
 * is the last line for a value that got in before that (an old config.json).
 */
import os from 'node:os';

/** The machine's logical cores (what `threads` may be at most). */
export function logicalCores(): number {
  return Math.max(1, os.availableParallelism());
}

/** The threads a session gets for a requested count (default: all cores). */
export function intraOpThreads(requested?: number): number {
  const cores = logicalCores();
  if (requested === undefined || !Number.isFinite(requested)) return cores;
  return Math.min(cores, Math.max(1, Math.trunc(requested)));
}
