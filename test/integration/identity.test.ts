/**
 * Identity across runs and roots, as a person reorganises a library while the app is off: the
 * CLI indexes, the files are renamed / moved / swapped, the CLI indexes again. A photo keeps its
 * row, vector, tags and custom-tag assignments wherever its content went, with zero re-encodes;
 * a rename combined with a content change counts as a change.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeColourPhoto, writeColourSet } from '../../scripts/fixtures/colour-photos.ts';
import { openLibrary } from '../../electron/engine/store/library.ts';

const run = promisify(execFile);
const models = process.env.SHIGUANG_TEST_MODELS ?? path.resolve('.cache/test-models');
const toy = path.join(models, 'toy-colors');

interface Identity {
  id: number;
  vector: number[];
  tags: string[];
}

describe('identity across runs and roots (CLI between changes)', () => {
  let tmp: string;
  let a: string;
  let b: string;
  let db: string;
  let env: NodeJS.ProcessEnv;

  const index = async (): Promise<{ moved: number; removed: number; encoded: number; added: number; changed: number; library: { indexed: number } }> => {
    const r = await run(process.execPath, ['--import', 'tsx', 'electron/cli/main.ts', '--db', db, '--model', toy, '--threads', '1', 'index', '--json', a, b], { env });
    return JSON.parse(r.stdout);
  };
  /** What the library holds for each path now: id, vector, tag names (custom tags included). */
  const snapshot = (): Map<string, Identity> => {
    const lib = openLibrary(db);
    try {
      const vectors = lib.vectors(lib.models.active()!);
      const out = new Map<string, Identity>();
      for (const f of lib.folders.list()) {
        for (const r of lib.photos.listPathsUnder(f.id)) {
          out.set(r.path, { id: r.id, vector: Array.from(vectors.get(r.id) ?? []), tags: lib.tags.photoTags(r.id).map((t) => t.name).sort() });
        }
      }
      return out;
    } finally {
      lib.close();
    }
  };
  const expectSameIdentity = (before: Map<string, Identity>, from: string, after: Map<string, Identity>, to: string): void => {
    const x = before.get(from);
    const y = after.get(to);
    expect(x, `before: ${from}`).toBeDefined();
    expect(y, `after: ${to}`).toBeDefined();
    expect(y!.id).toBe(x!.id);
    expect(y!.vector).toEqual(x!.vector);
    expect(y!.tags).toEqual(x!.tags);
  };

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-identity-'));
    a = path.join(tmp, 'root-a');
    b = path.join(tmp, 'root-b');
    db = path.join(tmp, 'lib.db');
    env = { ...process.env, SHIGUANG_HOME: path.join(tmp, 'home'), SHIGUANG_LOG: 'warn' };
    await writeColourSet(path.join(a, 'trip'), ['red', 'blue', 'green', 'yellow'], 3); // 12 photos
    await writeColourSet(path.join(a, 'misc'), ['white', 'black'], 2, 50);
    fs.mkdirSync(b);
    // Two photos of exactly the same size and mtime (uncompressed TIFF): only the file identity
    // (inode) tells them apart when their names are swapped.
    for (const [name, colour] of [['twin-1.tif', '#d22'], ['twin-2.tif', '#22d']] as const) {
      await sharp({ create: { width: 40, height: 30, channels: 3, background: colour } }).tiff({ compression: 'none' }).toFile(path.join(a, 'misc', name));
      fs.utimesSync(path.join(a, 'misc', name), new Date(1.6e12), new Date(1.6e12));
    }
    const first = await index();
    expect(first.library.indexed).toBe(18);
    await run(process.execPath, ['--import', 'tsx', 'electron/cli/main.ts', '--db', db, '--model', toy, '--threads', '1', 'tags', 'add', '蓝色的东西'], { env });
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('a photo renamed within its folder keeps its row, vector and tags', async () => {
    const before = snapshot();
    fs.renameSync(path.join(a, 'trip', 'blue-1.jpg'), path.join(a, 'trip', 'sea.jpg'));
    const s = await index();
    expect(s).toMatchObject({ moved: 1, removed: 0, encoded: 0, added: 0 });
    expectSameIdentity(before, path.join(a, 'trip', 'blue-1.jpg'), snapshot(), path.join(a, 'trip', 'sea.jpg'));
    expect(snapshot().get(path.join(a, 'trip', 'sea.jpg'))!.tags).toContain('蓝色的东西');
  });

  it('a photo moved into a new subfolder, and one moved to the other root, keep theirs', async () => {
    const before = snapshot();
    fs.mkdirSync(path.join(a, 'trip', 'best'));
    fs.renameSync(path.join(a, 'trip', 'red-1.jpg'), path.join(a, 'trip', 'best', 'red-1.jpg'));
    fs.renameSync(path.join(a, 'trip', 'red-2.jpg'), path.join(b, 'red-2.jpg'));
    const s = await index();
    expect(s).toMatchObject({ moved: 2, removed: 0, encoded: 0, added: 0 });
    const after = snapshot();
    expectSameIdentity(before, path.join(a, 'trip', 'red-1.jpg'), after, path.join(a, 'trip', 'best', 'red-1.jpg'));
    expectSameIdentity(before, path.join(a, 'trip', 'red-2.jpg'), after, path.join(b, 'red-2.jpg'));
  });

  it('renaming a folder of photos keeps every one of them (it used to lose them all)', async () => {
    const before = snapshot();
    const inTrip = [...before.keys()].filter((p) => p.startsWith(path.join(a, 'trip') + path.sep));
    expect(inTrip.length).toBe(11); // 12, less red-2 moved to the other root (red-1 is in trip/best)
    fs.renameSync(path.join(a, 'trip'), path.join(a, '2023 旅行'));
    const s = await index();
    expect(s).toMatchObject({ moved: 11, removed: 0, encoded: 0, added: 0 });
    const after = snapshot();
    for (const p of inTrip) expectSameIdentity(before, p, after, p.replace(path.join(a, 'trip'), path.join(a, '2023 旅行')));
    expect(after.size).toBe(18);
  });

  it('swapping the names of two photos leaves each name on its own content (also with equal size and mtime)', async () => {
    const before = snapshot();
    const misc = path.join(a, 'misc');
    for (const [x, y] of [['white-1.jpg', 'black-1.jpg'], ['twin-1.tif', 'twin-2.tif']]) {
      fs.renameSync(path.join(misc, x), path.join(misc, 'swap.tmp'));
      fs.renameSync(path.join(misc, y), path.join(misc, x));
      fs.renameSync(path.join(misc, 'swap.tmp'), path.join(misc, y));
    }
    const s = await index();
    expect(s).toMatchObject({ moved: 4, removed: 0, encoded: 0, added: 0, changed: 0 });
    const after = snapshot();
    expectSameIdentity(before, path.join(misc, 'white-1.jpg'), after, path.join(misc, 'black-1.jpg'));
    expectSameIdentity(before, path.join(misc, 'black-1.jpg'), after, path.join(misc, 'white-1.jpg'));
    expectSameIdentity(before, path.join(misc, 'twin-1.tif'), after, path.join(misc, 'twin-2.tif'));
    expectSameIdentity(before, path.join(misc, 'twin-2.tif'), after, path.join(misc, 'twin-1.tif'));
  });

  it('a rename combined with a content change counts as a change: the new content is encoded', async () => {
    const before = snapshot();
    const old = path.join(a, 'misc', 'white-2.jpg');
    fs.rmSync(old);
    await writeColourPhoto(path.join(a, 'misc', 'now-red.jpg'), 'red', 4242);
    const s = await index();
    expect(s).toMatchObject({ moved: 0, encoded: 1, added: 1, removed: 1 });
    const after = snapshot();
    expect(after.has(old)).toBe(false);
    expect(after.get(path.join(a, 'misc', 'now-red.jpg'))!.id).not.toBe(before.get(old)!.id);
  });

  it('all at once: a folder renamed, a photo moved across roots, two swapped, one touched — zero re-encodes', async () => {
    const before = snapshot();
    const trip = path.join(a, '2023 旅行');
    fs.renameSync(path.join(trip, 'green-1.jpg'), path.join(b, 'green-1.jpg'));
    fs.renameSync(path.join(trip, 'yellow-1.jpg'), path.join(trip, 'swap.tmp'));
    fs.renameSync(path.join(trip, 'yellow-2.jpg'), path.join(trip, 'yellow-1.jpg'));
    fs.renameSync(path.join(trip, 'swap.tmp'), path.join(trip, 'yellow-2.jpg'));
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(path.join(trip, 'green-2.jpg'), later, later);
    fs.renameSync(trip, path.join(a, 'holiday'));
    const s = await index();
    expect(s).toMatchObject({ encoded: 0, added: 0, removed: 0 });
    const after = snapshot();
    const h = path.join(a, 'holiday');
    expectSameIdentity(before, path.join(trip, 'green-1.jpg'), after, path.join(b, 'green-1.jpg'));
    expectSameIdentity(before, path.join(trip, 'yellow-1.jpg'), after, path.join(h, 'yellow-2.jpg'));
    expectSameIdentity(before, path.join(trip, 'yellow-2.jpg'), after, path.join(h, 'yellow-1.jpg'));
    expectSameIdentity(before, path.join(trip, 'green-2.jpg'), after, path.join(h, 'green-2.jpg'));
    expect(after.size).toBe(before.size);
  });
});
