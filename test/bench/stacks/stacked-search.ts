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
    const figures = async (extra: PhotoFilter): Promise<Record<string, unknown>> => {
      const first: number[] = [];
      const next: number[] = [];
      const filtered: number[] = [];
      const browse: number[] = [];
      for (q = 0; q < d.queries.length; q++) {
        const text = `q${q}-${JSON.stringify(extra)}`;
        await service.text(text, 1, extra, undefined, 'visual'); // the query's vector is cached, as after its first page
        let t = performance.now();
        let page = await service.text(text, UI_PAGE_SIZE, extra, undefined, 'visual');
        first.push(performance.now() - t);
        for (let p = 1; p < 5 && page.nextCursor; p++) {
          t = performance.now();
          page = await service.text(text, UI_PAGE_SIZE, extra, page.nextCursor, 'visual');
          next.push(performance.now() - t);
        }
        t = performance.now();
        await service.text(text, UI_PAGE_SIZE, { ...extra, tag: tagName }, undefined, 'visual');
        filtered.push(performance.now() - t);
      }
      for (let i = 0; i < 10; i++) {
        const t = performance.now();
        library.browse(extra, UI_PAGE_SIZE);
        browse.push(performance.now() - t);
      }
      return { firstPageMs: stat(first), nextPageMs: stat(next), tagFilteredFirstPageMs: stat(filtered), browseFirstPageMs: stat(browse) };
    };
    // Alternated, so the machine's load falls on both alike.
    const off1 = await figures({ stack: 'all' });
    const on1 = await figures({});
    const off2 = await figures({ stack: 'all' });
    const on2 = await figures({});
    return { photos: d.n, stacks: d.lib.stacks.count(), stackedPhotos: stacked, uiPageSize: UI_PAGE_SIZE, stackedShownOnce: [on1, on2], everyPhoto: [off1, off2], loadAverage: os.loadavg() };
  } finally {
    d.lib.stacks.clear();
    await search.close({ save: false });
    d.close();
  }
}
