/**
 * Interleaved timing of ONNX graphs that take the same input, for ratios on a busy machine:
 *
 *   tsx scripts/models/ab-graphs.ts A.onnx B.onnx [C.onnx …] [--rounds 30] [--threads 2]
 *
 * A file may carry its own thread count, `B.onnx@1`, to compare thread counts in one run.
 *
 * Every round runs each graph once, in a rotating order, so that load from other processes falls
 * on all of them alike. Reports min / p25 / median ms per graph and each one's speed-up over the
 * first (A) at each of those points, and the process's CPU time per run (with one thread, the
 * least disturbed figure on a shared machine: preemption does not count, cache contention still
 * does). The min is the best estimate of the uncontended cost.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { feedsFor, positiveInt } from './profile-graph.ts';

export interface AbTiming {
  file: string;
  minMs: number;
  p25Ms: number;
  medianMs: number;
  /** Process CPU time per run (user + system), min and median: less sensitive to preemption than wall time. */
  cpuMinMs: number;
  cpuMedianMs: number;
}

export async function abGraphs(files: string[], rounds: number, threads: number): Promise<AbTiming[]> {
  const sessions: ort.InferenceSession[] = [];
  for (const spec of files) {
    const [f, t] = spec.split('@');
    sessions.push(await ort.InferenceSession.create(f!, { intraOpNumThreads: t ? Number(t) : threads, interOpNumThreads: 1 }));
  }
  try {
    const feeds = sessions.map((s) => feedsFor(s, s.inputMetadata));
    for (let w = 0; w < 3; w++) for (const [i, s] of sessions.entries()) await s.run(feeds[i]!);
    const times: number[][] = files.map(() => []);
    const cpu: number[][] = files.map(() => []);
    for (let r = 0; r < rounds; r++) {
      for (let j = 0; j < sessions.length; j++) {
        const i = (j + r) % sessions.length;
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        await sessions[i]!.run(feeds[i]!);
        times[i]!.push(performance.now() - t0);
        const c = process.cpuUsage(c0);
        cpu[i]!.push((c.user + c.system) / 1000);
      }
    }
    const at = (xs: number[], q: number): number => Math.round([...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))]! * 100) / 100;
    return files.map((file, i) => ({ file, minMs: at(times[i]!, 0), p25Ms: at(times[i]!, 0.25), medianMs: at(times[i]!, 0.5), cpuMinMs: at(cpu[i]!, 0), cpuMedianMs: at(cpu[i]!, 0.5) }));
  } finally {
    for (const s of sessions) await s.release();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  // util.parseArgs: unknown flags and a flag without its value are errors, not silent defaults.
  const { values, positionals: args } = parseArgs({ allowPositionals: true, options: { rounds: { type: 'string', default: '30' }, threads: { type: 'string', default: '2' } } });
  const rounds = positiveInt(values.rounds, '--rounds');
  const threads = positiveInt(values.threads, '--threads');
  const r = await abGraphs(args, rounds, threads);
  const base = r[0]!;
  for (const t of r) {
    const x = (a: number, b: number): string => (a / b).toFixed(2);
    process.stdout.write(`${t.file}\n   wall min ${t.minMs}  p25 ${t.p25Ms}  median ${t.medianMs} ms   speed-up vs first: min ×${x(base.minMs, t.minMs)}  p25 ×${x(base.p25Ms, t.p25Ms)}  median ×${x(base.medianMs, t.medianMs)}\n   cpu  min ${t.cpuMinMs}  median ${t.cpuMedianMs} ms   speed-up vs first: min ×${x(base.cpuMinMs, t.cpuMinMs)}  median ×${x(base.cpuMedianMs, t.cpuMedianMs)}\n`);
  }
}
