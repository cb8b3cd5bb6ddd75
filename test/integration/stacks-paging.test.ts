/**
 * Each stack once, page after page: with a third of a library in stacks (written straight into the
 * store, in random cover orders), paging through search, similar photos, a fused text search and
 * browsing — in small pages, under filters that leave covers out — gives exactly the full list
 * with every photo left out that a better-ranked member of its stack passing the same filter
 * stands in for: no stack twice, none skipped, on the index and on sqlite-vec.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolvePhotoFilter } from '../../electron/engine/library/photo-filter.ts';
import { LibraryService } from '../../electron/engine/library/library-service.ts';
import type { TextMatcher } from '../../electron/engine/search/fused-search.ts';
import { SearchService, type QueryEmbedder } from '../../electron/engine/search/search-service.ts';
import type { VectorSearch } from '../../electron/engine/search/vector-search.ts';
import type { PhotoQuery } from '../../electron/engine/store/index.ts';
import type { PhotoFilter, SearchResponse } from '../../electron/shared/api.ts';
import { addPhotos, openTestLibrary, randomVector, rng, ROOT, type TestLibrary } from './fixtures/vector-library.ts';

let tmp: string;
let t: TestLibrary;
let vs: VectorSearch;
const queryVec = randomVector(rng(77));

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-stack-paging-'));
  t = openTestLibrary(path.join(tmp, 'lib.db'));
});
afterEach(async () => {
  await vs?.close({ save: false });
  t.lib.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Random stacks of 2–6 photos over about a third of the ids; each stack's order shuffled. */
function makeStacks(ids: number[], seed: number): Map<number, { stack: number; rank: number }> {
  const rnd = rng(seed);
  const pool = ids.filter(() => rnd() < 0.35).sort(() => rnd() - 0.5);
  const of = new Map<number, { stack: number; rank: number }>();
  const stacks = [];
  for (let i = 0, id = 1; i + 1 < pool.length; id++) {
    const n = 2 + Math.floor(rnd() * 5);
    const members = pool.slice(i, i + n);
    i += n;
    if (members.length < 2) break;
    members.forEach((p, rank) => of.set(p, { stack: id, rank }));
    stacks.push({ id, kind: 'near' as const, photos: members.map((photoId) => ({ photoId, unitId: id })) });
  }
  t.lib.stacks.replace([], stacks);
  return of;
}

/** The full list with each stack once: a photo goes when a better-ranked member passes the filter. */
function collapse(order: number[], of: Map<number, { stack: number; rank: number }>): number[] {
  const best = new Map<number, number>();
  for (const id of order) {
    const s = of.get(id);
    if (s) best.set(s.stack, Math.min(best.get(s.stack) ?? Infinity, s.rank));
  }
  return order.filter((id) => {
    const s = of.get(id);
    return !s || best.get(s.stack) === s.rank;
  });
}

function exactOrder(vec: Float32Array, filter: PhotoQuery): number[] {
  return t.vectors
    .knn(vec, 4096, filter)
    .map((h) => ({ id: h.photoId, d: Math.fround(1 - h.score) }))
    .sort((a, b) => a.d - b.d || a.id - b.id)
    .map((h) => h.id);
}

async function pages<R extends { hits: { id: number }[]; nextCursor: string | null }>(page: (cursor?: string) => R | Promise<R>): Promise<{ ids: number[]; first: R }> {
  const ids: number[] = [];
  let cursor: string | undefined;
  let first: R | undefined;
  for (let guard = 0; guard < 500; guard++) {
    const p = await page(cursor);
    first ??= p;
    ids.push(...p.hits.map((h) => h.id));
    if (!p.nextCursor) return { ids, first: first! };
    cursor = p.nextCursor;
  }
  throw new Error('no last page');
}

function service(search: VectorSearch, matcher?: TextMatcher): SearchService {
  const embedder: QueryEmbedder = { preprocessSpec: undefined as never, embedTexts: async (q) => q.map(() => queryVec), embedImageTensors: async () => [queryVec] };
  return new SearchService(t.lib, () => ({ embedder, vectors: search }), matcher);
}

const FILTERS: PhotoFilter[] = [{}, { folder: path.join(ROOT, 'd3') }, { after: '2021-01-01', before: '2022-06-30' }, { tag: '海边' }];

/** Paging is checked over the whole ranked list: past the relevance boundary too (`search --all`). */
const WHOLE = { all: true } as const;

describe('each stack once, page after page', () => {
  for (const mode of ['index', 'sqlite'] as const) {
    it(`search and similar photos (${mode})`, async () => {
      const ids = addPhotos(t, 1500, 3);
      const tag = t.lib.tags.upsertTag({ name: '海边' });
      t.lib.tags.replaceTagAssignments(tag, ids.filter((_, i) => i % 3 === 0).map((photoId) => ({ photoId, score: 0.5 })));
      const of = makeStacks(ids, 5);
      vs = t.search({ mode });
      const s = service(vs);
      for (const filter of FILTERS) {
        const q = resolvePhotoFilter(filter);
        const want = collapse(exactOrder(queryVec, q), of);
        const got = await pages((cursor) => s.text('海边', 37, filter, cursor, 'visual', WHOLE));
        expect(got.ids).toEqual(want);
        if (mode === 'index') expect(got.first.matched).toBe(want.length);
        const hits = (await s.text('海边', 50, filter, undefined, 'visual', WHOLE)).hits;
        for (const h of hits) expect(h.stack?.id).toBe(of.get(h.id)?.stack);
      }
      // Every photo of every stack ('all'), and one stack's own photos.
      expect((await pages((cursor) => s.text('海边', 101, { stack: 'all' }, cursor, 'visual', WHOLE))).ids).toEqual(exactOrder(queryVec, {}));
      const members = [...of].filter(([, v]) => v.stack === 4).map(([id]) => id);
      expect((await pages((cursor) => s.text('海边', 2, { stack: 4 }, cursor, 'visual', WHOLE))).ids.sort()).toEqual(members.sort());
      // Similar photos: the photo itself and the members it stands in for stay out.
      const src = [...of].find(([, v]) => v.rank === 0)![0];
      const similar = await pages((cursor) => s.similar(src, 29, {}, cursor, undefined, true));
      expect(similar.ids).toEqual(collapse(exactOrder(t.vectors.get(src)!, {}), of).filter((id) => id !== src));
    });
  }

  it('a fused text search (text hits first, then by looks)', async () => {
    const ids = addPhotos(t, 900, 4);
    const of = makeStacks(ids, 6);
    // The text side: every fifth photo "holds" the query, in id order.
    const withText = ids.filter((_, i) => i % 5 === 0);
    const matcher: TextMatcher = {
      search: (_q, limit, filter) => {
        const allowed = new Set(t.lib.browse.page(filter, 10_000).map((r) => r.id));
        return withText.filter((id) => allowed.has(id)).slice(0, limit).map((photoId) => ({ photoId, exact: true }));
      },
      snippets: () => new Map(),
    };
    vs = t.search();
    const s = service(vs, matcher);
    for (const filter of FILTERS.slice(0, 2)) {
      const all = await pages((cursor) => s.text('营业时间', 1000, { ...filter, stack: 'all' }, cursor, 'all', WHOLE));
      const want = collapse(all.ids, of);
      const got = await pages((cursor): Promise<SearchResponse> => s.text('营业时间', 23, filter, cursor, 'all', WHOLE));
      expect(got.ids).toEqual(want);
    }
  });

  it('browsing, newest first', async () => {
    const ids = addPhotos(t, 1200, 7);
    const of = makeStacks(ids, 8);
    const library = new LibraryService(t.lib);
    for (const filter of FILTERS.slice(0, 3)) {
      const q = resolvePhotoFilter(filter);
      const raw = t.lib.browse.page(q, 10_000).map((r) => r.id);
      const want = collapse(raw, of);
      const got = await pages((cursor) => library.browse(filter, 41, cursor));
      expect(got.ids).toEqual(want);
      expect(got.first.matched).toBe(want.length);
    }
  });
});
