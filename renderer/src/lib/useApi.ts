/** Data hooks over the transport: one-shot loads, the polled engine status, and result lists. */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { EngineStatus, ModelDownload, PhotoHit, QueryReading, SearchRelevance, SearchResponse, StackBadge } from '../../../electron/shared/api.ts';
import { MAX_PAGE_SIZE, UI_PAGE_SIZE } from '../../../electron/shared/paging.ts';
import { api } from '../api/index.ts';
import { ApiCallError, toCallError } from '../api/errors.ts';
import { toPhotoFilter, type FilterState } from './filters.ts';
import { imageSearch } from './image-search.ts';
import { listsChanged, seen, type SeenStatus } from './statusChanges.ts';

export interface Loaded<T> {
  data: T | null;
  error: ApiCallError | null;
  reload(): void;
}

/** Load once per change of `deps`; keeps the previous data while reloading so lists do not blink. */
export function useApiData<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<ApiCallError | null>(null);
  const [nonce, setNonce] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    let live = true;
    loadRef.current().then(
      (d) => {
        if (!live) return;
        setData(d);
        setError(null);
      },
      (e: unknown) => {
        if (live) setError(toCallError(e));
      },
    );
    return () => {
      live = false;
    };
  }, [...deps, nonce]);
  const reload = useCallback(() => setNonce((n) => n + 1), []);
  return { data, error, reload };
}

export interface StatusState {
  status: EngineStatus | null;
  error: ApiCallError | null;
  /** Poll now and keep polling fast for a few seconds (an index run may be about to start). */
  refresh(): void;
  /** Increments every time an indexing run finishes or tagging changed the library: lists and results reload on it. */
  finishedRuns: number;
}

const FAST_MS = 1000;
const SLOW_MS = 5000;
const FAST_POLLS_AFTER_REFRESH = 8;

export function useEngineStatus(): StatusState {
  const [status, setStatus] = useState<EngineStatus | null>(null);
  const [error, setError] = useState<ApiCallError | null>(null);
  const [finishedRuns, setFinishedRuns] = useState(0);
  const [nonce, setNonce] = useState(0);
  const last = useRef<SeenStatus | null>(null);
  const fastPolls = useRef(0);

  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    fastPolls.current = FAST_POLLS_AFTER_REFRESH;
    const poll = async () => {
      let delay = SLOW_MS;
      try {
        const s = await api.status({});
        if (!live) return;
        setStatus(s);
        setError(null);
        if (listsChanged(last.current, s)) setFinishedRuns((n) => n + 1);
        last.current = seen(s);
        if (s.progress.running || s.ocr?.running || fastPolls.current > 0) delay = FAST_MS;
      } catch (e) {
        if (!live) return;
        setError(toCallError(e));
      }
      fastPolls.current = Math.max(0, fastPolls.current - 1);
      if (live) timer = setTimeout(() => void poll(), delay);
    };
    void poll();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [nonce]);

  const refresh = useCallback(() => setNonce((n) => n + 1), []);
  return { status, error, refresh, finishedRuns };
}

export type Mode =
  | { kind: 'home' }
  /** plain: pieces of the query to search as words (chips the person removed). */
  | { kind: 'text'; query: string; plain?: { start: number; end: number }[] }
  /** `at`: a video's moment (seconds) whose frame is looked for. */
  | { kind: 'similar'; photoId: number; at?: number; fileName: string; backTo: string | null }
  /** picked: chosen with the image-search button rather than dropped on the window. */
  | { kind: 'image'; dropId: number; fileName: string; dataBase64: string; backTo: string | null; picked?: boolean }
  | { kind: 'tag'; tag: string; backTo: string | null }
  /** One stack's photos (copies of a picture, or a burst), opened from its cover. */
  | { kind: 'stack'; stack: StackBadge; fileName: string; backTo: string | null }
  /** The duplicates view (renderer/src/stacks/): no result list of its own here. */
  | { kind: 'duplicates'; backTo: string | null }
  /** `parent`: the place's page it was opened from (a city from its province's): 返回 goes there. */
  | { kind: 'place'; placeId: string; name: string; backTo: string | null; parent?: Extract<Mode, { kind: 'place' }> }
  /** An album (a folder and the folders below it): its photos, newest first. */
  | { kind: 'album'; folder: string; title: string; backTo: string | null };

export interface ResultsState {
  hits: PhotoHit[];
  loading: boolean;
  error: ApiCallError | null;
  timing: { textMs: number; searchMs: number } | null;
  /** There is a next page (the engine gave a cursor). */
  hasMore: boolean;
  loadMore(): void;
  retry(): void;
  /** Changes whenever a new list (not a longer page of the same list) is shown. */
  listKey: string;
  /** The engine stops this list short of every match (e.g. while the index is built): shown, never hidden. */
  limit: SearchResponse['limit'] | null;
  /** Photos matching the filters, when the engine counted them. */
  matched: number | null;
  /** A text search: what its query was understood to say (the chips). */
  parsed: QueryReading | null;
  /** A search ranked by relevance: how many hits match (the header's count). */
  relevance: SearchRelevance | null;
  /** The relevant hits are all shown and weaker ones wait behind "show more" (showWeaker). */
  weakerAvailable: boolean;
  /** The weaker hits are being shown below the relevant ones. */
  showingWeaker: boolean;
  showWeaker(): void;
}

/**
 * Photos per page: the first page, then one more page per "load more" through the engine's cursor
 * (shared with the engine and the benchmarks: electron/shared/paging.ts).
 */
export { UI_PAGE_SIZE };

function modeKey(mode: Mode): string {
  switch (mode.kind) {
    case 'home':
      return 'home';
    case 'text':
      return `text:${mode.query}:${JSON.stringify(mode.plain ?? [])}`;
    case 'similar':
      return `similar:${mode.photoId}@${mode.at ?? ''}`;
    case 'image':
      return `image:${mode.dropId}`;
    case 'tag':
      return `tag:${mode.tag}`;
    case 'stack':
      return `stack:${mode.stack.id}`;
    case 'duplicates':
      return 'duplicates';
    case 'place':
      return `place:${mode.placeId}`;
    case 'album':
      return `album:${mode.folder}`;
  }
}

export interface Page {
  hits: PhotoHit[];
  next: string | null;
  /** Where the weaker hits start, once the relevant ones have ended (SearchResponse.weakerCursor). */
  weaker: string | null;
  relevance?: SearchRelevance | null;
  /** The weaker hits were asked for. */
  expanded?: boolean;
  limit: SearchResponse['limit'] | null;
  matched: number | null;
  timing: ResultsState['timing'];
  parsed?: QueryReading | null;
}

interface Shown extends Page {
  key: string;
}

const emptyShown = (key: string): Shown => ({ key, hits: [], next: null, weaker: null, limit: null, matched: null, timing: null });

/** Search by a dropped image, its bytes sent once (image-search.ts). */
const similarToImage = imageSearch((req) => api.similarToImage(req));

/** One page of the list a mode shows (also used to check whether the list on screen is behind: useFreshness.ts). */
export async function fetchPage(mode: Exclude<Mode, { kind: 'home' | 'duplicates' }>, filters: FilterState, limit: number, cursor: string | undefined): Promise<Page> {
  const filter = toPhotoFilter(filters);
  const fromSearch = (r: SearchResponse): Page => ({
    hits: r.hits,
    next: r.nextCursor,
    weaker: r.weakerCursor ?? null,
    relevance: r.relevance ?? null,
    limit: r.limit ?? null,
    matched: r.matched ?? null,
    timing: { textMs: r.textMs, searchMs: r.searchMs },
    parsed: r.parsed ?? null,
  });
  switch (mode.kind) {
    case 'text':
      return fromSearch(await api.search({ query: mode.query, limit, cursor, filter, plain: mode.plain }));
    case 'similar':
      return fromSearch(await api.similar({ photoId: mode.photoId, at: mode.at, limit, cursor, filter }));
    case 'image':
      return fromSearch(await similarToImage(mode, { limit, cursor, filter }));
    case 'tag': {
      // Browsing a tag: the filters chosen in the bar, with this tag.
      const r = await api.browse({ filter: { ...filter, tag: mode.tag }, limit, cursor });
      return { hits: r.hits, next: r.nextCursor, weaker: null, limit: null, matched: r.matched ?? null, timing: null };
    }
    case 'stack': {
      // Every photo of the stack, whatever the bar's filters (they could hide the copies asked for).
      const r = await api.browse({ filter: { stack: mode.stack.id }, limit, cursor });
      return { hits: r.hits, next: r.nextCursor, weaker: null, limit: null, matched: r.matched ?? null, timing: null };
    }
    case 'place': {
      // A place from the Places view: its photos, newest first, within the filters chosen in the bar.
      const r = await api.browse({ filter: { ...filter, place: [mode.placeId] }, limit, cursor });
      return { hits: r.hits, next: r.nextCursor, weaker: null, limit: null, matched: r.matched ?? null, timing: null };
    }
    case 'album': {
      // An album opened from its card: its folder (and below), newest first, within the other filters of the bar.
      const r = await api.browse({ filter: { ...filter, folder: mode.folder }, limit, cursor });
      return { hits: r.hits, next: r.nextCursor, weaker: null, limit: null, matched: r.matched ?? null, timing: null };
    }
  }
}

/**
 * A list's first page; when the list on screen had its weaker hits open (a refresh after indexing),
 * they are fetched again right away, up to about as many as were shown.
 */
async function fetchFirst(mode: Exclude<Mode, { kind: 'home' | 'duplicates' }>, filters: FilterState, limit: number, expanded: boolean): Promise<Page> {
  const first = await fetchPage(mode, filters, limit, undefined);
  if (!expanded || first.weaker === null) return first;
  const rest = await fetchPage(mode, filters, Math.max(1, Math.min(MAX_PAGE_SIZE, limit - first.hits.length)), first.weaker);
  return { ...first, hits: [...first.hits, ...rest.hits], next: rest.next, weaker: null, expanded: true };
}

export function useResults(mode: Mode, filters: FilterState, version: number): ResultsState {
  const listKey = useMemo(() => `${modeKey(mode)}|${JSON.stringify(filters)}`, [mode, filters]);
  const [shown, setShown] = useState<Shown>(() => emptyShown(''));
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<ApiCallError | null>(null);
  const [nonce, setNonce] = useState(0);
  /** Only the latest request may update the list (a slow page must not land on a newer list). */
  const request = useRef(0);
  const shownRef = useRef(shown);
  shownRef.current = shown;

  // A new list (or a refresh of this one after an indexing run): its first page.
  useEffect(() => {
    const id = ++request.current;
    if (mode.kind === 'home' || mode.kind === 'duplicates') {
      setShown(emptyShown(listKey));
      setError(null);
      setLoading(false);
      return;
    }
    const prev = shownRef.current;
    const same = prev.key === listKey;
    // Refreshing the list on screen keeps about as many photos as were loaded.
    const limit = same ? Math.min(MAX_PAGE_SIZE, Math.max(UI_PAGE_SIZE, prev.hits.length)) : UI_PAGE_SIZE;
    setLoading(true);
    fetchFirst(mode, filters, limit, same && prev.expanded === true).then(
      (p) => {
        if (request.current !== id) return;
        setShown({ ...p, key: listKey });
        setError(null);
        setLoading(false);
      },
      (e: unknown) => {
        if (request.current !== id) return;
        setError(toCallError(e));
        setShown(emptyShown(listKey));
        setLoading(false);
      },
    );
    // mode/filters are captured through listKey.
  }, [listKey, version, nonce]);

  const hasMore = !error && shown.key === listKey && shown.next !== null;
  const weakerAvailable = !error && shown.key === listKey && shown.next === null && shown.weaker !== null;
  /** The next page of this list: its `next` cursor, or (showWeaker) where its weaker hits start. */
  const extend = useCallback(
    (cursor: string, expanded: boolean) => {
      if (mode.kind === 'home' || mode.kind === 'duplicates') return;
      const id = ++request.current;
      const base = shownRef.current;
      setLoading(true);
      fetchPage(mode, filters, UI_PAGE_SIZE, cursor).then(
        (p) => {
          if (request.current !== id) return;
          // Keyset pages never repeat a photo; the guard only protects the grid's keys.
          const seen = new Set(base.hits.map((h) => h.id));
          setShown({
            ...p,
            hits: [...base.hits, ...p.hits.filter((h) => !seen.has(h.id))],
            key: base.key,
            timing: p.timing,
            matched: base.matched ?? p.matched,
            parsed: base.parsed,
            relevance: base.relevance,
            expanded: base.expanded || expanded,
          });
          setLoading(false);
        },
        (e: unknown) => {
          if (request.current !== id) return;
          setError(toCallError(e));
          setLoading(false);
        },
      );
    },
    [mode, filters],
  );
  const loadMore = useCallback(() => {
    if (loading || !hasMore) return;
    extend(shownRef.current.next!, false);
  }, [loading, hasMore, extend]);
  const showWeaker = useCallback(() => {
    if (loading || !weakerAvailable) return;
    extend(shownRef.current.weaker!, true);
  }, [loading, weakerAvailable, extend]);
  const retry = useCallback(() => setNonce((n) => n + 1), []);

  const current = shown.key === listKey;
  return {
    hits: shown.hits,
    loading,
    error,
    timing: shown.timing,
    hasMore,
    loadMore,
    retry,
    listKey: shown.key,
    limit: current ? shown.limit : null,
    matched: current ? shown.matched : null,
    parsed: current ? (shown.parsed ?? null) : null,
    relevance: current ? (shown.relevance ?? null) : null,
    weakerAvailable,
    showingWeaker: current && shown.expanded === true,
    showWeaker,
  };
}

export interface DownloadsState {
  downloads: ModelDownload[];
  error: ApiCallError | null;
  /** Poll now (after starting a download); polling continues every second while any is running. */
  refresh(): void;
}

/** Model downloads: polled every second while one is running, otherwise only on refresh(). */
export function useModelDownloads(): DownloadsState {
  const [downloads, setDownloads] = useState<ModelDownload[]>([]);
  const [error, setError] = useState<ApiCallError | null>(null);
  const [nonce, setNonce] = useState(0);
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      let again = false;
      try {
        const list = await api.modelDownloads({});
        if (!live) return;
        setDownloads(list);
        setError(null);
        again = list.some((d) => d.state === 'running');
      } catch (e) {
        if (!live) return;
        setError(toCallError(e));
      }
      if (live && again) timer = setTimeout(() => void poll(), FAST_MS);
    };
    void poll();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [nonce]);
  const refresh = useCallback(() => setNonce((n) => n + 1), []);
  return { downloads, error, refresh };
}
