/** Data hooks over the transport: one-shot loads, the polled engine status, and result lists. */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { EngineStatus, ModelDownload, PhotoHit } from '../../../electron/shared/api.ts';
import { api } from '../api/index.ts';
import { ApiCallError, toCallError } from '../api/errors.ts';
import { applyClientFilters, toWireFilters, type FilterState } from './filters.ts';

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
  /** Increments every time an indexing run finishes: lists and results reload on it. */
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
  const wasRunning = useRef(false);
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
        if (wasRunning.current && !s.progress.running) setFinishedRuns((n) => n + 1);
        wasRunning.current = s.progress.running;
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
  | { kind: 'text'; query: string }
  | { kind: 'similar'; photoId: number; fileName: string; backTo: string | null }
  | { kind: 'image'; dropId: number; fileName: string; dataBase64: string; backTo: string | null }
  | { kind: 'tag'; tag: string; backTo: string | null };

export interface ResultsState {
  hits: PhotoHit[];
  loading: boolean;
  error: ApiCallError | null;
  timing: { textMs: number; searchMs: number } | null;
  /** The engine may have more than it returned (we asked for `limit` and got that many). */
  hasMore: boolean;
  loadMore(): void;
  retry(): void;
  /** Changes whenever a new list (not a longer page of the same list) is shown. */
  listKey: string;
}

/** Requests grow 500 → 2k → 10k → 50k → 100k as the person scrolls, so typing stays cheap. */
export const LIMIT_STEPS = [500, 2000, 10_000, 50_000, 100_000] as const;

function modeKey(mode: Mode): string {
  switch (mode.kind) {
    case 'home':
      return 'home';
    case 'text':
      return `text:${mode.query}`;
    case 'similar':
      return `similar:${mode.photoId}`;
    case 'image':
      return `image:${mode.dropId}`;
    case 'tag':
      return `tag:${mode.tag}`;
  }
}

export function useResults(mode: Mode, filters: FilterState, version: number): ResultsState {
  const listKey = useMemo(() => `${modeKey(mode)}|${JSON.stringify(filters)}`, [mode, filters]);
  const [page, setPage] = useState({ key: listKey, step: 0 });
  const step = page.key === listKey ? page.step : 0;
  const limit = LIMIT_STEPS[step]!;
  const [hits, setHits] = useState<PhotoHit[]>([]);
  const [rawCount, setRawCount] = useState(0);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<ApiCallError | null>(null);
  const [timing, setTiming] = useState<ResultsState['timing']>(null);
  const [nonce, setNonce] = useState(0);
  const [shownKey, setShownKey] = useState('');

  useEffect(() => {
    if (mode.kind === 'home') {
      setHits([]);
      setRawCount(0);
      setError(null);
      setLoading(false);
      setShownKey(listKey);
      return;
    }
    let live = true;
    setLoading(true);
    const wire = toWireFilters(filters);
    const run = async (): Promise<{ hits: PhotoHit[]; raw: number; timing: ResultsState['timing'] }> => {
      switch (mode.kind) {
        case 'text': {
          const r = await api.search({ query: mode.query, limit, ...wire });
          return { hits: r.hits, raw: r.hits.length, timing: { textMs: r.textMs, searchMs: r.searchMs } };
        }
        case 'similar': {
          const r = await api.similar({ photoId: mode.photoId, limit, ...wire });
          return { hits: r.hits, raw: r.hits.length, timing: { textMs: r.textMs, searchMs: r.searchMs } };
        }
        case 'image': {
          const r = await api.similarToImage({ dataBase64: mode.dataBase64, limit, ...wire });
          return { hits: r.hits, raw: r.hits.length, timing: { textMs: r.textMs, searchMs: r.searchMs } };
        }
        case 'tag': {
          // photosByTag has no filters in the contract: apply folder/date here (and ignore the tag filter).
          const r = await api.photosByTag({ tag: mode.tag, limit });
          return { hits: applyClientFilters(r, filters), raw: r.length, timing: null };
        }
      }
    };
    run().then(
      (r) => {
        if (!live) return;
        setHits(r.hits);
        setRawCount(r.raw);
        setTiming(r.timing);
        setError(null);
        setLoading(false);
        setShownKey(listKey);
      },
      (e: unknown) => {
        if (!live) return;
        setError(toCallError(e));
        setHits([]);
        setRawCount(0);
        setLoading(false);
        setShownKey(listKey);
      },
    );
    return () => {
      live = false;
    };
    // mode/filters are captured through listKey; limit through step.
  }, [listKey, limit, version, nonce]);

  const hasMore = !error && rawCount >= limit && step < LIMIT_STEPS.length - 1;
  const loadMore = useCallback(() => {
    if (loading || !hasMore) return;
    setPage({ key: listKey, step: step + 1 });
  }, [loading, hasMore, listKey, step]);
  const retry = useCallback(() => setNonce((n) => n + 1), []);

  return { hits, loading, error, timing, hasMore, loadMore, retry, listKey: shownKey };
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
