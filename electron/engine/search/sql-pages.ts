/**
 * Pages from sqlite-vec when the index cannot answer (it is being built, search is set to SQL
 * only, or a write transaction is open), with the same keyset cursors as the index so a list can
 * continue from one path on the other.
 */
import { MAX_K, type PhotoQuery } from '../store/vector-repository.ts';
import type { VectorSource } from './vector-index/source.ts';
import type { PageCursor } from './vector-index/searcher.ts';
import type { VectorPage } from './vector-search.ts';

/**
 * The fallback: sqlite-vec's exact KNN for the first depth + limit (+ a few, for ties and rows
 * that moved), re-ordered by (distance, id) like the index, then the part after the cursor.
 * Its k cannot exceed MAX_K: when the cursor reaches that deep, the page ends there and says so.
 */
export function sqlPage(source: VectorSource, query: Float32Array, limit: number, filter: PhotoQuery, after: PageCursor | undefined, reason: NonNullable<VectorPage['limit']>['reason']): VectorPage {
  if (!(limit >= 1)) return { hits: [], next: null, path: 'sqlite' };
  const depth = after?.depth ?? 0;
  let k = Math.min(MAX_K, depth + limit + 64);
  for (;;) {
    const rows = source
      .exactSearch(query, k, filter)
      .map((h) => ({ photoId: h.photoId, distance: Math.fround(1 - h.score) }))
      .sort((a, b) => a.distance - b.distance || a.photoId - b.photoId);
    const exhausted = rows.length < k; // every filtered photo is in `rows`
    const rest = after ? rows.filter((r) => r.distance > after.distance || (r.distance === after.distance && r.photoId > after.photoId)) : rows;
    if (!exhausted && rest.length < limit && k < MAX_K) {
      k = MAX_K; // the cursor is deeper than its depth says (rows were added before it)
      continue;
    }
    const page = rest.slice(0, limit);
    const last = page[page.length - 1];
    const more = rest.length > limit || (!exhausted && k < MAX_K);
    const out: VectorPage = {
      hits: page.map((r) => ({ photoId: r.photoId, score: 1 - r.distance })),
      next: last && more ? { distance: last.distance, photoId: last.photoId, depth: depth + page.length } : null,
      path: 'sqlite',
    };
    if (!exhausted && k === MAX_K && rest.length <= limit) out.limit = { maxResults: MAX_K, reason };
    return out;
  }
}
