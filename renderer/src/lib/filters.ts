/**
 * The filter bar's form state → the contract's photo filter. The engine applies the filter to
 * every list (searches, similar photos, browsing); nothing is filtered here.
 */
import type { PhotoFilter } from '../../../electron/shared/api.ts';

export interface FilterState {
  folder: string;
  /** yyyy-mm-dd from <input type="date">, or ''. */
  from: string;
  to: string;
  tag: string;
  /** '' (photos and videos), 'photo' or 'video'. */
  kind: '' | 'photo' | 'video';
  /** Show every copy and burst shot instead of each stack once (the filter's `stack: 'all'`). */
  everyCopy: boolean;
}

export const emptyFilters: FilterState = { folder: '', from: '', to: '', tag: '', kind: '', everyCopy: false };

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A person who picks "to 2024-05-01" means that whole day, so `before` is the end of it.
 * If the range is reversed we swap it rather than silently returning nothing.
 */
export function toPhotoFilter(f: FilterState): PhotoFilter {
  let from = DAY.test(f.from) ? f.from : '';
  let to = DAY.test(f.to) ? f.to : '';
  if (from && to && from > to) [from, to] = [to, from];
  const out: PhotoFilter = {};
  if (f.folder) out.folder = f.folder;
  if (from) out.after = `${from}T00:00:00`;
  if (to) out.before = `${to}T23:59:59.999`;
  if (f.tag) out.tag = f.tag;
  if (f.kind) out.kind = f.kind;
  if (f.everyCopy) out.stack = 'all';
  return out;
}

export function hasActiveFilters(f: FilterState): boolean {
  return f.folder !== '' || f.from !== '' || f.to !== '' || f.tag !== '' || f.kind !== '' || f.everyCopy;
}
