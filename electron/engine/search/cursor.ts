/**
 * Search cursors: the keyset position of the last hit a page returned (its exact distance, photo
 * id and — for a video segment — the segment's start, and how many hits came before), tied to the
 * query it belongs to (util/cursor-codec.ts:
 * a cursor presented with another query, other filters or after a model switch is refused).
 */
import { apiError } from '../../shared/api.ts';
import { readCursor, writeCursor } from '../util/cursor-codec.ts';
import type { MixedCursor } from './mixed-pages.ts';

export { queryKey, readCursor, writeCursor } from '../util/cursor-codec.ts';

const VERSION = 1;

export function encodeCursor(key: string, at: MixedCursor): string {
  return writeCursor({ v: VERSION, k: key, d: at.distance, i: at.photoId, n: at.depth, ...(at.start !== undefined ? { s: at.start } : {}) });
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
  if (start === null) throw apiError('cursor-invalid', {}, 'not a search cursor');
  return { distance: c.d, photoId: c.i as number, depth: c.n as number, ...(start !== undefined ? { start } : {}) };
}
