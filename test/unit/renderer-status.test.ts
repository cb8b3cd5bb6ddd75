/**
 * When the UI reloads its lists (albums, tags, folders) from successive status polls, and which
 * photos it marks offline. The UI check "home view shows albums once indexed" failed in the full
 * CI run because a pass that started and ended between two polls was never seen running, so the
 * albums loaded before it were never reloaded; the engine's libraryGeneration closes that gap.
 */
import { describe, expect, it } from 'vitest';
import type { EngineStatus } from '../../electron/shared/api.ts';
import { listsChanged, seen } from '../../renderer/src/lib/statusChanges.ts';
import { isUnderRoots } from '../../renderer/src/lib/offline.ts';
import { messages } from '../../renderer/src/lib/messages.ts';

const status = (running: boolean, libraryGeneration?: number): EngineStatus => ({
  counts: { indexed: 0, pending: 0, skipped: 0 },
  progress: { running, done: 0, total: 0, rate: 0, etaSeconds: null, current: null },
  model: null,
  provider: null,
  ocr: null,
  passes: [],
  libraryGeneration,
});

describe('listsChanged', () => {
  it('a pass that ran entirely between two polls reloads the lists (its generation moved)', () => {
    // Poll 1: before the pass (not running, generation 3); poll 2: after it (not running, 4).
    expect(listsChanged(seen(status(false, 3)), status(false, 4))).toBe(true);
    // The old rule, "was running, now is not", never fired here.
    expect(listsChanged(seen(status(false, 3)), status(false, 3))).toBe(false);
  });

  it('a run seen running and then ended reloads them too (an engine without a generation)', () => {
    expect(listsChanged(seen(status(true)), status(false))).toBe(true);
    expect(listsChanged(seen(status(true, 5)), status(true, 5))).toBe(false);
  });

  it('tags becoming ready later (generation moves while idle) reloads them; the first poll does not', () => {
    expect(listsChanged(seen(status(false, 7)), status(false, 8))).toBe(true);
    expect(listsChanged(null, status(false, 8))).toBe(false);
  });
});

describe('isUnderRoots', () => {
  it('matches by whole path segments, either separator', () => {
    expect(isUnderRoots('/media/USB/Photos/a.jpg', ['/media/USB/Photos'])).toBe(true);
    expect(isUnderRoots('/media/USB/Photos2/a.jpg', ['/media/USB/Photos'])).toBe(false);
    expect(isUnderRoots('/media/USB/Photos', ['/media/USB/Photos'])).toBe(false);
    expect(isUnderRoots('D:\\Photos\\2023\\a.jpg', ['D:\\Photos\\'])).toBe(true);
    expect(isUnderRoots('/x/a.jpg', [])).toBe(false);
  });
});

describe('messages', () => {
  it('words every reason the engine gives for a folder or a value, in both languages', () => {
    // Every registered reason: test/unit/error-messages.test.ts walks them all.
    for (const reason of ['folder-relative', 'folder-missing', 'folder-not-a-folder', 'folder-unreadable', 'folder-inside-library', 'folder-holds-offline', 'folder-offline', 'threads-range', 'provider-unknown']) {
      for (const lang of ['zh-CN', 'en'] as const) expect(messages[lang][`reason.${reason}` as keyof (typeof messages)['en']], `${lang} ${reason}`).toBeTruthy();
    }
    for (const why of ['missing', 'not-a-folder', 'unreadable', 'timeout', 'mount-changed']) {
      expect(messages['zh-CN'][`library.offlineReason.${why}` as keyof (typeof messages)['en']]).toBeTruthy();
    }
  });
});
