/**
 * Search when nothing is cached: the kernel's page cache is dropped (`echo 3 >
 * /proc/sys/vm/drop_caches`, root only) before each first page, so the exact vectors
 * (`vectors.f32`), the database pages a filter reads, and in a fresh process the snapshot itself
 * all come from the disk — what a laptop that needed its memory for other work, or any first search
 * after a reboot, meets. Two indexes over the same library answer alternately, query by query:
 * `before` reads on the calling thread only (readerThreads 0, as the index did before), `after`
 * with the reader threads (vector-index/parallel-reader.ts).
 *
 *   firstPageMs       no filter, cache dropped before each query
 *   filteredFirstPageMs  date / folder / tag filters, cache dropped before each
 *   nextPageMs        pages 2–5 right after a cold first page (what came in with it stays)
 *   coldStartMs       fresh process: open the library → first page, cache dropped before each run
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { UI_PAGE_SIZE } from '../../../electron/shared/paging.ts';
import { VectorSearch } from '../../../electron/engine/search/vector-search.ts';
import type { Dataset } from './dataset.ts';

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! * 100) / 100;
};
const stat = (xs: number[]): { p50: number; p95: number; max: number } => ({ p50: pct(xs, 50), p95: pct(xs, 95), max: pct(xs, 100) });

/** Drops the page cache (dirty pages written first); false where that is not allowed (not root, not Linux). */
export function dropPageCache(): boolean {
  try {
    execFileSync('sync');
    fs.writeFileSync('/proc/sys/vm/drop_caches', '3');
    return true;
  } catch {
    return false;
  }
}

export async function benchColdCache(d: Dataset, log: (m: string) => void): Promise<Record<string, unknown>> {
  if (!dropPageCache()) return { skipped: 'the page cache cannot be dropped here (needs root on Linux)' };
  const sides = { before: new VectorSearch(d.repo, d.lib.vectorLog, { readerThreads: 0 }), after: new VectorSearch(d.repo, d.lib.vectorLog) };
  const names = Object.keys(sides) as (keyof typeof sides)[];
  const byName = (prefix: string) => d.filters.find((f) => f.name.startsWith(prefix))!;
  const filters = { date: byName('date ('), folder: byName('folder'), tag: byName('tag (5%)') };
  const first = { before: [] as number[], after: [] as number[] };
  const next = { before: [] as number[], after: [] as number[] };
  const filtered = { before: [] as number[], after: [] as number[] };
  try {
    for (const s of Object.values(sides)) {
      s.open();
      await s.whenIdle();
      s.page(d.queries[0]!, UI_PAGE_SIZE); // warm-up: JIT, first allocations
    }
    for (const [qi, q] of d.queries.entries()) {
      for (const name of qi % 2 === 0 ? names : [...names].reverse()) {
        // A turn of the event loop between requests, as a server has (reader threads found
        // necessary by a slow page start in one).
        await new Promise((r) => setImmediate(r));
        const s = sides[name];
        dropPageCache();
        let t = performance.now();
        let page = s.page(q, UI_PAGE_SIZE);
        first[name].push(performance.now() - t);
        for (let p = 1; p < 5 && page.next; p++) {
          t = performance.now();
          page = s.page(q, UI_PAGE_SIZE, {}, page.next);
          next[name].push(performance.now() - t);
        }
        for (const f of Object.values(filters)) {
          dropPageCache();
          t = performance.now();
          s.page(q, UI_PAGE_SIZE, f.filter);
          filtered[name].push(performance.now() - t);
        }
      }
      if (qi % 5 === 4) log(`cold cache: ${qi + 1} of ${d.queries.length} queries`);
    }
  } finally {
    for (const s of Object.values(sides)) await s.close({ save: false });
  }
  const coldStart = { before: [] as Record<string, unknown>[], after: [] as Record<string, unknown>[] };
  for (let i = 0; i < 3; i++) {
    for (const name of i % 2 === 0 ? names : [...names].reverse()) {
      dropPageCache();
      const line = execFileSync(process.execPath, ['--import', 'tsx', 'test/bench/search/cold-start.ts', d.dbFile, '-', String(21 + i), name === 'before' ? '0' : 'default'], { stdio: ['ignore', 'pipe', 'inherit'] }).toString();
      coldStart[name].push(JSON.parse(line) as Record<string, unknown>);
    }
  }
  const out: Record<string, unknown> = { note: 'page cache dropped before each first page and each cold start (before: reads on one thread; after: reader threads)' };
  for (const name of names) {
    out[name] = {
      firstPageMs: stat(first[name]),
      filteredFirstPageMs: stat(filtered[name]),
      nextPageMs: stat(next[name]),
      coldStartMs: { p50: pct(coldStart[name].map((r) => r.coldStartMs as number), 50), runs: coldStart[name] },
    };
  }
  return out;
}
