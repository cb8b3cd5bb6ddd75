/**
 * What choosing in the filter bar's tag list means. At home and while a tag is open it opens a
 * tag's photos as a list (as the tags panel does) instead of narrowing the timeline unseen, and
 * "all tags" goes back; in a search it stays a filter. The bar shows the open tag as chosen.
 */
import type { FilterState } from './filters.ts';

/** What of the app's Mode (useApi.ts) this needs; kept structural so it stays free of the transport. */
type Mode = { kind: 'tag'; tag: string } | { kind: string; tag?: undefined };

export interface FilterBarChange {
  filters: FilterState;
  /** Open this tag's photos. */
  open?: string;
  /** Leave the open tag (back to where it was opened from). */
  back?: boolean;
}

/** The filters the bar shows: an open tag as the chosen one. */
export function barFilters(mode: Mode, filters: FilterState): FilterState {
  return mode.tag !== undefined ? { ...filters, tag: mode.tag } : filters;
}

export function filterBarChange(mode: Mode, filters: FilterState, next: FilterState): FilterBarChange {
  const browsingTags = mode.kind === 'home' || mode.tag !== undefined;
  if (!browsingTags) return { filters: next };
  const kept = { ...next, tag: '' };
  if (next.tag === barFilters(mode, filters).tag) return { filters: mode.tag !== undefined ? kept : next };
  return next.tag ? { filters: kept, open: next.tag } : { filters: kept, back: true };
}
