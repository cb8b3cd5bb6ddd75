/**
 * Which ViT-B/16 graph the model benchmarks measure, so that every figure can say where it came
 * from:
 *
 *   official   the graphs OFA-Sys's own cn_clip/deploy/pytorch_to_onnx.py writes (random weights),
 *              made by `npm run models:official` into .cache/official-export/vit-b-16/ — what a
 *              person who follows the deployment guide has. Used when present.
 *   lookalike  the project's generator (`npm run models:bench`, .cache/bench-models/vit-b-16/):
 *              the same layer shapes and op patterns, written in TypeScript. Used otherwise, and
 *              by the tests.
 *
 * BENCH_GRAPH=official|lookalike forces one (official fails with a hint when it has not been
 * made). BENCH_MODEL picks a precision of that graph: vit-b-16 (fp32), vit-b-16-int8 (what `models
 * quantize` makes today) or vit-b-16-int8-plain (product by product, as before the attention and
 * patch-embedding rewrites); the int8 ones are made by BENCH_ONLY=int8. rn50 is always the look-alike.
 */
import fs from 'node:fs';
import path from 'node:path';
import { generateBenchModels, type BenchModel } from '../../scripts/models/generate-bench-models.ts';
import { OFFICIAL_EXPORT_DIR, officialExport } from '../../scripts/models/official-export.ts';

export type GraphKind = 'official' | 'lookalike';

export interface BenchGraph {
  graph: GraphKind;
  /** The fp32 model directory (an official export is recognised by its file names). */
  fp32Dir: string;
  /** The directory BENCH_MODEL names (fp32Dir, or one of its int8 siblings). */
  modelDir: string;
  model: string;
  note: string;
}

const LOOKALIKE_DIR = path.resolve('.cache/bench-models');

/** int8 siblings of an fp32 directory: what int8.bench.ts makes. */
export function int8Dirs(fp32Dir: string): { int8: string; int8Plain: string; int8Padded: string; fp32Short: string } {
  const base = fp32Dir.replace(/\/$/, '');
  return { int8: `${base}-int8`, int8Plain: `${base}-int8-plain`, int8Padded: `${base}-int8-padded`, fp32Short: `${base}-fp32-varlen` };
}

export async function benchGraph(model: string, log: (m: string) => void): Promise<BenchGraph> {
  const want = process.env.BENCH_GRAPH as GraphKind | undefined;
  const official = officialExport();
  const base = model.replace(/-int8(-plain)?$/, '') as BenchModel;
  let graph: GraphKind;
  let fp32Dir: string;
  if (base === 'vit-b-16' && want !== 'lookalike' && official) {
    graph = 'official';
    fp32Dir = official;
  } else {
    if (want === 'official') {
      throw new Error(`BENCH_GRAPH=official: no official export in ${OFFICIAL_EXPORT_DIR}; make it with npm run models:official -- --repo <a copy of github.com/OFA-Sys/Chinese-CLIP>`);
    }
    graph = 'lookalike';
    fp32Dir = path.join(LOOKALIKE_DIR, base);
    if (!fs.existsSync(path.join(fp32Dir, 'manifest.json'))) {
      log(`generating the ${base} look-alike bench model into ${LOOKALIKE_DIR} (once)…`);
      await generateBenchModels(LOOKALIKE_DIR, [base]);
    }
  }
  const dirs = int8Dirs(fp32Dir);
  const modelDir = model.endsWith('-int8-plain') ? dirs.int8Plain : model.endsWith('-int8') ? dirs.int8 : fp32Dir;
  const note =
    graph === 'official'
      ? `official export: OFA-Sys/Chinese-CLIP cn_clip/deploy/pytorch_to_onnx.py (fp32, opset 13, random weights), ${fp32Dir}`
      : `look-alike: scripts/models/generate-bench-models.ts (random weights, official shapes and op patterns), ${fp32Dir}`;
  return { graph, fp32Dir, modelDir, model, note };
}
