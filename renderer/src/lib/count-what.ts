/**
 * What the results header's count counts. A list holds photos and, once the library has videos,
 * video moments (a video once per matching segment), so "120 张照片" is only true of some lists.
 * Said exactly when every item the count covers is loaded; otherwise by what the list can hold.
 */
import type { PhotoHit } from '../../../electron/shared/api.ts';

export type CountWhat =
  | { what: 'photos' }
  | { what: 'videos' }
  /** Photos and videos, how many of each unknown (more pages to come). */
  | { what: 'items' }
  /** Both, each counted: every item the count covers is loaded. */
  | { what: 'mixed'; photos: number; videos: number };

export interface CountContext {
  /** Every item the count covers is in `hits` (no further page of them). */
  allLoaded: boolean;
  /** The library holds videos: a list with more to come may hold some. */
  libraryHasVideos: boolean;
  /** The list is restricted to one kind (the kind filter, or 视频/截图 said in the query). */
  onlyKind?: 'photo' | 'video' | null;
}

export function countWhat(hits: readonly Pick<PhotoHit, 'kind'>[], ctx: CountContext): CountWhat {
  if (ctx.onlyKind === 'photo') return { what: 'photos' };
  if (ctx.onlyKind === 'video') return { what: 'videos' };
  const videos = hits.filter((h) => h.kind === 'video').length;
  const photos = hits.length - videos;
  if (ctx.allLoaded) {
    if (hits.length === 0) return { what: ctx.libraryHasVideos ? 'items' : 'photos' };
    if (videos === 0) return { what: 'photos' };
    if (photos === 0) return { what: 'videos' };
    return { what: 'mixed', photos, videos };
  }
  return ctx.libraryHasVideos || videos > 0 ? { what: 'items' } : { what: 'photos' };
}

/**
 * What a list can hold: videos once the library has any, one kind when the kind filter or the
 * query (视频, 截图, 照片) restricts it.
 */
export function listKindsOf(
  videos: { indexed: number; pending: number; skipped: number } | undefined,
  kindFilter: '' | 'photo' | 'video',
  saidKind: 'screenshot' | 'video' | 'photo' | null | undefined,
): Omit<CountContext, 'allLoaded'> {
  const said = saidKind ? (saidKind === 'video' ? 'video' : 'photo') : null;
  return { libraryHasVideos: videosIn(videos) > 0, onlyKind: kindFilter || said };
}

/** Every video the library holds, read or not (the engine status's `videos`). */
export function videosIn(v: { indexed: number; pending: number; skipped: number } | undefined): number {
  return v ? v.indexed + v.pending + v.skipped : 0;
}

/** The word for "nothing here": what an empty list of this kind would have held. */
export function noneWord(kinds: Omit<CountContext, 'allLoaded'>): 'photos' | 'videos' | 'items' {
  const w = countWhat([], { ...kinds, allLoaded: true }).what;
  return w === 'mixed' ? 'items' : w;
}

/**
 * What the relevant part of a list holds: its items are the ones above the boundary, all loaded
 * once the pages stopped at it (no next page) or the weaker rest is being shown after them.
 */
export function relevantWhat(
  hits: readonly { kind?: 'photo' | 'video'; relevant?: boolean }[],
  hasMore: boolean,
  showingWeaker: boolean,
  kinds: Omit<CountContext, 'allLoaded'>,
): CountWhat {
  return countWhat(
    hits.filter((h) => h.relevant !== false),
    { ...kinds, allLoaded: !hasMore || showingWeaker },
  );
}
