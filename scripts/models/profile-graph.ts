/**
 * Where an ONNX graph spends its time, from ONNX Runtime's own per-node profile:
 *
 *   tsx scripts/models/profile-graph.ts GRAPH.onnx [GRAPH2.onnx …] [--runs 20] [--threads 2] [--top 25]
 *
 * For each graph: the ops ORT actually runs after its optimisations (fused kernels show under
 * their own names), summed per op type over the measured runs and divided by the run count (ms
 * per inference), their share, and the slowest nodes. Inputs are busy values of the graph's
 * declared shapes (image: sin pattern; text: token ids 101…, 52 long). Graphs are profiled one
 * after another, so compare shares rather than absolute times on a busy machine.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';

interface Event {
  cat: string;
  name: string;
  dur: number;
  args?: { op_name?: string; provider?: string };
}

export function feedsFor(session: ort.InferenceSession, meta: readonly ort.InferenceSession.ValueMetadata[]): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {};
  for (const [i, name] of session.inputNames.entries()) {
    const m = meta[i] as { type?: string; shape?: (number | string)[] } | undefined;
    const dims = (m?.shape ?? [1]).map((d) => (typeof d === 'number' && d > 0 ? d : name === 'text' || /ids|sequence/.test(String(d)) ? 52 : 1));
    const n = dims.reduce((a, b) => a * b, 1);
    if (m?.type === 'int64') {
      const ids = new BigInt64Array(n);
      for (let j = 0; j < n; j++) ids[j] = j < 12 ? BigInt(101 + j * 37) : 0n;
      feeds[name] = new ort.Tensor('int64', ids, dims);
    } else {
      feeds[name] = new ort.Tensor('float32', Float32Array.from({ length: n }, (_, j) => Math.sin(j * 0.37) * 1.5), dims);
    }
  }
  return feeds;
}

export async function profileGraph(file: string, runs: number, threads: number): Promise<{ ops: [string, number][]; nodes: [string, string, number][]; totalMs: number; wallMs: number }> {
  const prefix = path.join(os.tmpdir(), `ort-profile-${process.pid}-${path.basename(file)}`);
  const session = await ort.InferenceSession.create(file, { intraOpNumThreads: threads, interOpNumThreads: 1, enableProfiling: true, profileFilePrefix: prefix });
  const feeds = feedsFor(session, session.inputMetadata);
  for (let i = 0; i < 3; i++) await session.run(feeds);
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) await session.run(feeds);
  const wallMs = (performance.now() - t0) / runs;
  session.endProfiling();
  await session.release();
  const dir = path.dirname(prefix);
  const profFile = fs.readdirSync(dir).filter((f) => f.startsWith(path.basename(prefix)) && f.endsWith('.json')).map((f) => path.join(dir, f))[0];
  if (!profFile) throw new Error('no profile written');
  const events = JSON.parse(fs.readFileSync(profFile, 'utf8')) as Event[];
  fs.rmSync(profFile);
  // Only the measured runs: the three warm-up runs come first.
  const runsSeen = events.filter((e) => e.cat === 'Session' && e.name === 'model_run');
  const firstMeasured = runsSeen.length > runs ? runsSeen[runsSeen.length - runs] : undefined;
  const startTs = (firstMeasured as unknown as { ts?: number } | undefined)?.ts ?? 0;
  const byOp = new Map<string, number>();
  const byNode = new Map<string, [string, number]>();
  let total = 0;
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time') || ((e as unknown as { ts: number }).ts ?? 0) < startTs) continue;
    const op = e.args?.op_name ?? '?';
    byOp.set(op, (byOp.get(op) ?? 0) + e.dur);
    const node = e.name.replace(/_kernel_time$/, '');
    byNode.set(node, [op, (byNode.get(node)?.[1] ?? 0) + e.dur]);
    total += e.dur;
  }
  const ms = (us: number): number => Math.round((us / runs / 1000) * 100) / 100;
  return {
    ops: [...byOp].sort((a, b) => b[1] - a[1]).map(([op, us]) => [op, ms(us)]),
    nodes: [...byNode].sort((a, b) => b[1][1] - a[1][1]).map(([n, [op, us]]) => [n, op, ms(us)]),
    totalMs: ms(total),
    wallMs: Math.round(wallMs * 100) / 100,
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  // util.parseArgs: unknown flags and a flag without its value are errors, not silent defaults.
  const { values, positionals: args } = parseArgs({ allowPositionals: true, options: { runs: { type: 'string', default: '20' }, threads: { type: 'string', default: '2' }, top: { type: 'string', default: '25' } } });
  const runs = positiveInt(values.runs, '--runs');
  const threads = positiveInt(values.threads, '--threads');
  const top = positiveInt(values.top, '--top');
  for (const file of args) {
    const p = await profileGraph(file, runs, threads);
    process.stdout.write(`\n${file}: ${p.wallMs} ms a run (wall), ${p.totalMs} ms in kernels\n`);
    for (const [op, ms] of p.ops) process.stdout.write(`  ${op.padEnd(28)} ${String(ms).padStart(8)} ms  ${((100 * ms) / p.totalMs).toFixed(1).padStart(5)} %\n`);
    process.stdout.write('  slowest nodes:\n');
    for (const [n, op, ms] of p.nodes.slice(0, top)) process.stdout.write(`    ${String(ms).padStart(7)} ms  ${op.padEnd(24)} ${n}\n`);
  }
}

/** A flag's value as a whole number ≥ 1, or an error naming the flag (also used by ab-graphs.ts). */
export function positiveInt(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} wants a whole number ≥ 1, not ${JSON.stringify(v)}`);
  return n;
}
