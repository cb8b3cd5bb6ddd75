/**
 * Search cursors: the keyset position of the last hit a page returned (its exact distance and
 * photo id, and how many hits came before), tied to the query it belongs to. Opaque to callers
 * (base64url JSON); a cursor presented with another query, other filters or after a model switch
 * is refused rather than silently continuing some other list.
 */
import crypto from 'node:crypto';
import { ApiError } from '../../shared/api.ts';
import type { PageCursor } from './vector-search.ts';

const VERSION = 1;

/** What identifies a result list: the kind of query, its input, the filters, the serving model. */
export function queryKey(parts: readonly unknown[]): string {
  return crypto.createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 16);
}

/** A cursor's opaque form: base64url JSON. */
export function writeCursor(body: object): string {
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}

/** The fields of a cursor string; BAD_REQUEST when it is not one of ours. */
export function readCursor(cursor: string): Record<string, unknown> {
  try {
    const c: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (c !== null && typeof c === 'object') return c as Record<string, unknown>;
  } catch {
    // not JSON
  }
  throw new ApiError('BAD_REQUEST', 'not a search cursor');
}

export function encodeCursor(key: string, at: PageCursor): string {
  return writeCursor({ v: VERSION, k: key, d: at.distance, i: at.photoId, n: at.depth });
}

export function decodeCursor(key: string, cursor: string | undefined): PageCursor | undefined {
  if (cursor === undefined) return undefined;
  const c = readCursor(cursor);
  if (c.v !== VERSION || typeof c.d !== 'number' || !Number.isInteger(c.i) || !Number.isInteger(c.n) || (c.n as number) < 0) {
    throw new ApiError('BAD_REQUEST', 'not a search cursor');
  }
  if (c.k !== key) throw new ApiError('BAD_REQUEST', 'this cursor belongs to another search (query, filters or model changed): start again from the first page');
  return { distance: c.d, photoId: c.i as number, depth: c.n as number };
}
