/**
 * Search cursors: the keyset position of the last hit a page returned (its exact distance, photo
 * id and — for a video segment — the segment's start, and how many hits came before), tied to the
 * query it belongs to (util/cursor-codec.ts:
 * a cursor presented with another query, other filters or after a model switch is refused).
 *
 * A list ranked by relevance also carries its boundary (query-relevance.ts), measured on the first
 * page, so every later page marks its hits and stops at the same place without any state kept in
 * the engine; and whether the weaker hits were asked for (`w`: past the boundary).
 */
import { apiError } from '../../shared/api.ts';
import { readCursor, writeCursor } from '../util/cursor-codec.ts';
import type { MixedCursor } from './mixed-pages.ts';
import { boundaryFromCursor, boundaryToCursor, type ListBoundary } from './query-relevance.ts';
import type { FirstPageMark } from './vector-search.ts';

export { queryKey, readCursor, writeCursor } from '../util/cursor-codec.ts';

const VERSION = 1;

/** Where a page starts: after `after` (the list's start when absent: only a weaker cursor can say that). */
export interface ListCursor {
  after: MixedCursor | undefined;
  /** The list's relevance boundary (absent: the list is not ranked by relevance). */
  boundary?: ListBoundary;
  /** The weaker hits were asked for: pages go on past the boundary. */
  weaker: boolean;
}

/** The relevance part of a cursor body (fused-search.ts's cursors carry it too). */
export function listState(s: { boundary?: ListBoundary | null; weaker?: boolean }): Record<string, unknown> {
  return { ...(s.boundary ? { b: boundaryToCursor(s.boundary) } : {}), ...(s.weaker ? { w: 1 } : {}) };
}

/** The relevance part of a cursor body; BAD_REQUEST when malformed. */
export function readListState(c: Record<string, unknown>): { boundary?: ListBoundary; weaker: boolean } {
  const boundary = boundaryFromCursor(c.b);
  if (boundary === null || (c.w !== undefined && c.w !== 1)) throw apiError('cursor-invalid', {}, 'not a search cursor');
  return { ...(boundary ? { boundary } : {}), weaker: c.w === 1 };
}

export function encodeCursor(key: string, at: MixedCursor | undefined, state: { boundary?: ListBoundary | null; weaker?: boolean } = {}): string {
  return writeCursor({ v: VERSION, k: key, ...(at ? positionFields(at) : {}), ...listState(state) });
}

/** A keyset position's cursor fields (search and fused lists): d, i, n, and s, f, m when present. */
export function positionFields(at: MixedCursor): Record<string, unknown> {
  const f = at.first;
  return {
    d: at.distance,
    i: at.photoId,
    n: at.depth,
    ...(at.start !== undefined ? { s: at.start } : {}),
    ...(f ? { f: [f.threshold, f.codes] } : {}),
    ...(f?.missed ? { m: [f.missed.distance, f.missed.photoId] } : {}),
  };
}

/**
 * The mark of an approximate first page in a cursor (vector-index/first-page.ts): undefined when
 * absent (cursors from before it, pages that owe nothing), null when malformed.
 */
export function cursorMark(c: Record<string, unknown>): FirstPageMark | undefined | null {
  if (c.f === undefined) return c.m === undefined ? undefined : null;
  const f = c.f;
  if (!Array.isArray(f) || f.length !== 2 || !Number.isInteger(f[0]) || !Number.isInteger(f[1])) return null;
  const mark: FirstPageMark = { threshold: f[0] as number, codes: f[1] as number };
  if (c.m === undefined) return mark;
  const m = c.m;
  if (!Array.isArray(m) || m.length !== 2 || typeof m[0] !== 'number' || !Number.isInteger(m[1])) return null;
  return { ...mark, missed: { distance: m[0], photoId: m[1] as number } };
}

/** A segment start in a cursor: a finite number when present. */
export function cursorStart(s: unknown): number | undefined | null {
  if (s === undefined) return undefined;
  return typeof s === 'number' && Number.isFinite(s) ? s : null;
}

export function decodeCursor(key: string, cursor: string | undefined): ListCursor | undefined {
  if (cursor === undefined) return undefined;
  const c = readCursor(cursor);
  if (c.v !== VERSION) throw apiError('cursor-invalid', {}, 'not a search cursor');
  if (c.k !== key) throw apiError('cursor-stale', {}, 'this cursor belongs to another search (query, filters or model changed): start again from the first page');
  const state = readListState(c);
  // No position: the weaker hits from the list's start (nothing in it was relevant).
  if (c.d === undefined && c.i === undefined && c.n === undefined && state.weaker) return { after: undefined, ...state };
  if (typeof c.d !== 'number' || !Number.isInteger(c.i) || !Number.isInteger(c.n) || (c.n as number) < 0) throw apiError('cursor-invalid', {}, 'not a search cursor');
  const start = cursorStart(c.s);
  const first = cursorMark(c);
  if (start === null || first === null) throw apiError('cursor-invalid', {}, 'not a search cursor');
  return { after: { distance: c.d, photoId: c.i as number, depth: c.n as number, ...(start !== undefined ? { start } : {}), ...(first ? { first } : {}) }, ...state };
}
