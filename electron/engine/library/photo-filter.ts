/**
 * The contract's photo filter (what a person chose: a folder, dates, a tag; what a query said:
 * a time, a place, a kind of file, a camera) resolved into the store's PhotoQuery (absolute paths,
 * Unix-ms bounds), checked once for every reader: searches, similar photos, browsing, the text
 * search. store/photo-filter.ts then translates it into SQL, vec0 conditions and the in-memory
 * index's mask. Several filters (the one chosen in the UI and the one a query was understood as)
 * resolve into one query that selects the photos every one of them selects.
 */
import path from 'node:path';
import { apiError, type PhotoFilter } from '../../shared/api.ts';
import type { PhotoQuery } from '../store/photo-filter.ts';

/** Parse an ISO date; a bare day for `before` means the end of that day (inclusive range). */
export function parseDateBound(value: string, bound: 'after' | 'before'): number {
  const dayOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const t = Date.parse(dayOnly ? `${value}T00:00:00` : value);
  if (Number.isNaN(t)) throw apiError('date-invalid', { value }, `not a date: ${value}`);
  return dayOnly && bound === 'before' ? t + 86_400_000 - 1 : t;
}

/** The photos every given filter selects (absent filters select everything). */
export function resolvePhotoFilter(...filters: (PhotoFilter | undefined)[]): PhotoQuery {
  const q: PhotoQuery = {};
  for (const f of filters) if (f) intersect(q, resolveOne(f));
  // Lists show each stack once unless one of the filters asks for a stack's photos or for every photo.
  if (filters.every((f) => f?.stack === undefined)) q.collapseStacks = true;
  return q;
}

function resolveOne(f: PhotoFilter): PhotoQuery {
  const q: PhotoQuery = {};
  if (f.folder) {
    const abs = path.resolve(f.folder);
    q.dirPrefix = abs.endsWith(path.sep) ? abs : abs + path.sep;
  }
  if (f.after) q.after = parseDateBound(f.after, 'after');
  if (f.before) q.before = parseDateBound(f.before, 'before');
  if (q.after !== undefined && q.before !== undefined && q.after > q.before) {
    throw apiError('date-range-empty', { start: String(f.after), end: String(f.before) }, `date range is empty: ${f.after} is after ${f.before}`);
  }
  if (f.tag) q.tag = f.tag;
  if (typeof f.stack === 'number') q.stackId = f.stack;
  if (f.taken) {
    const { from, to, hours, weekdays, monthDay } = f.taken;
    if (from !== undefined && to !== undefined && from >= to) throw apiError('date-range-empty', { start: String(from), end: String(to) }, `taken range is empty: ${from} ≥ ${to}`);
    if (from !== undefined) q.after = Math.max(q.after ?? -Infinity, from);
    if (to !== undefined) q.before = Math.min(q.before ?? Infinity, to);
    if (hours) {
      if (hours.from === hours.to) throw apiError('hours-range-empty', { start: String(hours.from), end: String(hours.to) }, `hours range is empty: ${hours.from}–${hours.to}`);
      q.hours = [hours];
    }
    if (weekdays) q.weekdays = [[...new Set(weekdays)].sort()];
    if (monthDay) q.monthDays = [monthDay.month * 100 + monthDay.day];
  }
  if (f.place) q.places = [f.place];
  if (f.kind) q.kind = f.kind;
  if (f.camera) q.cameras = [f.camera];
  return q;
}

/** Narrows `q` to the photos `r` selects too. */
function intersect(q: PhotoQuery, r: PhotoQuery): void {
  if (r.dirPrefix !== undefined) {
    if (q.dirPrefix === undefined || r.dirPrefix.startsWith(q.dirPrefix)) q.dirPrefix = r.dirPrefix;
    else if (!q.dirPrefix.startsWith(r.dirPrefix)) q.photoIds = []; // two folders side by side
  }
  if (r.after !== undefined) q.after = Math.max(q.after ?? -Infinity, r.after);
  if (r.before !== undefined) q.before = Math.min(q.before ?? Infinity, r.before);
  if (r.tag !== undefined) {
    // One tag per query (the UI's); a query's understood part never names one.
    if (q.tag !== undefined && q.tag !== r.tag) throw apiError('tag-one-at-a-time', { tag: q.tag, other: String(r.tag) }, `one tag at a time: ${q.tag} or ${r.tag}`);
    q.tag = r.tag;
  }
  if (r.kind !== undefined) {
    if (q.kind !== undefined && q.kind !== r.kind) q.photoIds = []; // a file is of one kind
    q.kind = r.kind;
  }
  if (r.stackId !== undefined) {
    if (q.stackId !== undefined && q.stackId !== r.stackId) q.photoIds = []; // a photo is in one stack
    q.stackId = r.stackId;
  }
  if (r.places) q.places = [...(q.places ?? []), ...r.places];
  if (r.cameras) q.cameras = [...(q.cameras ?? []), ...r.cameras];
  if (r.hours) q.hours = [...(q.hours ?? []), ...r.hours];
  if (r.weekdays) q.weekdays = [...(q.weekdays ?? []), ...r.weekdays];
  if (r.monthDays) q.monthDays = [...(q.monthDays ?? []), ...r.monthDays];
  if (r.photoIds) q.photoIds = q.photoIds ? q.photoIds.filter((id) => r.photoIds!.includes(id)) : r.photoIds;
}
