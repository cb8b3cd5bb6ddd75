/**
 * Times a model directory's two graphs with onnxruntime-node (batch 1), to check that bench models
 * cost what the real exports cost. `tsx scripts/models/time-model.ts DIR... [--runs N] [--threads T]`.
 * Reports min and median: on a shared machine the min is the better estimate of the uncontended cost.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as ort from 'onnxruntime-node';
import { parseManifest } from '../../electron/engine/ml/manifest.ts';

export interface Timing {
  file: string;
  loadMs: number;
  minMs: number;
  medianMs: number;
}

async function time(file: string, feeds: Record<string, ort.Tensor>, runs: number, threads: number): Promise<Timing> {
  const t0 = performance.now();
  const session = await ort.InferenceSession.create(file, { intraOpNumThreads: threads, interOpNumThreads: 1 });
  const loadMs = performance.now() - t0;
  for (let i = 0; i < 3; i++) await session.run(feeds); // warm-up: allocations, kernel selection
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    await session.run(feeds);
    ts.push(performance.now() - s);
  }
  await session.release();
  ts.sort((a, b) => a - b);
  return { file: path.basename(file), loadMs, minMs: ts[0]!, medianMs: ts[ts.length >> 1]! };
}

export async function timeModel(dir: string, runs = 10, threads = 2): Promise<Timing[]> {
  const m = parseManifest(JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')), dir);
  const r = m.image.resolution;
  const pixels = new Float32Array(3 * r * r).map((_, i) => Math.sin(i * 0.37) * 1.5); // busy, in range
  const ids = new BigInt64Array(m.text.contextLength);
  [101, 5273, 5682, 4638, 5709, 102].forEach((id, i) => (ids[i] = BigInt(id))); // [CLS]红色的花[SEP]
  return [
    await time(path.join(dir, m.image.file), { [m.image.input]: new ort.Tensor('float32', pixels, [1, 3, r, r]) }, runs, threads),
    await time(path.join(dir, m.text.file), { [m.text.input]: new ort.Tensor('int64', ids, [1, m.text.contextLength]) }, runs * 3, threads),
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const args = process.argv.slice(2);
  const opt = (name: string, dflt: number): number => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args.splice(i, 2)[1]) : dflt;
  };
  const runs = opt('--runs', 10);
  const threads = opt('--threads', 2);
  for (const dir of args) {
    for (const t of await timeModel(path.resolve(dir), runs, threads)) {
      console.log(`${t.file.padEnd(28)} load ${t.loadMs.toFixed(0).padStart(5)} ms  min ${t.minMs.toFixed(1).padStart(7)} ms  median ${t.medianMs.toFixed(1).padStart(7)} ms  (threads ${threads}, load avg ${os.loadavg()[0]!.toFixed(1)})`);
    }
  }
}
