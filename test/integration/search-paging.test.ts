/**
 * Paging through the search service as the renderer does: the first page, then nextCursor until
 * null. Pages join up to exactly sqlite-vec's order (distance, then id) with and without filters,
 * every hit comes from the filtered set, a similar-search never lists its own photo, the query is
 * encoded once for all its pages, a cursor cannot continue another search, and the only limit —
 * the SQL fallback's — is stated in the response.
 */
import { resolvePhotoFilter } from '../../electron/engine/library/photo-filter.ts';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError, reasonOf, type SearchResponse } from '../../electron/shared/api.ts';
import { searchRequests } from '../../electron/shared/contract/search.ts';
import { SearchService, type QueryEmbedder } from '../../electron/engine/search/search-service.ts';
import type { VectorSearch } from '../../electron/engine/search/vector-search.ts';
import { MAX_K, type PhotoQuery } from '../../electron/engine/store/index.ts';
import { addPhotos, openTestLibrary, randomVector, rng, ROOT, type TestLibrary } from './fixtures/vector-library.ts';

let tmp: string;
let t: TestLibrary;
let vs: VectorSearch;
let service: SearchService;
let encoded: string[];
let imagesEncoded: number;
const queryVec = randomVector(rng(77));

function serviceFor(search: VectorSearch): SearchService {
  const embedder: QueryEmbedder = {
    preprocessSpec: { resolution: 16, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5], resize: 'bicubic' },
    embedTexts: async (texts) => {
      encoded.push(...texts);
      return texts.map(() => queryVec);
    },
    embedImageTensors: async () => {
      imagesEncoded++;
      return [queryVec];
    },
  };
  return new SearchService(t.lib, () => ({ embedder, vectors: search }));
}

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-paging-'));
  t = openTestLibrary(path.join(tmp, 'lib.db'));
  encoded = [];
  imagesEncoded = 0;
});
afterEach(async () => {
  await vs?.close({ save: false });
  t.lib.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function setUp(n: number, opts: Parameters<TestLibrary['search']>[0] = {}): number[] {
  const ids = addPhotos(t, n, 1);
  const tag = t.lib.tags.upsertTag({ name: '海边' });
  t.lib.tags.replaceTagAssignments(tag, ids.filter((_, i) => i % 4 === 0).map((photoId) => ({ photoId, score: 0.5 })));
  vs = t.search(opts);
  service = serviceFor(vs);
  return ids;
}

/** sqlite-vec's order for the filter, as (distance, id). */
function exactOrder(vec: Float32Array, filter: PhotoQuery, k = MAX_K): number[] {
  return t.vectors
    .knn(vec, k, filter)
    .map((h) => ({ id: h.photoId, d: Math.fround(1 - h.score) }))
    .sort((a, b) => a.d - b.d || a.id - b.id)
    .map((h) => h.id);
}

/** Paging mechanics are about the whole ranked list: past the relevance boundary too (`search --all`). */
const WHOLE = { all: true } as const;

async function allPages(page: (cursor: string | undefined) => Promise<SearchResponse>): Promise<{ pages: SearchResponse[]; ids: number[] }> {
  const pages: SearchResponse[] = [];
  let cursor: string | undefined;
  for (let guard = 0; guard < 100; guard++) {
    const p = await page(cursor);
    pages.push(p);
    if (!p.nextCursor) return { pages, ids: pages.flatMap((x) => x.hits.map((h) => h.id)) };
    cursor = p.nextCursor;
  }
  throw new Error('no last page');
}

describe('search pages through the service', () => {
  it('join up to the exact order, with and without filters inside the query; the text is encoded once', async () => {
    setUp(2400);
    const cases: [Record<string, string>, PhotoQuery][] = [
      [{}, {}],
      [{ after: '2021-01-01', before: '2022-12-31' }, resolvePhotoFilter({ after: '2021-01-01', before: '2022-12-31' })],
      [{ folder: path.join(ROOT, 'd3') }, resolvePhotoFilter({ folder: path.join(ROOT, 'd3') })],
      [{ tag: '海边' }, { tag: '海边' }],
      [{ tag: '海边', folder: path.join(ROOT, 'd2'), after: '2020-06-01' }, resolvePhotoFilter({ tag: '海边', folder: path.join(ROOT, 'd2'), after: '2020-06-01' })],
    ];
    for (const [filters, filter] of cases) {
      const { pages, ids } = await allPages((cursor) => service.text('海边的日落', 500, filters, cursor, 'all', WHOLE));
      expect(ids).toEqual(exactOrder(queryVec, filter));
      expect(pages.slice(0, -1).every((p) => p.hits.length === 500)).toBe(true);
      expect(pages.every((p) => p.limit === undefined)).toBe(true);
      expect(pages[0]!.matched).toBe(ids.length);
    }
    // One encoding for every page of every filter: the query's vector is kept.
    expect(encoded).toEqual(['海边的日落']);
  });

  it('a similar-search leaves its photo out of every page and still fills them', async () => {
    const ids = setUp(1500);
    const src = ids[42]!;
    const { pages, ids: got } = await allPages((cursor) => service.similar(src, 200, {}, cursor, undefined, true));
    expect(got).toEqual(exactOrder(t.vectors.get(src)!, {}).filter((id) => id !== src));
    expect(pages.slice(0, -1).every((p) => p.hits.length === 200)).toBe(true);
  });

  it('a dropped image pages on by the key its first page gave, not its bytes; a key no longer kept is image-expired', async () => {
    setUp(600);
    const bytes = fs.readFileSync(path.resolve('../shared/golden/images', fs.readdirSync('../shared/golden/images').find((f) => /\.jpe?g$/i.test(f))!));
    const first = await service.similarToImage(bytes, 200, {}, undefined, true);
    expect(first.imageKey).toBe(crypto.createHash('sha256').update(bytes).digest('base64url'));
    const byKey = { imageKey: first.imageKey! };
    const { ids } = await allPages((cursor) => (cursor ? service.similarToImage(byKey, 200, {}, cursor, true) : Promise.resolve(first)));
    expect(ids).toEqual(exactOrder(queryVec, {}));
    // Another filter is another list of the same image: by key as well.
    const tagged = await service.similarToImage(byKey, 100, { tag: '海边' }, undefined, true);
    expect(tagged.hits.map((h) => h.id)).toEqual(exactOrder(queryVec, { tag: '海边' }, 100));
    expect(imagesEncoded).toBe(1);
    const gone = await service.similarToImage({ imageKey: 'A'.repeat(43) }, 10).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(ApiError);
    expect(reasonOf(gone as ApiError)).toBe('image-expired');
    // The request takes the bytes or the key, not both, not neither.
    const ok = (r: object): boolean => searchRequests.similarToImage.safeParse(r).success;
    expect(ok({ dataBase64: 'AAAA' })).toBe(true);
    expect(ok(byKey)).toBe(true);
    expect(ok({ dataBase64: 'AAAA', ...byKey })).toBe(false);
    expect(ok({})).toBe(false);
    expect(ok({ imageKey: 'not a key' })).toBe(false);
  });

  it('refuses a cursor from another query or other filters', async () => {
    setUp(600);
    const first = await service.text('猫', 100, {}, undefined, 'all', WHOLE);
    await expect(service.text('狗', 100, {}, first.nextCursor!)).rejects.toThrow(ApiError);
    await expect(service.text('猫', 100, { tag: '海边' }, first.nextCursor!)).rejects.toThrow(/another search/);
    await expect(service.text('猫', 100, {}, 'garbage')).rejects.toThrow(/not a search cursor/);
    expect((await service.text('猫', 100, {}, first.nextCursor!)).hits).toHaveLength(100);
  });

  it('has no cap on the index path; the SQL fallback states where it stops', async () => {
    setUp(MAX_K + 700);
    const all = await allPages((cursor) => service.text('海', 1000, {}, cursor, 'all', WHOLE));
    expect(all.ids).toHaveLength(MAX_K + 700);
    expect(all.pages.every((p) => p.limit === undefined)).toBe(true);

    await vs.close({ save: false });
    vs = t.search({ mode: 'sqlite' });
    service = serviceFor(vs);
    const capped = await allPages((cursor) => service.text('海', 1000, {}, cursor, 'all', WHOLE));
    expect(capped.ids).toEqual(all.ids.slice(0, MAX_K));
    expect(capped.pages.at(-1)!.limit).toEqual({ maxResults: MAX_K, reason: 'sqlite-only' });
    expect(capped.pages.at(-1)!.nextCursor).toBeNull();
  });

  it('new photos written between pages neither repeat nor shift the pages already seen', async () => {
    setUp(1200);
    const first = await service.text('山', 300, {}, undefined, 'all', WHOLE);
    const seen = new Set(first.hits.map((h) => h.id));
    addPhotos(t, 50, 9, 10_000); // indexing goes on while the person scrolls
    const second = await service.text('山', 300, {}, first.nextCursor!);
    expect(second.hits.some((h) => seen.has(h.id))).toBe(false);
    const lastScore = first.hits.at(-1)!.score;
    expect(second.hits.every((h) => h.score <= lastScore)).toBe(true);
  });
});
