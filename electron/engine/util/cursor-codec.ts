/**
 * The opaque form of every list cursor (search pages, browsing): base64url JSON, tied to the list
 * it belongs to by a key, so a cursor presented with another query, filter or model is refused
 * rather than silently continuing some other list.
 */
import crypto from 'node:crypto';
import { apiError } from '../../shared/api.ts';

/** What identifies a result list: the kind of list, its input, the filter, the serving model. */
export function queryKey(parts: readonly unknown[]): string {
  return crypto.createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 16);
}

/** A cursor's opaque form: base64url JSON. */
export function writeCursor(body: object): string {
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}

/** The fields of a cursor string; BAD_REQUEST when it is not one of ours. */
export function readCursor(cursor: string, what = 'search'): Record<string, unknown> {
  try {
    const c: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (c !== null && typeof c === 'object') return c as Record<string, unknown>;
  } catch {
    // not JSON
  }
  throw apiError('cursor-invalid', {}, `not a ${what} cursor`);
}
