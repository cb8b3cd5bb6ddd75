/**
 * Experiment helper (issue 20): writes the shipped OCR graphs as the OCR worker opens them —
 * folded (ml/quantize/fold-conv-affine.ts) — to a folder, for ONNX Runtime's profiler and the
 * int8 experiment on the folded graphs (ocr-int8-folded.py).
 *   npx tsx scripts/experiments/write-folded-ocr-graphs.ts /tmp/ocr-folded
 * Writes det.folded.onnx, rec.folded.onnx and cls.folded.onnx.
 */
import fs from 'node:fs';
import path from 'node:path';
import { foldedGraphBytes } from '../../electron/engine/ml/quantize/fold-conv-affine.ts';
import { defaultOcrManifestPath, resolveOcrModel } from '../../electron/engine/ml/ocr/manifest.ts';

async function main(): Promise<void> {
  const out = process.argv[2];
  if (!out) throw new Error('usage: write-folded-ocr-graphs.ts <out-dir>');
  fs.mkdirSync(out, { recursive: true });
  const model = resolveOcrModel(defaultOcrManifestPath());
  const graphs: [string, string | null][] = [['det', model.detGraph], ['rec', model.recGraph], ['cls', model.clsGraph ?? null]];
  for (const [name, file] of graphs) {
    if (!file) continue;
    const { bytes, report } = await foldedGraphBytes(fs.readFileSync(file), file);
    fs.writeFileSync(path.join(out, `${name}.folded.onnx`), bytes);
    console.log(name, report);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
