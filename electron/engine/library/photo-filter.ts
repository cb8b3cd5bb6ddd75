/**
 * The contract's photo filter (what a person chose: a folder, dates, a tag) resolved into the
 * store's PhotoQuery (absolute paths, Unix-ms bounds), checked once for every reader: searches,
 * similar photos, browsing, the text search. store/photo-filter.ts then translates it into SQL,
 * vec0 conditions and the in-memory index's mask.
 */
import path from 'node:path';
import { ApiError, type PhotoFilter } from '../../shared/api.ts';
import type { PhotoQuery } from '../store/photo-filter.ts';

/** Parse an ISO date; a bare day for `before` means the end of that day (inclusive range). */
export function parseDateBound(value: string, bound: 'after' | 'before'): number {
  const dayOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const t = Date.parse(dayOnly ? `${value}T00:00:00` : value);
  if (Number.isNaN(t)) throw new ApiError('BAD_REQUEST', `not a date: ${value}`);
  return dayOnly && bound === 'before' ? t + 86_400_000 - 1 : t;
}

export function resolvePhotoFilter(f: PhotoFilter = {}): PhotoQuery {
  const q: PhotoQuery = {};
  if (f.folder) {
    const abs = path.resolve(f.folder);
    q.dirPrefix = abs.endsWith(path.sep) ? abs : abs + path.sep;
  }
  if (f.after) q.after = parseDateBound(f.after, 'after');
  if (f.before) q.before = parseDateBound(f.before, 'before');
  if (q.after !== undefined && q.before !== undefined && q.after > q.before) {
    throw new ApiError('BAD_REQUEST', `date range is empty: ${f.after} is after ${f.before}`);
  }
  if (f.tag) q.tag = f.tag;
  if (typeof f.stack === 'number') q.stackId = f.stack;
  // Lists show each stack once unless asked for a stack's photos or for every photo.
  else if (f.stack === undefined) q.collapseStacks = true;
  return q;
}
