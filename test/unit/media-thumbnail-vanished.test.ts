/**
 * A photo's file that goes while its thumbnail is being made — its drive unplugged at that moment,
 * or the file deleted — is reported as what happened (the folder offline: the offline placeholder;
 * the file gone: photo-file-gone), not as a damaged file. The decoder is made to lose the file
 * half-way, the one moment a real unplug cannot be timed to (the UI suite met it: a 501 for a
 * thumbnail asked for as the drive went).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

/** What the mocked decoder does before it fails: set by each test. */
const during = vi.hoisted(() => ({ action: null as null | (() => void) }));

vi.mock('../../electron/engine/media/thumbnail.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../electron/engine/media/thumbnail.ts')>();
  return {
    ...real,
    makeThumbnail: async (file: string, out: string, side: number) => {
      if (!during.action) return real.makeThumbnail(file, out, side);
      during.action();
      throw new Error(`VipsForeignLoad: "${file}" is not a known file format`);
    },
  };
});

const { ThumbnailCache } = await import('../../electron/engine/media-cache.ts');
const { openLibrary } = await import('../../electron/engine/store/library.ts');

let tmp: string;
let drive: string;
let lib: ReturnType<typeof openLibrary>;
let cache: InstanceType<typeof ThumbnailCache>;
let photoId: number;

beforeEach(async () => {
  tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'shiguang-thumb-gone-'));
  drive = path.join(tmp, 'drive');
  fs.mkdirSync(drive);
  const file = path.join(drive, 'red.jpg');
  await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 20, b: 20 } } }).jpeg().toFile(file);
  lib = openLibrary(path.join(tmp, 'lib.db'));
  const folder = lib.folders.add(drive);
  const st = fs.statSync(file);
  const { row } = lib.photos.upsertDiscovered({ path: file, folderId: folder.id, size: st.size, mtimeMs: st.mtimeMs });
  lib.photos.setHash(row.id, 'a'.repeat(64));
  lib.photos.markIndexed(row.id, { width: 64, height: 48, takenAt: 0, takenAtSource: 'mtime', cameraMake: null, cameraModel: null, gpsLat: null, gpsLon: null });
  photoId = row.id;
  cache = new ThumbnailCache(lib, path.join(tmp, 'cache'));
});

afterEach(async () => {
  during.action = null;
  lib.close();
  await fs.promises.rm(tmp, { recursive: true, force: true });
});

describe('a thumbnail whose file goes while it is made', () => {
  it('the drive unplugged half-way: the offline placeholder, not a damaged file', async () => {
    during.action = () => fs.renameSync(drive, `${drive}-unplugged`);
    const out = await cache.thumbnail(photoId);
    expect(path.basename(out)).toBe('offline.jpg');
    expect(fs.existsSync(out)).toBe(true);
  });

  it('the file deleted half-way, its folder still there: the file is gone', async () => {
    // Another file stays: an empty folder of unknown device could be a mount point whose drive went.
    fs.writeFileSync(path.join(drive, 'notes.txt'), 'still here');
    during.action = () => fs.rmSync(path.join(drive, 'red.jpg'));
    await expect(cache.thumbnail(photoId)).rejects.toMatchObject({ detail: { reason: 'photo-file-gone' } });
  });

  it('a file that is there and does not decode is still a failed thumbnail', async () => {
    during.action = () => undefined;
    await expect(cache.thumbnail(photoId)).rejects.toMatchObject({ detail: { reason: 'thumbnail-failed' } });
  });

  it('control: without the decoder failing, the thumbnail is made', async () => {
    const out = await cache.thumbnail(photoId);
    expect(path.basename(out)).not.toBe('offline.jpg');
    expect((await sharp(out).metadata()).width).toBeGreaterThan(0);
  });
});
