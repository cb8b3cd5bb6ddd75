/**
 * Search cursors: the keyset position of the last hit a page returned (its exact distance, photo
 * id and — for a video segment — the segment's start, and how many hits came before), tied to the
 * query it belongs to (util/cursor-codec.ts:
 * a cursor presented with another query, other filters or after a model switch is refused).
 */
import { apiError } from '../../shared/api.ts';
import { readCursor, writeCursor } from '../util/cursor-codec.ts';
import type { MixedCursor } from './mixed-pages.ts';
import type { FirstPageMark } from './vector-search.ts';

export { queryKey, readCursor, writeCursor } from '../util/cursor-codec.ts';

const VERSION = 1;

export function encodeCursor(key: string, at: MixedCursor): string {
  return writeCursor({ v: VERSION, k: key, ...positionFields(at) });
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

export function decodeCursor(key: string, cursor: string | undefined): MixedCursor | undefined {
  if (cursor === undefined) return undefined;
  const c = readCursor(cursor);
  if (c.v !== VERSION || typeof c.d !== 'number' || !Number.isInteger(c.i) || !Number.isInteger(c.n) || (c.n as number) < 0) {
    throw apiError('cursor-invalid', {}, 'not a search cursor');
  }
  if (c.k !== key) throw apiError('cursor-stale', {}, 'this cursor belongs to another search (query, filters or model changed): start again from the first page');
  const start = cursorStart(c.s);
  const first = cursorMark(c);
  if (start === null || first === null) throw apiError('cursor-invalid', {}, 'not a search cursor');
  return { distance: c.d, photoId: c.i as number, depth: c.n as number, ...(start !== undefined ? { start } : {}), ...(first ? { first } : {}) };
}
