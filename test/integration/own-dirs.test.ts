/**
 * The app's own images are never photos of the library. Its thumbnails (and the video pass's
 * frames) live beside the database, and the data folder can lie inside a library folder — on
 * macOS and Windows when a person adds their home folder. They used to come back as photos on the
 * next scan; a library that took them in gives them up on the next one.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../electron/engine/engine.ts';
import { writeColourPhoto } from '../../scripts/fixtures/colour-photos.ts';
import { createLogger } from '../../electron/engine/util/log.ts';
import { until } from '../support/wait.ts';

const models = process.env.SHIGUANG_TEST_MODELS ?? path.resolve('.cache/test-models');

describe("the app's own folders inside a library folder", () => {
  let tmp: string;
  let home: string;
  let db: string;
  let thumbs: string;
  const open = (cacheDir?: string) =>
    Engine.open({ dbPath: db, modelDir: path.join(models, 'toy-colors'), session: { threads: 1 }, cacheDir, logger: createLogger('test', 'warn'), watcher: { debounceMs: 150, writeStableMs: 200 } });
  const paths = (engine: Engine): string[] => engine.lib.photos.getMany(Array.from({ length: 100 }, (_, i) => i + 1)).map((r) => r.path);

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-own-dirs-'));
    // A home folder as a person adds it: their pictures, and the app's data folder under Library/.
    home = path.join(tmp, 'home');
    db = path.join(home, 'Library', 'Application Support', 'shiguang', 'library.db');
    thumbs = path.join(path.dirname(db), 'thumbnails');
    await writeColourPhoto(path.join(home, 'Pictures', 'red.jpg'), 'red', 1);
    // Frames the video pass wrote (what a real frame is: a JPEG of a picture).
    await writeColourPhoto(path.join(thumbs, 'frames', 'ab', 'abcdef', '0.jpg'), 'blue', 2);
    await writeColourPhoto(path.join(thumbs, 'frames', 'ab', 'abcdef', '2000.jpg'), 'green', 3);
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('a library that took them in (its cache elsewhere then) gives them up on the next scan; the files stay', async () => {
    const before = await open(path.join(tmp, 'cache-elsewhere'));
    try {
      await before.indexFolders([home]);
      expect(paths(before).filter((p) => p.startsWith(thumbs))).toHaveLength(2); // what libraries did before the fix
    } finally {
      await before.close();
    }
    const engine = await open();
    try {
      const s = await engine.indexFolders([home]);
      expect(s.removed).toBe(2);
      expect(paths(engine)).toEqual([path.join(home, 'Pictures', 'red.jpg')]);
      expect(fs.existsSync(path.join(thumbs, 'frames', 'ab', 'abcdef', '0.jpg'))).toBe(true); // the app's cache is not touched
    } finally {
      await engine.close();
    }
  });

  it('a scan and the watcher pass over them: a new frame is not a photo, a new picture beside it is', async () => {
    const engine = await open();
    try {
      await engine.indexFolders([home]);
      expect(paths(engine).some((p) => p.startsWith(thumbs))).toBe(false);
      await engine.watch();
      await writeColourPhoto(path.join(thumbs, 'frames', 'cd', 'cdef01', '0.jpg'), 'yellow', 4);
      await writeColourPhoto(path.join(home, 'Pictures', 'orange.jpg'), 'orange', 5);
      await until(() => paths(engine).includes(path.join(home, 'Pictures', 'orange.jpg')), 'the new picture to be indexed', 20_000);
      expect(paths(engine).some((p) => p.startsWith(thumbs))).toBe(false);
    } finally {
      await engine.close();
    }
  });
});
