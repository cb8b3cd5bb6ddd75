import { describe, expect, it } from 'vitest';
import { burstKeyFromName } from '../../electron/engine/stacks/burst-names.ts';
import { coverOf, coverOrder, duplicateGroups, type StackPhoto } from '../../electron/engine/stacks/duplicates.ts';
import { pictureOf } from '../../electron/engine/stacks/picture.ts';
import { isCopyNameOf } from '../../electron/engine/stacks/copy-names.ts';

describe('burst keys from file names', () => {
  it('gives the frames of one burst one key, per camera maker', () => {
    const same = (names: string[]): void => {
      const keys = names.map(burstKeyFromName);
      expect(keys[0]).not.toBeNull();
      expect(new Set(keys).size, names.join(', ')).toBe(1);
    };
    same(['00000IMG_00000_BURST20190830175543127_COVER.jpg', '00001IMG_00001_BURST20190830175543127.jpg']); // Pixel
    same(['DSC_0001_BURST20180101120000123.JPG', 'DSC_0002_BURST20180101120000123_COVER.JPG']); // Xperia
    same(['IMG_20230101_120000_BURST001_COVER.jpg', 'IMG_20230101_120000_BURST002.jpg', 'img_20230101_120000_burst10.JPG']); // Huawei, Xiaomi
    same(['20170806_184210_Burst01.jpg', '20170806_184210_Burst12.jpg']); // Samsung
    same(['20230101_120000_001.jpg', '20230101_120000_010.heic']); // Samsung One UI
    same(['/photos/2023/IMG_20230101_120000_BURST003.jpg', 'C:\\backup\\IMG_20230101_120000_BURST003.jpg']); // a copy elsewhere
  });

  it('tells bursts apart and ignores copy names', () => {
    expect(burstKeyFromName('IMG_20230101_120000_BURST001.jpg')).not.toBe(burstKeyFromName('IMG_20230101_120001_BURST001.jpg'));
    for (const name of ['IMG_1234.JPG', 'IMG_1234_1.jpg', 'IMG_1234 (1).jpg', 'mmexport1672545600000.jpg', '微信图片_20230101120000.jpg', 'IMG_20230101_120000.jpg', 'BURST.jpg']) {
      expect(burstKeyFromName(name), name).toBeNull();
    }
  });
});

const photo = (photoId: number, key: string, over: Partial<StackPhoto> = {}): StackPhoto => ({ photoId, key, path: `/p/${photoId}.jpg`, width: 4000, height: 3000, sharpness: 100, bytes: 3_000_000, ...over });

describe('covers', () => {
  it('prefers the person\'s pick, then resolution, then sharpness, then file size, then the first photo', () => {
    const original = photo(1, 'a');
    const wechat = photo(2, 'b', { width: 1280, height: 960, sharpness: 400, bytes: 200_000 });
    const blurred = photo(3, 'c', { sharpness: 40 });
    const bigger = photo(4, 'd', { bytes: 3_500_000 });
    expect(coverOf([wechat, original]).photoId).toBe(1);
    expect(coverOf([blurred, original]).photoId).toBe(1);
    expect(coverOf([original, bigger]).photoId).toBe(4);
    expect(coverOf([photo(9, 'a'), photo(5, 'a')]).photoId).toBe(5);
    expect(coverOf([original, wechat], new Set(['b'])).photoId).toBe(2);
    expect(() => coverOf([])).toThrow(RangeError);
  });

  it("keeps the original's name over a copy's among alike copies, though the copy came first", () => {
    // What file managers and browsers name a copy (the copy sorts first, so it got the lower id).
    const pairs: [copy: string, original: string][] = [
      ['/p/IMG_1234 (1).jpg', '/p/IMG_1234.jpg'], // a browser download, Explorer's name conflict
      ['/p/IMG_1234 - 副本.jpg', '/p/IMG_1234.jpg'], // Windows Explorer, Chinese
      ['/p/IMG_1234 - Copy (2).JPG', '/p/IMG_1234.JPG'], // Windows Explorer, English, second copy
      ['/p/IMG_1234 copy.heic', '/p/IMG_1234.heic'], // macOS Finder
      ['/p/IMG_1234 copy 2.heic', '/p/IMG_1234.heic'],
      ['/p/IMG_1234 2.heic', '/p/IMG_1234.heic'], // macOS "keep both"
      ['/p/IMG_1234 (another copy).jpg', '/p/IMG_1234.jpg'], // GNOME Files
      ['/p/a-copy.jpg', '/p/a.jpg'],
      ['/backup/DSC_0001_1.jpg', '/photos/DSC_0001.jpg'], // another folder
      ['/p/旅行副本.jpg', '/p/旅行.jpg'],
    ];
    for (const [copy, original] of pairs) {
      expect(isCopyNameOf(copy, original), copy).toBe(true);
      expect(isCopyNameOf(original, copy), original).toBe(false);
      const cover = coverOf([photo(1, 'k', { path: copy }), photo(2, 'k', { path: original })]);
      expect(cover.path, copy).toBe(original);
    }
    // Names that only look alike are not copies of each other; then the first photo, as before.
    for (const [a, b] of [['/p/Birthday 2.jpg', '/p/Party.jpg'], ['/p/IMG_1234.jpg', '/p/IMG_1235.jpg'], ['/p/x.jpg', '/q/x.jpg']]) {
      expect(isCopyNameOf(a!, b!) || isCopyNameOf(b!, a!), `${a} ~ ${b}`).toBe(false);
      expect(coverOf([photo(1, 'k', { path: a }), photo(2, 'k', { path: b })]).photoId).toBe(1);
    }
    // Quality comes first: a larger copy is still the better one.
    expect(coverOf([photo(1, 'k', { path: '/p/IMG_1 (1).jpg', width: 8000, height: 6000 }), photo(2, 'j', { path: '/p/IMG_1.jpg' })]).photoId).toBe(1);
  });

  it('orders a stack shot by shot: the best copy of the best shot, its other copies, then the next shot', () => {
    const frame1 = photo(1, 'f1', { unit: 'a', sharpness: 300 });
    const frame1Copy = photo(2, 'f1-copy', { unit: 'a', width: 2000, height: 1500 });
    const frame2 = photo(3, 'f2', { unit: 'b', sharpness: 200 });
    expect(coverOrder([frame2, frame1Copy, frame1]).map((p) => p.photoId)).toEqual([1, 2, 3]);
    // The person's pick brings its shot first.
    expect(coverOrder([frame2, frame1Copy, frame1], new Set(['f1-copy'])).map((p) => p.photoId)).toEqual([2, 1, 3]);
  });
});

describe('the duplicates report', () => {
  const photos = [
    photo(1, 'frame1'),
    photo(2, 'frame1', { path: '/backup/1.jpg' }), // exact copy
    photo(3, 'frame1-wechat', { width: 2000, height: 1500, bytes: 400_000 }),
    photo(4, 'frame2', { sharpness: 300 }),
    photo(5, 'alone'),
  ];
  const groups = { near: [{ id: 7, keys: ['frame1', 'frame1-wechat'] }], bursts: [{ id: 8, frames: [['frame1', 'frame1-wechat'], ['frame2']] }] };

  it('lists each kind apart with sizes, the cover first and the space the other copies take', () => {
    expect(duplicateGroups('exact', photos, groups)).toEqual([
      { kind: 'exact', id: 'frame1', size: 2, paths: ['/p/1.jpg', '/backup/1.jpg'], cover: '/p/1.jpg', bytes: 6_000_000, extraBytes: 3_000_000 },
    ]);
    expect(duplicateGroups('near', photos, groups)).toEqual([
      { kind: 'near', id: '7', size: 3, paths: ['/p/1.jpg', '/backup/1.jpg', '/p/3.jpg'], cover: '/p/1.jpg', bytes: 6_400_000, extraBytes: 3_400_000 },
    ]);
    const [burst] = duplicateGroups('burst', photos, groups);
    expect(burst).toMatchObject({ kind: 'burst', id: '8', size: 4, frames: 2, cover: '/p/4.jpg', extraBytes: 6_400_000 });
  });
});

describe('a photo row as the grouping sees it', () => {
  const facts = {
    hash: 'h1',
    path: '/p/IMG_20230101_120000_BURST002.jpg',
    phash: '8000000000000001',
    vector: null,
    takenAt: Date.UTC(2023, 0, 1, 12),
    takenAtSource: 'exif' as const,
    cameraMake: 'HUAWEI',
    cameraModel: 'P30',
    subSecMs: 250,
    imageUniqueId: null,
    burstId: null,
  };

  it('identifies the capture only when EXIF pins it down', () => {
    const p = pictureOf(facts);
    expect(p).toMatchObject({ key: 'h1', takenAt: facts.takenAt + 250, camera: 'HUAWEI\u0000P30', burstKey: 'name:IMG_20230101_120000' });
    expect(p.captureId).toBe(`t:HUAWEI\u0000P30@${facts.takenAt + 250}`);
    expect(pictureOf({ ...facts, subSecMs: null }).captureId).toBeNull();
    expect(pictureOf({ ...facts, imageUniqueId: 'abc' }).captureId).toBe('id:abc');
    // A file time says nothing about the capture (copies get new ones).
    expect(pictureOf({ ...facts, takenAtSource: 'mtime' })).toMatchObject({ takenAt: null, captureId: null });
    expect(pictureOf({ ...facts, burstId: 'UUID' }).burstKey).toBe('apple:UUID');
    expect(pictureOf({ ...facts, phash: null, cameraMake: null, cameraModel: null }).camera).toBeNull();
  });
});
