/**
 * Live Photos and motion photos in the viewer: the clip the scanner hides (a .MOV of the same name
 * beside the photo, ≤ 6 s) is the clip the viewer plays; a motion photo's video (the MP4 after
 * the picture in a Pixel's or Samsung's JPEG) is served as that byte range of the photo itself. After a real `index`, a photo's details say it has
 * one (with its length) and the media route serves it as a video (`live/<id>`), through the same
 * guard as originals; a longer video of the same name stays a video and is no clip; a link to a
 * clip outside the library is neither shown nor served; a folder that is away is not read.
 * Clips: AndroidX Media's sample.mp4 (1.02 s, H.264) and its Pixel and Samsung motion photos
 * (Apache-2.0; test/fixtures/video/README.md); one motion photo made the documented way, by
 * exiftool writing Google's MicroVideo XMP into a shared photo with the sample appended.
 */
import { execFileSync } from 'node:child_process';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLibrary, type Library } from '../../electron/engine/store/library.ts';
import { LibraryService } from '../../electron/engine/library/library-service.ts';
import { libraryMedia } from '../../electron/engine/media-cache.ts';
import { mediaBody, resolveMedia } from '../../electron/transport/media-guard.ts';
import { makeClip } from '../../scripts/fixtures/video-clips.ts';

const run = promisify(execFile);
const models = process.env.SHIGUANG_TEST_MODELS ?? path.resolve('.cache/test-models');
const sample = path.resolve('test/fixtures/video/sample.mp4');
const shared = path.resolve('../shared/photos');

describe.skipIf(process.platform === 'win32')('a Live Photo clip, from index to the viewer', () => {
  let tmp: string;
  let album: string;
  let lib: Library;
  const id = (name: string): number => lib.photos.getByPath(path.join(album, name))!.id;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-live-'));
    album = path.join(tmp, 'iPhone');
    fs.mkdirSync(album);
    const photos = fs.readdirSync(shared).filter((f) => f.endsWith('.JPEG')).slice(0, 5);
    const put = (i: number, name: string) => fs.copyFileSync(path.join(shared, photos[i]!), path.join(album, name));
    put(0, 'IMG_0001.JPG');
    fs.copyFileSync(sample, path.join(album, 'IMG_0001.MOV'));
    put(1, 'IMG_0002.JPG');
    fs.copyFileSync(sample, path.join(album, 'img_0002.mov')); // names compared without case, as the scanner does
    put(2, 'IMG_0003.JPG');
    fs.copyFileSync(makeClip('rgb-12s.mp4'), path.join(album, 'IMG_0003.MOV')); // 12 s: a video of its own
    put(3, 'IMG_0004.JPG');
    const outside = path.join(tmp, 'outside');
    fs.mkdirSync(outside);
    fs.copyFileSync(sample, path.join(outside, 'clip.mov'));
    fs.symlinkSync(path.join(outside, 'clip.mov'), path.join(album, 'IMG_0004.MOV'));
    put(4, 'plain.jpg');
    for (const f of ['pixel-motion-photo-shortened.jpg', 'ss-motion-photo-shortened.jpg', 'pixel-motion-photo-video-removed-shortened.jpg']) {
      fs.copyFileSync(path.resolve('test/fixtures/video', f), path.join(album, f));
    }
    const made = path.join(album, 'MVIMG_0005.jpg');
    fs.copyFileSync(path.join(shared, photos[0]!), made);
    execFileSync('exiftool', ['-q', '-overwrite_original', '-XMP-GCamera:MicroVideo=1', '-XMP-GCamera:MicroVideoVersion=1', `-XMP-GCamera:MicroVideoOffset=${fs.statSync(sample).size}`, made]);
    fs.appendFileSync(made, fs.readFileSync(sample));
    const db = path.join(tmp, 'lib.db');
    const env = { ...process.env, SHIGUANG_HOME: path.join(tmp, 'home'), SHIGUANG_LOG: 'warn' };
    await run(process.execPath, ['--import', 'tsx', 'electron/cli/main.ts', '--db', db, '--model', path.join(models, 'toy-colors'), '--threads', '1', 'index', album], { env });
    lib = openLibrary(db);
  }, 180_000);

  afterAll(() => {
    lib?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('the clip the scanner hid is the one the details announce and the media route serves', async () => {
    // The scanner: the two short clips are not items; the 12-s video is one.
    expect(lib.photos.getByPath(path.join(album, 'IMG_0001.MOV'))).toBeUndefined();
    expect(lib.photos.getByPath(path.join(album, 'img_0002.mov'))).toBeUndefined();
    expect(lib.photos.getByPath(path.join(album, 'IMG_0003.MOV'))?.kind).toBe('video');

    const service = new LibraryService(lib);
    const media = libraryMedia(lib, path.join(tmp, 'thumbs'), undefined as never);
    for (const [photo, clip] of [
      ['IMG_0001.JPG', 'IMG_0001.MOV'],
      ['IMG_0002.JPG', 'img_0002.mov'],
    ] as const) {
      const live = await service.liveClip(id(photo));
      expect(live?.durationS, photo).toBeCloseTo(1.02, 1);
      const served = await resolveMedia(media, { kind: 'live', photoId: id(photo) });
      expect(served, photo).toMatchObject({ type: 'file', file: fs.realpathSync(path.join(album, clip)) });
      expect(served.type === 'file' && served.headers['Content-Type']).toBe('video/mp4');
    }
  });

  it('no clip: a longer video of the same name, a link out of the library, a photo alone, a video itself', async () => {
    const service = new LibraryService(lib);
    const media = libraryMedia(lib, path.join(tmp, 'thumbs'), undefined as never);
    for (const name of ['IMG_0003.JPG', 'IMG_0004.JPG', 'plain.jpg', 'IMG_0003.MOV']) {
      expect(await service.liveClip(id(name)), name).toBeNull();
      expect(await resolveMedia(media, { kind: 'live', photoId: id(name) }), name).toMatchObject({ type: 'error', status: 404 });
    }
  });

  it('a motion photo: its video is the byte range after the picture, served as MP4 with ranges inside it', async () => {
    const service = new LibraryService(lib);
    const media = libraryMedia(lib, path.join(tmp, 'thumbs'), undefined as never);
    const cases = [
      // Offsets and lengths as the cameras wrote them (motion-photo.test.ts reads the same files).
      ['pixel-motion-photo-shortened.jpg', 131_582, 8_730],
      ['ss-motion-photo-shortened.jpg', 20_345, 2_538],
      ['MVIMG_0005.jpg', fs.statSync(path.join(album, 'MVIMG_0005.jpg')).size - fs.statSync(sample).size, fs.statSync(sample).size],
    ] as const;
    for (const [name, offset, length] of cases) {
      expect((await service.liveClip(id(name)))?.kind, name).toBe('motion-photo');
      const r = await resolveMedia(media, { kind: 'live', photoId: id(name) });
      expect(r, name).toMatchObject({ type: 'file', file: fs.realpathSync(path.join(album, name)), size: length, offset, headers: { 'Content-Type': 'video/mp4', 'Content-Length': String(length) } });
      if (r.type !== 'file') continue;
      // A player's first request: a range of the video, which is bytes of the photo further on.
      const body = mediaBody(r, 'bytes=0-15');
      expect(body.status).toBe(206);
      expect(body.headers['Content-Range']).toBe(`bytes 0-15/${length}`);
      const head = Buffer.alloc(16);
      const fd = fs.openSync(r.file, 'r');
      fs.readSync(fd, head, 0, 16, body.range!.start);
      fs.closeSync(fd);
      expect(head.toString('latin1', 4, 8), name).toBe('ftyp');
      expect(mediaBody(r).range, name).toEqual({ start: offset, end: offset + length - 1 });
    }
    // The one made like a Pixel's holds the whole sample: its length is the sample's.
    expect((await service.liveClip(id('MVIMG_0005.jpg')))?.durationS).toBeCloseTo(1.02, 1);
    // An editor cut the video off, the XMP still announcing it: no clip.
    expect(await service.liveClip(id('pixel-motion-photo-video-removed-shortened.jpg'))).toBeNull();
    expect(await resolveMedia(media, { kind: 'live', photoId: id('pixel-motion-photo-video-removed-shortened.jpg') })).toMatchObject({ type: 'error', status: 404 });
  });

  it('a folder that is away is not read: no clip announced, and the route says the folder is offline', async () => {
    const service = new LibraryService(lib);
    const media = libraryMedia(lib, path.join(tmp, 'thumbs'), undefined as never);
    const folder = lib.folders.list()[0]!;
    const photoId = id('IMG_0001.JPG');
    const device = lib.folders.get(folder.id)!.device;
    lib.folders.markOffline(folder.id, 'missing');
    try {
      expect(await service.liveClip(photoId)).toBeNull();
      const r = await resolveMedia(media, { kind: 'live', photoId });
      expect(r).toMatchObject({ type: 'error', status: 404 });
      expect(r.type === 'error' && r.message).toMatch(/offline/);
    } finally {
      lib.folders.markOnline(folder.id, device ?? '');
    }
  });
});

describe('a Live Photo whose clip arrives after the photo (a copy still running)', () => {
  it('plays once the clip is there, though the photo did not change', async () => {
    const { photoClipOf } = await import('../../electron/engine/video/photo-clip.ts');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-live-late-'));
    try {
      const photo = path.join(dir, 'IMG_0009.JPG');
      fs.copyFileSync(path.join(shared, fs.readdirSync(shared).find((f) => f.endsWith('.JPEG'))!), photo);
      expect(await photoClipOf(photo)).toBeNull();
      fs.copyFileSync(sample, path.join(dir, 'IMG_0009.MOV'));
      expect(await photoClipOf(photo)).toMatchObject({ kind: 'live-photo', file: path.join(dir, 'IMG_0009.MOV') });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
