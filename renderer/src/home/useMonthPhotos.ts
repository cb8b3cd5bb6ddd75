/**
 * The timeline's photos, loaded a month at a time as they come into view: each month is a
 * browse of the filter with `taken` = the month's range, newest first, continued with its keyset
 * cursor until the rows in view are filled. One request at a time per month; a new filter or
 * library version starts over.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { PhotoFilter, PhotoHit, Timeline } from '../../../electron/shared/api.ts';
import { MAX_PAGE_SIZE, UI_PAGE_SIZE } from '../../../electron/shared/paging.ts';
import { api } from '../api/index.ts';

interface MonthState {
  hits: PhotoHit[];
  next: string | null;
  started: boolean;
  loading: boolean;
}

export interface MonthPhotos {
  hitsOf(month: number): PhotoHit[];
  /** Make sure the first `count` photos of each month are (being) loaded. */
  want(need: Map<number, number>): void;
}

export function useMonthPhotos(timeline: Timeline | null, filter: PhotoFilter, onError: (e: unknown) => void): MonthPhotos {
  const state = useRef(new Map<number, MonthState>());
  const [, setTick] = useState(0);
  const generation = useRef(0);
  const wanted = useRef(new Map<number, number>());

  useEffect(() => {
    generation.current++;
    state.current = new Map();
    wanted.current = new Map();
    setTick((n) => n + 1);
  }, [timeline, filter]);

  const load = useCallback(
    (month: number) => {
      const m = timeline?.months[month];
      if (!m) return;
      const s = state.current.get(month) ?? { hits: [], next: null, started: false, loading: false };
      state.current.set(month, s);
      const need = Math.min(m.photos, wanted.current.get(month) ?? 0);
      if (s.loading || s.hits.length >= need || (s.started && s.next === null)) return;
      s.loading = true;
      const gen = generation.current;
      // Deep in a big month, bigger pages reach the rows in view in fewer requests.
      const limit = Math.min(MAX_PAGE_SIZE, Math.max(UI_PAGE_SIZE, need - s.hits.length));
      api.browse({ filter: { ...filter, taken: { from: m.from, to: m.to } }, limit, cursor: s.next ?? undefined }).then(
        (page) => {
          if (gen !== generation.current) return;
          s.hits = [...s.hits, ...page.hits];
          s.next = page.nextCursor;
          s.started = true;
          s.loading = false;
          setTick((n) => n + 1);
          load(month);
        },
        (e: unknown) => {
          if (gen !== generation.current) return;
          s.loading = false;
          s.started = true;
          s.next = null;
          onError(e);
        },
      );
    },
    [timeline, filter, onError],
  );

  const want = useCallback(
    (need: Map<number, number>) => {
      for (const [month, count] of need) {
        if ((wanted.current.get(month) ?? 0) < count) wanted.current.set(month, count);
        load(month);
      }
    },
    [load],
  );

  const hitsOf = useCallback((month: number) => state.current.get(month)?.hits ?? [], []);
  return { hitsOf, want };
}
