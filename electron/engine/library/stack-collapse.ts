/**
 * Each stack once in a list (search, similar photos, browsing): a keyset-ordered list is walked
 * as it is, and a photo is left out when a better-ranked member of its stack passes the same
 * filter (store/stacks.ts hiddenAmong) — the cover, or under a filter that leaves the cover out,
 * the next member in the cover order. Whether a photo is shown depends on that photo, the filter
 * and the stacks alone, never on what an earlier page showed, so a list's pages stay exact:
 * the cursor is the position of the last photo walked past, shown or not, and no page repeats or
 * skips a stack. (A stack that changes between two pages — the stacks pass grouped a new photo —
 * may show once more or once less, as a photo indexed between two pages may.)
 *
 * The filter's `stack` field turns it off: a stack's own members ('stack: id', opening a stack)
 * or every photo ('stack: "all"').
 */
import type { Library } from '../store/library.ts';
import type { PhotoQuery } from '../store/photo-filter.ts';

/** The photos a list under this filter leaves out, among these ids (empty when it collapses nothing). */
export function stackHider(lib: Library, q: PhotoQuery): (ids: readonly number[]) => Set<number> {
  if (!q.collapseStacks) return () => new Set();
  return (ids) => lib.stacks.hiddenAmong(ids, q);
}

export interface KeysetSlice<T> {
  items: T[];
  /** True when nothing follows the slice's last item. */
  done: boolean;
}

export interface CollapsedPage<T, P> {
  items: T[];
  /** Position of the last item walked past (shown or left out); undefined when none was. */
  at: P | undefined;
  /** Items walked past: shown and left out (a search cursor's depth counts them). */
  walked: number;
  /** Whether the list may continue after `at`. */
  more: boolean;
}

/**
 * One page of `limit` items from a keyset list, leaving out what `skip` says (for each slice
 * fetched), continuing after `after`. `fetch(after, n)` returns the next n items after a
 * position; `position(item)` is where an item stands; `extra(need)` is how many more than needed
 * the first fetch asks for (some may be left out).
 */
export function collapsedPage<T, P>(o: {
  limit: number;
  after: P | undefined;
  fetch: (after: P | undefined, n: number) => KeysetSlice<T>;
  position: (item: T) => P;
  skip: (items: readonly T[]) => (item: T) => boolean;
  extra?: (need: number) => number;
}): CollapsedPage<T, P> {
  const items: T[] = [];
  let at = o.after;
  let walked = 0;
  // Half as many again by default: a library with a third of its photos in stacks leaves out about
  // a quarter of a list, and a second fetch costs more than the extra rows (a browse page is one
  // ordered SQL query; measured in BENCH_ONLY=stacks, part search).
  const extra = o.extra ?? ((need: number) => Math.ceil(need / 2) + 4);
  for (;;) {
    const need = o.limit - items.length;
    // After a first slice, ask for what the share left out so far says will fill the page: each
    // fetch has a fixed cost (a browse page is one ordered SQL query), so fewer, larger ones.
    const kept = walked > 0 ? Math.max(0.25, items.length / walked) : 1;
    const slice = o.fetch(at, walked > 0 ? Math.ceil((need / kept) * 1.15) + 4 : need + extra(need));
    const left = o.skip(slice.items);
    for (let i = 0; i < slice.items.length; i++) {
      const item = slice.items[i]!;
      if (items.length === o.limit) {
        const more = !slice.done || slice.items.slice(i).some((x) => !left(x));
        return { items, at, walked, more };
      }
      at = o.position(item);
      walked++;
      if (!left(item)) items.push(item);
    }
    // Full at the slice's end: the list goes on if the source does (what follows may all be left out).
    if (items.length === o.limit || slice.done || slice.items.length === 0) return { items, at, walked, more: items.length === o.limit && !slice.done };
  }
}
