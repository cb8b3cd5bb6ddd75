/**
 * BENCH_ONLY=index-candidates: the vector index candidates side by side, in one run, at 100k and
 * 1M CLIP-like 512-d photos (BENCH_CANDIDATE_SIZES=100000,1000000): sqlite-vec's scan (today's SQL
 * path), today's int8 index, the codes index chosen for search/vector-index, and usearch /
 * hnswlib-node when installed (npm install --no-save usearch@2.25.3 hnswlib-node@3.0.0).
 *
 * Per candidate: build time, memory, persist/load, first page (500, the renderer's page) and next
 * pages 2–5, each under the UI's filters (date, folder, tag, subfolder, combination, a 0.1% tag),
 * recall of page 1 against the exact top 500 and of pages 1–5 against the exact top 2500,
 * incremental add/remove. Contenders are interleaved query by query so that machine noise hits
 * them alike. Nothing is asserted; JSON goes under `indexCandidates` in bench-results/latest.json.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CodesCandidate, HnswlibCandidate, PAGE, SqliteVecCandidate, TodayInt8Candidate, UsearchCandidate, type Candidate } from './candidates.ts';
import { exactDistances, groundTruth, openDataset, type Dataset } from './dataset.ts';

const log = (msg: string): void => void process.stderr.write(`[bench] ${msg}\n`);
const pct = (xs: number[], p: number): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! * 100) / 100;
};
const stat = (xs: number[]) => ({ p50: pct(xs, 50), p95: pct(xs, 95), n: xs.length });
const r4 = (x: number): number => Math.round(x * 1e4) / 1e4;
const PAGES = 5;

interface Series {
  first: number[];
  next: number[];
  recall1: number[];
  recall5: number[];
}

function candidatesFor(d: Dataset): { c: Candidate; queries: number; pages: number }[] {
  const q = d.queries.length;
  const out: { c: Candidate; queries: number; pages: number }[] = [
    // sqlite-vec takes ~1 s a query at 1M: fewer queries and pages there.
    { c: new SqliteVecCandidate(d), queries: d.n >= 500_000 ? Math.min(q, 4) : Math.min(q, 10), pages: d.n >= 500_000 ? 2 : PAGES },
    { c: new TodayInt8Candidate(d), queries: Math.min(q, 10), pages: PAGES },
    { c: new CodesCandidate(d), queries: q, pages: PAGES },
  ];
  const hnswlibMax = Number(process.env.BENCH_HNSWLIB_MAX ?? 200_000);
  try {
    out.push({ c: new UsearchCandidate(d), queries: q, pages: PAGES });
  } catch (err) {
    log(`usearch not installed (${String(err).split('\n')[0]}): npm install --no-save usearch@2.25.3`);
  }
  if (d.n <= hnswlibMax) {
    try {
      out.push({ c: new HnswlibCandidate(d), queries: Math.min(q, 10), pages: PAGES });
    } catch (err) {
      log(`hnswlib-node not installed (${String(err).split('\n')[0]}): npm install --no-save hnswlib-node@3.0.0`);
    }
  }
  return out;
}

function overlap(got: number[], want: number[]): number {
  if (want.length === 0) return 1;
  const s = new Set(got);
  return want.filter((id) => s.has(id)).length / want.length;
}

async function benchSize(n: number, queryCount: number): Promise<Record<string, unknown>> {
  log(`index candidates at ${n}: dataset`);
  const d = openDataset(n, 'clip-like', queryCount);
  const list = candidatesFor(d);
  const out: Record<string, unknown> = { storedVectors: n, dim: d.dim, vectors: 'clip-like (test/bench/search/vectors.ts)', pageSize: PAGE, filters: d.filters.map((f) => f.name) };
  const info: Record<string, Record<string, unknown>> = {};
  try {
    for (const { c } of list) {
      log(`  ${c.name}: build`);
      const build = await c.build();
      info[c.name] = { build: { seconds: Math.round(build.seconds * 100) / 100, note: build.note }, memoryMiB: Math.round(c.memoryMiB()), persist: await c.persist() };
      log(`  ${c.name}: ${JSON.stringify(info[c.name])}`);
    }
    log(`  exact ground truth for ${d.queries.length} queries`);
    const truth = d.queries.map((q) => {
      const dist = exactDistances(d, q);
      return d.filters.map((f) => groundTruth(d, q, f.keep, PAGES * PAGE, dist));
    });
    const series = new Map<string, Series>();
    const get = (c: string, f: string): Series => {
      const key = `${c}|${f}`;
      let s = series.get(key);
      if (!s) series.set(key, (s = { first: [], next: [], recall1: [], recall5: [] }));
      return s;
    };
    // Warm-up: one query each (JIT, page cache), not recorded.
    for (const { c } of list) c.page(d.queries[0]!, 0, d.filters[0]!);
    for (let qi = 0; qi < d.queries.length; qi++) {
      const q = d.queries[qi]!;
      for (let fi = 0; fi < d.filters.length; fi++) {
        const f = d.filters[fi]!;
        for (const { c, queries, pages } of list) {
          if (qi >= queries) continue;
          const s = get(c.name, f.name);
          const got: number[] = [];
          for (let p = 0; p < pages; p++) {
            const t = performance.now();
            const ids = c.page(q, p, f);
            (p === 0 ? s.first : s.next).push(performance.now() - t);
            if (p === 0) s.recall1.push(overlap(ids, truth[qi]![fi]!.slice(0, PAGE)));
            got.push(...ids);
          }
          if (pages === PAGES) s.recall5.push(overlap(got, truth[qi]![fi]!));
        }
      }
      log(`  query ${qi + 1}/${d.queries.length}`);
    }
    for (const { c } of list) {
      const byFilter: Record<string, unknown> = {};
      for (const f of d.filters) {
        const s = get(c.name, f.name);
        byFilter[f.name] = { firstPageMs: stat(s.first), nextPageMs: stat(s.next), recallFirstPage: r4(mean(s.recall1)), recallPages1to5: s.recall5.length ? r4(mean(s.recall5)) : null };
      }
      const filtered = d.filters.slice(1).map((f) => get(c.name, f.name));
      info[c.name]!.firstPageMs = stat(get(c.name, 'none').first);
      info[c.name]!.nextPageMs = stat(get(c.name, 'none').next);
      info[c.name]!.worstFilteredFirstPageP95Ms = Math.max(...filtered.map((s) => pct(s.first, 95)));
      info[c.name]!.recallFirstPage = r4(mean(get(c.name, 'none').recall1));
      info[c.name]!.minRecallFirstPageAnyFilter = r4(Math.min(...d.filters.map((f) => mean(get(c.name, f.name).recall1))));
      info[c.name]!.byFilter = byFilter;
      info[c.name]!.update = c.update();
    }
    const codes = list.find((x) => x.c instanceof CodesCandidate);
    if (codes) info[codes.c.name]!.coldStart = coldStart(d);
  } finally {
    for (const { c } of list) await c.close();
    d.close();
  }
  out.candidates = info;
  out.faissNode = {
    installs: false,
    why: 'faiss-node 0.5.1 downloads its binaries from GitHub releases at install time (prebuild-install), not from the npm registry; where that fails it clones and compiles faiss (git, cmake, BLAS). On this machine `npm install faiss-node` fails (github.com unreachable), so a clean `npm ci` of the app would too, and an installer build would depend on a third-party release download per platform. Its JavaScript API also exposes no filtered search (no IDSelector).',
  };
  return out;
}

/** The snapshot written by the codes candidate's build, opened by a fresh process (page cache warm). */
function coldStart(d: Dataset): Record<string, unknown> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-bench-cold-'));
  try {
    // Build a snapshot once in this directory (the candidate's own was removed with it).
    execFileSync(process.execPath, ['--import', 'tsx', 'test/bench/search/cold-start.ts', d.dbFile, dir, 'build'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const runs: Record<string, unknown>[] = [];
    for (let i = 0; i < 3; i++) {
      const line = execFileSync(process.execPath, ['--import', 'tsx', 'test/bench/search/cold-start.ts', d.dbFile, dir, String(11 + i)], { stdio: ['ignore', 'pipe', 'inherit'] }).toString();
      runs.push(JSON.parse(line) as Record<string, unknown>);
    }
    return { runs, note: 'fresh process, snapshot present, page cache warm (the file was just written)' };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const mean = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

export async function benchIndexCandidates(): Promise<Record<string, unknown>> {
  const sizes = (process.env.BENCH_CANDIDATE_SIZES ?? '100000,1000000').split(',').map(Number);
  const queries = Number(process.env.BENCH_CANDIDATE_QUERIES ?? 20);
  const out: Record<string, unknown> = {};
  for (const n of sizes) out[String(n)] = await benchSize(n, queries);
  return out;
}
