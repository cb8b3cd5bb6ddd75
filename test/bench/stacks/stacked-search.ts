/**
 * Search and browsing with stacks shown once against every photo shown, in the same run, on the
 * query benchmark's library (test/bench/search/dataset.ts, BENCH_VECTORS CLIP-like photos) with a
 * third of its photos put in stacks of 2–6 for the duration: first page of UI_PAGE_SIZE, pages
 * 2–5, the tag-filtered first page, through SearchService as the app calls it (query vectors
 * given, so the text tower's time is left out) — and browsing's first page. The stacks are
 * removed again afterwards (the dataset is a cache other benchmarks read).
 */
import os from 'node:os';
import type { PhotoFilter } from '../../../electron/shared/api.ts';
import { UI_PAGE_SIZE } from '../../../electron/shared/paging.ts';
import { LibraryService } from '../../../electron/engine/library/library-service.ts';
import { SearchService, type QueryEmbedder } from '../../../electron/engine/search/search-service.ts';
import { VectorSearch } from '../../../electron/engine/search/vector-search.ts';
import { openDataset } from '../search/dataset.ts';
import { Rng } from '../search/vectors.ts';

type Log = (m: string) => void;
const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! * 100) / 100;
};
const stat = (xs: number[]): { p50: number; p95: number } => ({ p50: pct(xs, 50), p95: pct(xs, 95) });

export async function benchStackedSearch(n: number, log: Log): Promise<unknown> {
  const d = openDataset(n, 'clip-like', 20);
  const search = new VectorSearch(d.repo, d.lib.vectorLog);
  try {
    search.open();
    await search.whenIdle();
    // About a third of the photos in stacks of 2–6 consecutive ids: the dataset's vectors come in
    // scenes of consecutive ids (vectors.ts), so a stack's photos look alike and crowd the same
    // pages, as copies and bursts do — the case where collapsing leaves out most per page.
    const rng = new Rng(19);
    const stacks = [];
    for (let id = 1, next = 1; next <= d.n; id++) {
      if (rng.next() >= 0.12) {
        next++;
        continue;
      }
      const size = Math.min(2 + rng.int(5), d.n - next + 1);
      if (size >= 2) stacks.push({ id, kind: 'near' as const, photos: Array.from({ length: size }, (_, k) => ({ photoId: next + k, unitId: id })) });
      next += size;
    }
    d.lib.stacks.clear();
    for (let i = 0; i < stacks.length; i += 5000) d.lib.stacks.replace([], stacks.slice(i, i + 5000));
    const stacked = d.lib.stacks.hiddenCount({}) + d.lib.stacks.count();
    log(`stacked search: ${d.lib.stacks.count()} stacks over ${stacked} of ${d.n} photos`);

    let q = 0;
    const embedder: QueryEmbedder = { preprocessSpec: undefined as never, embedTexts: async (texts) => texts.map(() => d.queries[q]!), embedImageTensors: async () => [] };
    const service = new SearchService(d.lib, () => ({ embedder, vectors: search }));
    const library = new LibraryService(d.lib);
    const tag = d.filters.find((f) => f.name.startsWith('tag (5%)'))!;
    const tagName = tag.filter.tag!;
    // Wall and CPU milliseconds of one call (the CPU time is this process's own: on a shared
    // machine the wall clock mostly measures the others).
    const cpuNow = (): number => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    };
    type Sample = { wall: number; cpu: number };
    const timed = async (fn: () => unknown): Promise<Sample> => {
      const t = performance.now();
      const c = cpuNow();
      await fn();
      return { wall: performance.now() - t, cpu: cpuNow() - c };
    };
    const kinds = ['first', 'next', 'tagFiltered', 'browse'] as const;
    const samples = { on: Object.fromEntries(kinds.map((k) => [k, [] as Sample[]])), off: Object.fromEntries(kinds.map((k) => [k, [] as Sample[]])) } as Record<'on' | 'off', Record<(typeof kinds)[number], Sample[]>>;
    const measure = async (side: 'on' | 'off'): Promise<void> => {
      const extra: PhotoFilter = side === 'on' ? {} : { stack: 'all' };
      const into = samples[side];
      const text = `q${q}-${side}`;
      // The query's vector is given (the fake encoder): what is timed is the search and the hits.
      let page: Awaited<ReturnType<SearchService['text']>> | undefined;
      into.first.push(await timed(async () => (page = await service.text(text, UI_PAGE_SIZE, extra, undefined, 'visual'))));
      for (let p = 1; p < 5 && page?.nextCursor; p++) {
        const cursor = page.nextCursor;
        into.next.push(await timed(async () => (page = await service.text(text, UI_PAGE_SIZE, extra, cursor, 'visual'))));
      }
      into.tagFiltered.push(await timed(() => service.text(text, UI_PAGE_SIZE, { ...extra, tag: tagName }, undefined, 'visual')));
      into.browse.push(await timed(() => library.browse(extra, UI_PAGE_SIZE)));
    };
    // Each query both ways, in alternating order, so the machine's load falls on both alike.
    for (let round = 0; round < 2; round++) {
      for (q = 0; q < d.queries.length; q++) {
        const order: ('on' | 'off')[] = (q + round) % 2 === 0 ? ['on', 'off'] : ['off', 'on'];
        for (const side of order) await measure(side);
      }
    }
    const summary = (xs: Sample[]) => ({ wallMs: stat(xs.map((x) => x.wall)), cpuMs: stat(xs.map((x) => x.cpu)) });
    const ratio = (k: (typeof kinds)[number]) => Math.round((pct(samples.on[k].map((x) => x.cpu), 50) / pct(samples.off[k].map((x) => x.cpu), 50)) * 100) / 100;
    return {
      photos: d.n,
      stacks: d.lib.stacks.count(),
      stackedPhotos: stacked,
      uiPageSize: UI_PAGE_SIZE,
      stackedShownOnce: Object.fromEntries(kinds.map((k) => [k, summary(samples.on[k])])),
      everyPhoto: Object.fromEntries(kinds.map((k) => [k, summary(samples.off[k])])),
      cpuRatioOnToOff: Object.fromEntries(kinds.map((k) => [k, ratio(k)])),
      loadAverage: os.loadavg(),
    };
  } finally {
    d.lib.stacks.clear();
    await search.close({ save: false });
    d.close();
  }
}
