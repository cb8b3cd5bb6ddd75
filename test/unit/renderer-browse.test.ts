/** Browsing pieces of the renderer: the filter bar's tag list at home, and when a list on screen is behind. */
import { describe, expect, it } from 'vitest';
import type { EngineStatus } from '../../electron/shared/api.ts';
import { emptyFilters } from '../../renderer/src/lib/filters.ts';
import { barFilters, filterBarChange } from '../../renderer/src/lib/filterBarTags.ts';
import { differentTop, libraryStamp } from '../../renderer/src/lib/freshness.ts';

describe('the filter bar\'s tag list', () => {
  it('at home opens the tag as a list instead of filtering the timeline', () => {
    expect(filterBarChange({ kind: 'home' }, emptyFilters, { ...emptyFilters, tag: '猫' })).toEqual({ filters: emptyFilters, open: '猫' });
  });

  it('while a tag is open shows it, switches to another, and "all tags" goes back', () => {
    const mode = { kind: 'tag', tag: '猫', backTo: null } as const;
    expect(barFilters(mode, emptyFilters).tag).toBe('猫');
    expect(filterBarChange(mode, emptyFilters, { ...emptyFilters, tag: '狗' })).toEqual({ filters: emptyFilters, open: '狗' });
    expect(filterBarChange(mode, emptyFilters, emptyFilters)).toEqual({ filters: emptyFilters, back: true });
    // Another control of the bar changes: the open tag stays a mode, not a filter.
    expect(filterBarChange(mode, emptyFilters, { ...emptyFilters, tag: '猫', from: '2024-01-01' })).toEqual({ filters: { ...emptyFilters, from: '2024-01-01' } });
  });

  it('in a search it stays a filter', () => {
    const next = { ...emptyFilters, tag: '猫' };
    const search = { kind: 'text', query: '海边' };
    expect(filterBarChange(search, emptyFilters, next)).toEqual({ filters: next });
    expect(barFilters(search, next)).toBe(next);
  });
});

describe('new results', () => {
  it('the library stamp moves with photos indexed and every pass\'s work, not with the rest of the status', () => {
    const status = (indexed: number, ocrDone: number, rate = 1) =>
      ({ counts: { indexed }, libraryGeneration: 3, passes: [{ name: 'ocr', done: ocrDone, rate }], progress: { rate } }) as unknown as EngineStatus;
    expect(libraryStamp(status(10, 2))).toBe(libraryStamp(status(10, 2, 7)));
    expect(libraryStamp(status(11, 2))).not.toBe(libraryStamp(status(10, 2)));
    expect(libraryStamp(status(10, 3))).not.toBe(libraryStamp(status(10, 2)));
    expect(libraryStamp(null)).toBe('');
  });

  it('a list is behind when its top photos or their order differ, or a short list grew', () => {
    const ids = (...x: number[]) => x.map((id) => ({ id }));
    expect(differentTop(ids(1, 2, 3), ids(1, 2, 3))).toBe(false);
    expect(differentTop(ids(1, 2, 3), ids(9, 1, 2, 3))).toBe(true);
    expect(differentTop(ids(1, 2, 3), ids(2, 1, 3))).toBe(true);
    expect(differentTop(ids(1, 2, 3), ids(1, 2, 3, 4))).toBe(true);
    // Beyond the compared top, a long list counts as the same.
    const long = Array.from({ length: 150 }, (_, i) => ({ id: i }));
    expect(differentTop(long, long.slice(0, 100))).toBe(false);
  });
});
