/**
 * The filter bar's state → the contract's searchFilters, and the same filters applied on the client
 * for result lists the engine cannot filter (photosByTag takes only a tag).
 */
import type { PhotoHit } from '../../../electron/shared/api.ts';

export interface FilterState {
  folder: string;
  /** yyyy-mm-dd from <input type="date">, or ''. */
  from: string;
  to: string;
  tag: string;
}

export const emptyFilters: FilterState = { folder: '', from: '', to: '', tag: '' };

export interface WireFilters {
  folder?: string;
  after?: string;
  before?: string;
  tag?: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A person who picks "to 2024-05-01" means that whole day, so `before` is the end of it.
 * If the range is reversed we swap it rather than silently returning nothing.
 */
export function toWireFilters(f: FilterState): WireFilters {
  let from = DAY.test(f.from) ? f.from : '';
  let to = DAY.test(f.to) ? f.to : '';
  if (from && to && from > to) [from, to] = [to, from];
  const out: WireFilters = {};
  if (f.folder) out.folder = f.folder;
  if (from) out.after = `${from}T00:00:00`;
  if (to) out.before = `${to}T23:59:59.999`;
  if (f.tag) out.tag = f.tag;
  return out;
}

export function hasActiveFilters(f: FilterState): boolean {
  return f.folder !== '' || f.from !== '' || f.to !== '' || f.tag !== '';
}

/** Is `dir` the folder `root` or inside it (either separator, no partial-name matches)? */
export function isInFolder(dir: string, root: string): boolean {
  const norm = (p: string) => p.replace(/\\/g, '/').replace(/\/+$/, '');
  const d = norm(dir);
  const r = norm(root);
  return d === r || d.startsWith(`${r}/`);
}

/** Folder and date filters for lists that come back unfiltered. Undated photos fail a date range. */
export function applyClientFilters(hits: PhotoHit[], f: FilterState): PhotoHit[] {
  const w = toWireFilters(f);
  if (!w.folder && !w.after && !w.before) return hits;
  return hits.filter((h) => {
    if (w.folder && !isInFolder(h.folder, w.folder)) return false;
    if (w.after || w.before) {
      if (!h.takenAt) return false;
      const t = h.takenAt.slice(0, 19);
      if (w.after && t < w.after.slice(0, 19)) return false;
      if (w.before && t > w.before.slice(0, 19)) return false;
    }
    return true;
  });
}
