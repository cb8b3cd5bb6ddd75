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

export function encodeCursor(key: string, at: PageCursor): string {
  return Buffer.from(JSON.stringify({ v: VERSION, k: key, d: at.distance, i: at.photoId, n: at.depth })).toString('base64url');
}

export function decodeCursor(key: string, cursor: string | undefined): PageCursor | undefined {
  if (cursor === undefined) return undefined;
  let c: { v?: unknown; k?: unknown; d?: unknown; i?: unknown; n?: unknown };
  try {
    c = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as typeof c;
  } catch {
    throw new ApiError('BAD_REQUEST', 'not a search cursor');
  }
  if (c.v !== VERSION || typeof c.d !== 'number' || !Number.isInteger(c.i) || !Number.isInteger(c.n) || (c.n as number) < 0) {
    throw new ApiError('BAD_REQUEST', 'not a search cursor');
  }
  if (c.k !== key) throw new ApiError('BAD_REQUEST', 'this cursor belongs to another search (query, filters or model changed): start again from the first page');
  return { distance: c.d, photoId: c.i as number, depth: c.n as number };
}
