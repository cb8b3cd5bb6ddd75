/**
 * Whether the list on screen is behind the library. While photos are indexed, their text read or
 * their tags and places worked out, the same request may now answer differently — a search made
 * while text is still being read finds the receipt only later. The engine's counts (`stamp`)
 * say when that can have happened; then, at most every CHECK_MS, the list's first page is asked
 * again and its photos compared with those shown. Different: `stale` (the UI offers "有新的结果");
 * an empty list is simply reloaded (nothing on screen to disturb).
 *
 * Lists also reload by themselves when a run ends (useResults' `version`); this covers the time
 * in between, which for OCR on a large library can be hours.
 */
import { useEffect, useRef, useState } from 'react';
import type { PhotoHit } from '../../../electron/shared/api.ts';
import { UI_PAGE_SIZE } from '../../../electron/shared/paging.ts';
import type { FilterState } from './filters.ts';
import { COMPARE, differentTop } from './freshness.ts';
import { fetchPage, type Mode } from './useApi.ts';

const CHECK_MS = 4000;

export function useFreshness(
  mode: Mode,
  filters: FilterState,
  hits: PhotoHit[],
  stamp: string,
  busy: boolean,
  reload: () => void,
): { stale: boolean; show(): void } {
  const [stale, setStale] = useState(false);
  /** The stamp the shown list is known to be current for. */
  const currentFor = useRef(stamp);
  const lastCheck = useRef(0);
  const inFlight = useRef(false);
  const latest = useRef({ mode, filters, hits, stamp, reload });
  latest.current = { mode, filters, hits, stamp, reload };
  const [tick, setTick] = useState(0);

  // A new or reloaded list is current for the library as it is now.
  useEffect(() => {
    currentFor.current = latest.current.stamp;
    setStale(false);
  }, [hits, mode, filters]);

  useEffect(() => {
    if (mode.kind === 'home' || mode.kind === 'duplicates' || busy || stale || inFlight.current || stamp === currentFor.current) return;
    const wait = lastCheck.current + CHECK_MS - Date.now();
    if (wait > 0) {
      const timer = setTimeout(() => setTick((n) => n + 1), wait);
      return () => clearTimeout(timer);
    }
    lastCheck.current = Date.now();
    inFlight.current = true;
    const asked = { mode, filters, stamp };
    const shown = hits;
    // The first COMPARE photos (a list shorter than that is the whole list: pages are UI_PAGE_SIZE).
    fetchPage(mode, filters, Math.min(UI_PAGE_SIZE, COMPARE), undefined).then(
      (page) => {
        inFlight.current = false;
        const now = latest.current;
        // The list changed meanwhile: that list is judged on its own.
        if (now.mode !== asked.mode || now.filters !== asked.filters || now.hits !== shown) return;
        if (!differentTop(shown, page.hits)) {
          currentFor.current = asked.stamp;
          setTick((x) => x + 1);
        } else if (shown.length === 0) {
          now.reload();
        } else {
          setStale(true);
        }
      },
      () => {
        // A failed check says nothing about the list; the next change of the counts tries again.
        inFlight.current = false;
      },
    );
  }, [mode, filters, hits, stamp, busy, stale, tick]);

  /** Show the new results: the list reloads (as many photos as are loaded) and the notice goes. */
  const show = () => {
    setStale(false);
    reload();
  };
  return { stale, show };
}
