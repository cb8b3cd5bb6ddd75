/**
 * A person adds their home folder, a Windows profile or a NAS share and expects the photos they see
 * when they open it — not every app's image cache from ~/Library and AppData, Apple Photos'
 * thumbnails of each photo, a NAS's thumbnails and snapshots, or a recycle bin. Real photos
 * (../shared/photos) laid out as those folders are; the scan, the watcher and a library that had
 * taken such files in all agree.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../electron/engine/engine.ts';
import { createLogger } from '../../electron/engine/util/log.ts';
import { until } from '../support/wait.ts';

const models = process.env.SHIGUANG_TEST_MODELS ?? path.resolve('.cache/test-models');
const shared = path.resolve('../shared/photos');
const sharedPhotos = fs.existsSync(shared) ? fs.readdirSync(shared).filter((f) => /\.jpe?g$/i.test(f)).sort() : [];

/** Where each photo goes below the test folder, and whether the library should hold it. */
const LAYOUT: Array<[string, boolean]> = [
  // a macOS home
  ['Users/alice/Pictures/2024 厦门/IMG_0001.JPG', true],
  ['Users/alice/Desktop/screenshot.jpg', true],
  ['Users/alice/Pictures/Library/scan.jpg', true], // a folder named Library of the person's own
  ['Users/alice/Pictures/Photos Library.photoslibrary/originals/3/3F2A.jpeg', true],
  ['Users/alice/Pictures/Photos Library.photoslibrary/resources/derivatives/3/3F2A_1_105_c.jpeg', false],
  ['Users/alice/Library/Caches/com.apple.Safari/fsCachedData/4B1C.jpg', false],
  ['Users/alice/Library/Containers/com.tencent.xinWeChat/Data/avatar.jpg', false],
  ['Users/alice/Applications/Some.app/Contents/Resources/background.jpg', false],
  ['Users/alice/Pictures/Lightroom/Catalog Previews.lrdata/0/preview.jpg', false],
  // a Windows profile (copied onto this disk: the same names)
  ['Users/bob/OneDrive/图片/家.jpg', true],
  ['Users/bob/AppData/Local/Packages/Microsoft.Windows.Photos/LocalState/thumb.jpg', false],
  // a phone's storage copied whole
  ['nas/photo/手机备份/DCIM/Camera/IMG_20240101_120000.jpg', true],
  ['nas/photo/手机备份/Android/data/com.tencent.mobileqq/cache/a.jpg', false],
  // a NAS share
  ['nas/photo/2023/DSC_0042.JPG', true],
  ['nas/photo/2023/@eaDir/DSC_0042.JPG/SYNOPHOTO_THUMB_XL.jpg', false],
  ['nas/photo/#snapshot/GMT+08_2024-01-01/2023/DSC_0042.JPG', false],
  ['nas/photo/#recycle/old.jpg', false],
  ['nas/photo/$Recycle.Bin/S-1-5-21/$R1.jpg', false],
];

describe('folders that hold no photos of the person', () => {
  let tmp: string;
  let roots: string[];
  let db: string;
  const open = () =>
    Engine.open({ dbPath: db, modelDir: path.join(models, 'toy-colors'), session: { threads: 1 }, logger: createLogger('test', 'warn'), watcher: { debounceMs: 150, writeStableMs: 200 } });
  const indexed = (engine: Engine): string[] =>
    engine.lib.photos
      .getMany(Array.from({ length: 200 }, (_, i) => i + 1))
      .map((r) => path.relative(tmp, r.path).split(path.sep).join('/'))
      .sort();
  const put = (rel: string, i: number): void => {
    const to = path.join(tmp, rel);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.copyFileSync(path.join(shared, sharedPhotos[i % sharedPhotos.length]), to);
  };

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-ignored-'));
    db = path.join(tmp, 'data', 'library.db');
    LAYOUT.forEach(([rel], i) => put(rel, i));
    roots = ['Users/alice', 'Users/bob', 'nas/photo'].map((r) => path.join(tmp, r));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it.skipIf(sharedPhotos.length < LAYOUT.length + 2)('index holds what the person sees in those folders, and nothing else', async () => {
    const engine = await open();
    try {
      const s = await engine.indexFolders(roots);
      const want = LAYOUT.filter(([, keep]) => keep).map(([rel]) => rel).sort();
      expect(indexed(engine)).toEqual(want);
      expect(s.skipped).toBe(0); // a folder passed over is not a file that could not be read
      expect(s.offline).toEqual([]);
    } finally {
      await engine.close();
    }
  });

  it.skipIf(sharedPhotos.length < LAYOUT.length + 2)('the watcher passes over them: a new cache image is not a photo, a new picture is', async () => {
    const engine = await open();
    try {
      await engine.indexFolders(roots);
      await engine.watch();
      put('Users/alice/Library/Caches/com.apple.Safari/fsCachedData/NEW1.jpg', LAYOUT.length);
      put('Users/alice/Pictures/Photos Library.photoslibrary/resources/derivatives/4/NEW2_1_105_c.jpeg', LAYOUT.length + 1);
      put('nas/photo/2023/@eaDir/NEW3.JPG/SYNOPHOTO_THUMB_M.jpg', LAYOUT.length);
      put('Users/alice/Pictures/2024 厦门/IMG_0002.JPG', LAYOUT.length + 1);
      await until(() => indexed(engine).includes('Users/alice/Pictures/2024 厦门/IMG_0002.JPG'), 'the new picture to be indexed', 20_000);
      expect(indexed(engine).filter((p) => /NEW\d/.test(p))).toEqual([]);
      // A full pass (what the watcher runs every few minutes) agrees with the watcher.
      await engine.indexFolders(roots);
      expect(indexed(engine).filter((p) => /NEW\d/.test(p))).toEqual([]);
    } finally {
      await engine.close();
    }
  });
});
