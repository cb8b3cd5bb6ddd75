/**
 * The results header's count says what the list holds. Before, every list said "N 张照片", also a
 * search whose hits were video clips (a video is listed once per matching segment) or a mix.
 */
import { describe, expect, it } from 'vitest';
import { countWhat, listKindsOf, noneWord, relevantWhat, videosIn } from '../../renderer/src/lib/count-what.ts';
import { messages, translate } from '../../renderer/src/lib/messages.ts';

const photo = { kind: 'photo' as const };
const video = { kind: 'video' as const };
const old = {}; // engines before videos leave `kind` out: a photo
const lib = (libraryHasVideos: boolean) => ({ libraryHasVideos });

describe('countWhat', () => {
  it('counts each kind when the whole list is loaded', () => {
    expect(countWhat([photo, old, photo], { ...lib(true), allLoaded: true })).toEqual({ what: 'photos' });
    expect(countWhat([video, video], { ...lib(true), allLoaded: true })).toEqual({ what: 'videos' });
    expect(countWhat([photo, video, photo], { ...lib(true), allLoaded: true })).toEqual({ what: 'mixed', photos: 2, videos: 1 });
  });

  it('says photos for a library without videos, items when more pages may hold videos', () => {
    expect(countWhat([photo, photo], { ...lib(false), allLoaded: false })).toEqual({ what: 'photos' });
    expect(countWhat([photo, photo], { ...lib(true), allLoaded: false })).toEqual({ what: 'items' });
    // Only videos loaded so far: photos may follow.
    expect(countWhat([video], { ...lib(true), allLoaded: false })).toEqual({ what: 'items' });
  });

  it('follows a kind the list is restricted to', () => {
    expect(countWhat([video], { ...lib(true), allLoaded: false, onlyKind: 'video' })).toEqual({ what: 'videos' });
    expect(countWhat([photo], { ...lib(true), allLoaded: false, onlyKind: 'photo' })).toEqual({ what: 'photos' });
  });

  it('words an empty list by what it could have held', () => {
    expect(noneWord(lib(false))).toBe('photos');
    expect(noneWord(lib(true))).toBe('items');
    expect(noneWord({ ...lib(true), onlyKind: 'video' })).toBe('videos');
    expect(videosIn(undefined)).toBe(0);
    expect(videosIn({ indexed: 0, pending: 2, skipped: 1 })).toBe(3);
  });
});

describe('relevantWhat', () => {
  const hits = [
    { ...photo, relevant: true },
    { ...video, relevant: true },
    { ...photo, relevant: false },
    { ...photo, relevant: false },
  ];
  it('counts the relevant items only, once the pages stopped at the boundary or the weaker rest is shown', () => {
    expect(relevantWhat(hits, false, false, lib(true))).toEqual({ what: 'mixed', photos: 1, videos: 1 });
    expect(relevantWhat(hits, true, true, lib(true))).toEqual({ what: 'mixed', photos: 1, videos: 1 });
    expect(relevantWhat(hits.slice(0, 2), true, false, lib(true))).toEqual({ what: 'items' });
  });
});

describe('count messages', () => {
  it('has a natural phrase for every kind in both languages', () => {
    expect(translate('zh-CN', 'results.count.mixed', { photos: 3, videos: 2 })).toBe('3 张照片、2 段视频');
    expect(translate('zh-CN', 'results.countOf.items', { n: 40, total: 120 })).toBe('前 40 项，共 120 项符合');
    expect(translate('en', 'results.relevant.videos', { n: 2 })).toBe('2 relevant video clips');
    for (const lang of ['zh-CN', 'en'] as const) {
      for (const w of ['photos', 'videos', 'items'] as const) {
        for (const k of ['count', 'countMore', 'countOf', 'relevant', 'relevantAtLeast', 'relevantPlusWeaker', 'noneRelevant', 'showWeaker'] as const) {
          expect(messages[lang][`results.${k}.${w}`], `${lang} results.${k}.${w}`).toBeTruthy();
        }
      }
    }
  });
});

describe('listKindsOf', () => {
  it('takes the kind filter first, then the kind the query said (a screenshot is a photo)', () => {
    const v = { indexed: 1, pending: 0, skipped: 0 };
    expect(listKindsOf(v, '', null)).toEqual({ libraryHasVideos: true, onlyKind: null });
    expect(listKindsOf(undefined, '', 'screenshot')).toEqual({ libraryHasVideos: false, onlyKind: 'photo' });
    expect(listKindsOf(v, 'photo', 'video')).toEqual({ libraryHasVideos: true, onlyKind: 'photo' });
    expect(listKindsOf(v, '', 'video')).toEqual({ libraryHasVideos: true, onlyKind: 'video' });
  });
});
