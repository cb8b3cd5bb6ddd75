/**
 * Videos in a photo library, as a person meets them, with the toy-colors model (the image tower
 * sees colours, the text tower colour words): a folder holding a 12-second clip that is red, then
 * blue, then green (made by Debian's ffmpeg), real clips from AndroidX Media's test data (H.264,
 * HEVC, VP9, AV1, H.263, an iPhone HDR clip), Live Photo pairs, a Pixel motion photo and bad
 * input. Index, search by words and by image, filters, moves, files still being copied, and no
 * decoder process left behind.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../electron/engine/engine.ts';
import { createLogger } from '../../electron/engine/util/log.ts';
import type { PhotoHit } from '../../electron/shared/api.ts';
import { writeColourPhoto, writeColourSet } from '../../scripts/fixtures/colour-photos.ts';
import { makeClip, truncatedCopy } from '../../scripts/fixtures/video-clips.ts';
import { childProcesses } from '../unit/video-helpers.ts';
import { until } from '../support/wait.ts';

const models = process.env.SHIGUANG_TEST_MODELS ?? path.resolve('.cache/test-models');
const fixtures = path.resolve('test/fixtures/video');
const sharedPhotos = path.resolve('../shared/photos');
const ffmpegReady = process.env.SHIGUANG_SYSTEM_FFMPEG === 'ok' || fs.existsSync('/usr/bin/ffmpeg');

/** An hour ago: a file that has stopped changing (the pass reads nothing modified in the last QUIET_MS). */
function settle(file: string): void {
  const t = Date.now() / 1000 - 3600;
  fs.utimesSync(file, t, t);
}

function copy(src: string, dst: string): string {
  fs.mkdirSync(path.dirname(dst), { recursive: true });
  fs.copyFileSync(src, dst);
  settle(dst);
  return dst;
}

const videoHits = (hits: PhotoHit[], name: string) => hits.filter((h) => h.fileName === name);

describe.skipIf(!ffmpegReady)('videos in the library (toy-colors model)', () => {
  let tmp: string;
  let lib: string;
  let engine: Engine;
  const open = (video = {}, passes: 'background' | 'on-demand' = 'on-demand'): Promise<Engine> =>
    Engine.open({
      dbPath: path.join(tmp, 'db', 'library.db'),
      modelDir: path.join(models, 'toy-colors'),
      session: { threads: 1 },
      watcher: { debounceMs: 150, removalGraceMs: 3000, writeStableMs: 200 },
      video,
      passes,
      logger: createLogger('test', 'error'),
    });
  const index = async (): Promise<void> => {
    await engine.indexFolders([lib]);
    await engine.passes.runAll({ only: ['videos', 'places'] });
  };
  const row = (rel: string) => engine.lib.photos.getByPath(path.join(lib, rel));

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-videos-'));
    lib = path.join(tmp, 'library');
    await writeColourSet(path.join(lib, 'photos'), ['red', 'blue', 'green'], 2);
    copy(makeClip('rgb-12s.mp4'), path.join(lib, 'clips', 'rgb.mp4'));
    for (const f of ['sample.mp4', 'h265_bframes.mp4', 'bear-vp9.webm', 'sample_av1.mp4', 'bbb_176x144_128kbps_15fps_h263.3gp', 'dolbyVision-hdr.MOV']) {
      copy(path.join(fixtures, f), path.join(lib, 'real', f));
    }
    // A WebM named .mp4: the decoder goes by content.
    copy(path.join(fixtures, 'bear-vp9.webm'), path.join(lib, 'real', 'bear-named-wrong.mp4'));
    // Live Photos: a 1-second clip beside a JPG of the same name is part of the photo; a 12-second
    // video that happens to share a photo's name stays a video.
    const aJpeg = fs.readdirSync(sharedPhotos).find((f) => f.endsWith('.JPEG'))!;
    copy(path.join(sharedPhotos, aJpeg), path.join(lib, 'iphone', 'IMG_0001.JPG'));
    copy(path.join(fixtures, 'sample.mp4'), path.join(lib, 'iphone', 'IMG_0001.MOV'));
    copy(path.join(sharedPhotos, aJpeg), path.join(lib, 'iphone', 'IMG_0002.JPG'));
    copy(makeClip('rgb-12s.mp4'), path.join(lib, 'iphone', 'IMG_0002.mov'));
    // A Pixel motion photo: one photo (its MP4 is inside it).
    copy(path.join(fixtures, 'pixel-motion-photo-shortened.jpg'), path.join(lib, 'pixel', 'PXL_motion.jpg'));
    // Bad input.
    const bad = path.join(lib, 'bad');
    fs.mkdirSync(bad, { recursive: true });
    fs.writeFileSync(path.join(bad, 'zero.mp4'), Buffer.alloc(0));
    copy(path.join(sharedPhotos, aJpeg), path.join(bad, 'photo-named.mp4'));
    fs.writeFileSync(path.join(bad, 'notes.mov'), '这不是视频 — just text\n');
    copy(path.join(fixtures, 'sample_audio_only.mp4'), path.join(bad, 'audio-only.mp4'));
    truncatedCopy(makeClip('moov-last.mp4'), 0.5, path.join(bad, 'cut.mp4'));
    for (const f of fs.readdirSync(bad)) settle(path.join(bad, f));
    engine = await open();
  }, 300_000);

  afterAll(async () => {
    await engine?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  afterEach(() => {
    // Every decoder the engine started is gone once its work is done, whatever happened to it.
    expect(childProcesses().filter((p) => /ffmpeg|ffprobe/.test(p))).toEqual([]);
  });

  it('indexes videos as items; broken ones are skipped with their reason; Live Photo clips and motion photos are not videos', async () => {
    await index();
    const v = engine.library.videoCounts();
    // rgb, 6 real clips, the WebM named .mp4, IMG_0002.mov; 5 bad ones skipped.
    expect(v).toEqual({ indexed: 9, pending: 0, skipped: 5 });
    expect(row('iphone/IMG_0001.MOV')).toBeUndefined();
    expect(row('iphone/IMG_0002.mov')?.kind).toBe('video');
    expect(row('pixel/PXL_motion.jpg')).toMatchObject({ kind: 'photo', status: 'indexed' });
    const skipped = Object.fromEntries(engine.library.skipped(100, 0).map((s) => [path.basename(s.path), s.reason]));
    expect(skipped['zero.mp4']).toMatch(/^empty-file/);
    expect(skipped['photo-named.mp4']).toMatch(/^not-a-video: .*JPEG/);
    expect(skipped['notes.mov']).toMatch(/^not-a-video/);
    expect(skipped['audio-only.mp4']).toMatch(/^audio-only/);
    expect(skipped['cut.mp4']).toMatch(/^truncated/);
    // What the probe said is on the row, for time-and-place: the iPhone clip upright, its place and local time.
    const iphone = row('real/dolbyVision-hdr.MOV')!;
    expect(iphone).toMatchObject({ status: 'indexed', width: 720, height: 1280, takenAtSource: 'exif' });
    expect(iphone.gpsLat).toBeCloseTo(51.5334, 3);
    expect(iphone.gpsLon).toBeCloseTo(-0.1255, 3);
    expect(new Date(iphone.takenAt!).toISOString()).toBe('2023-05-09T11:41:46.000Z');
    expect(row('clips/rgb.mp4')).toMatchObject({ status: 'indexed', durationS: 12, width: 640, height: 360 });
    // The places pass takes videos too, from their GPS (the iPhone clip was recorded in London).
    expect(engine.lib.places.ofPhoto(iphone.id).map((r) => r.placeId)).toContain('GB');
    const status = await engine.status();
    expect(status.videos).toEqual(v);
    expect(status.passes.find((p) => p.name === 'videos')).toMatchObject({ done: 9, failed: 5, pending: 0, waiting: null });
  });

  it('红色, 蓝色, 绿色 each find the clip at the right segment, once, beside the photos of that colour', async () => {
    const expected = { 红色: { start: 0, end: 3 }, 蓝色: { start: 3, end: 7 }, 绿色: { start: 7, end: 12 } } as const;
    for (const [query, segment] of Object.entries(expected)) {
      const res = await engine.search.text(query, 20);
      const clip = videoHits(res.hits, 'rgb.mp4');
      expect(clip, query).toHaveLength(1);
      expect(clip[0]).toMatchObject({ kind: 'video', durationS: 12, segment: { ...segment, bestTime: segment.start } });
      // It ranks with the photos of that colour, ahead of every photo of another colour.
      const colour = { 红色: 'red', 蓝色: 'blue', 绿色: 'green' }[query]!;
      const firstOther = res.hits.findIndex((h) => h.kind === 'photo' && !h.fileName.startsWith(colour) && h.path.includes(`${path.sep}photos${path.sep}`));
      // (The list may end before any: the relevance boundary.)
      if (firstOther !== -1) expect(res.hits.indexOf(clip[0]!)).toBeLessThan(firstOther);
      expect(res.hits.filter((h) => h.fileName.startsWith(colour)).length).toBe(2);
    }
  });

  it('filters apply to videos: kind, folder, dates', async () => {
    const onlyVideos = await engine.search.text('红色', 50, { kind: 'video' });
    expect(onlyVideos.hits.length).toBeGreaterThan(0);
    expect(onlyVideos.hits.every((h) => h.kind === 'video' && h.segment)).toBe(true);
    // Said in the query: 视频 is read as the kind (query understanding), the words left find the moment.
    const said = await engine.search.text('蓝色的视频', 50);
    expect(said.parsed?.kind).toBe('video');
    expect(said.hits.every((h) => h.kind === 'video')).toBe(true);
    expect(videoHits(said.hits, 'rgb.mp4')[0]?.segment).toMatchObject({ start: 3, end: 7 });
    const onlyPhotos = await engine.search.text('红色', 50, { kind: 'photo' });
    expect(onlyPhotos.hits.some((h) => h.kind === 'video')).toBe(false);
    expect(onlyPhotos.hits.length).toBeGreaterThan(0);
    const inReal = await engine.search.text('红色', 50, { folder: path.join(lib, 'real') });
    expect(inReal.hits.every((h) => h.path.startsWith(path.join(lib, 'real') + path.sep))).toBe(true);
    expect(videoHits(inReal.hits, 'rgb.mp4')).toEqual([]);
    // The iPhone clip was recorded on 2023-05-09 (its creationdate); the rgb clip's date is its file time.
    const may2023 = await engine.search.text('红色', 50, { after: '2023-05-01', before: '2023-05-31' });
    expect(may2023.hits.map((h) => h.fileName)).toContain('dolbyVision-hdr.MOV');
    expect(may2023.hits.every((h) => h.takenAt!.startsWith('2023-05'))).toBe(true);
    // Browsing with the kind lists videos newest first.
    const browse = engine.library.browse({ kind: 'video' }, 50);
    expect(browse.hits.length).toBe(9);
    expect(browse.hits.every((h) => h.kind === 'video')).toBe(true);
  });

  it('an image finds the segment that looks like it; a video moment finds what looks like it', async () => {
    const blue = path.join(tmp, 'query-blue.png');
    await writeColourPhoto(blue, 'blue', 77);
    const byImage = await engine.search.similarToImage(fs.readFileSync(blue), 20);
    const clip = videoHits(byImage.hits, 'rgb.mp4');
    expect(clip).toHaveLength(1);
    expect(clip[0]!.segment).toMatchObject({ start: 3, end: 7 });
    const rgb = row('clips/rgb.mp4')!;
    // From the green moment: the green photos and the other copy's green moment come first; the
    // clip's own green segment is not a result.
    const fromGreen = await engine.search.similar(rgb.id, 20, {}, undefined, 8);
    const top = fromGreen.hits.filter((h) => h.score > 0.99).map((h) => `${h.fileName}${h.segment ? `@${h.segment.start}` : ''}`);
    expect(top.sort()).toEqual(['IMG_0002.mov@7', 'green-1.jpg', 'green-2.jpg']);
    expect(videoHits(fromGreen.hits, 'rgb.mp4').some((h) => h.segment!.start === 7)).toBe(false);
    // From a photo: the video's matching moment is among the results.
    const red1 = row('photos/red-1.jpg')!;
    const fromPhoto = await engine.search.similar(red1.id, 20);
    expect(videoHits(fromPhoto.hits, 'rgb.mp4')[0]?.segment).toMatchObject({ start: 0, end: 3 });
  });

  it('pages through photos and segments without repeating or skipping one', async () => {
    const all = await engine.search.text('绿色', 200);
    const paged: PhotoHit[] = [];
    let cursor: string | undefined;
    do {
      const page = await engine.search.text('绿色', 3, {}, cursor);
      paged.push(...page.hits);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    const key = (h: PhotoHit) => `${h.id}@${h.segment?.start ?? ''}`;
    expect(paged.map(key)).toEqual(all.hits.map(key));
    expect(new Set(paged.map(key)).size).toBe(paged.length);
  });

  it("serves a segment's frame and the video's poster from the thumbnail cache", async () => {
    const rgb = row('clips/rgb.mp4')!;
    const poster = await engine.media.mediaFile(rgb.id, 'thumb');
    const blueFrame = await engine.media.mediaFile(rgb.id, 'frame', 5000);
    expect(poster).not.toBe(blueFrame);
    for (const f of [poster, blueFrame]) expect(fs.readFileSync(f).subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    // A moment between two samples is the nearest stored frame.
    expect(await engine.media.mediaFile(rgb.id, 'frame', 5400)).toBe(blueFrame);
    // Lost from the cache: decoded again from the video.
    fs.rmSync(blueFrame);
    expect(await engine.media.mediaFile(rgb.id, 'frame', 5000)).toBe(blueFrame);
    expect(fs.existsSync(blueFrame)).toBe(true);
    expect(await engine.media.mediaFile(rgb.id, 'original')).toBe(path.join(lib, 'clips', 'rgb.mp4'));
  });

  it('a moved and renamed video keeps its row and frames: nothing is decoded again', async () => {
    const before = row('clips/rgb.mp4')!;
    const frames = engine.lib.videoFrames(engine.vectors.model).framesOf(before.id);
    fs.mkdirSync(path.join(lib, 'moved'));
    fs.renameSync(path.join(lib, 'clips', 'rgb.mp4'), path.join(lib, 'moved', 'colours.mp4'));
    const s = await engine.indexFolders([lib]);
    expect(s).toMatchObject({ moved: 1, added: 0, removed: 0 });
    expect(engine.videos.counts().pending).toBe(0);
    const after = row('moved/colours.mp4')!;
    expect(after).toMatchObject({ id: before.id, status: 'indexed', kind: 'video' });
    expect(engine.lib.videoFrames(engine.vectors.model).framesOf(after.id)).toEqual(frames);
    const res = await engine.search.text('蓝色', 20);
    expect(videoHits(res.hits, 'colours.mp4')[0]?.segment).toMatchObject({ start: 3, end: 7 });
  });

  it('a Live Photo clip whose photo appears later stops being a video; deleting the photo makes it one again', async () => {
    fs.rmSync(path.join(lib, 'iphone', 'IMG_0001.JPG'));
    await index();
    expect(row('iphone/IMG_0001.MOV')).toMatchObject({ kind: 'video', status: 'indexed' });
    copy(path.join(lib, 'iphone', 'IMG_0002.JPG'), path.join(lib, 'iphone', 'IMG_0001.JPG'));
    await index();
    expect(row('iphone/IMG_0001.MOV')).toBeUndefined();
  });

  it('a video still being copied is not skipped: it waits, and is read once it has stopped changing', async () => {
    // One-shot index: a fresh file is left pending (QUIET_MS), never skipped as truncated.
    const partial = path.join(lib, 'incoming', 'copying.mp4');
    fs.mkdirSync(path.dirname(partial), { recursive: true });
    const bytes = fs.readFileSync(path.join(fixtures, 'sample.mp4'));
    fs.writeFileSync(partial, bytes.subarray(0, bytes.length >> 1));
    await index();
    expect(row('incoming/copying.mp4')).toMatchObject({ kind: 'video', status: 'pending', skipReason: null });
    fs.appendFileSync(partial, bytes.subarray(bytes.length >> 1));
    settle(partial);
    await index();
    expect(row('incoming/copying.mp4')).toMatchObject({ status: 'indexed', durationS: expect.closeTo(1.067, 2) });
  });

  it('under watch: a video copied in pieces is indexed once the copy stops, with no further event', async () => {
    await engine.close();
    // Longer than the watcher's last event and the rescan after the burst (~1 s) take: only the
    // pass's own retry (ctx.retryAfter) can pick the video up.
    engine = await open({ quietMs: 6000 }, 'background');
    await engine.watch();
    const src = fs.readFileSync(makeClip('rgb-12s.mp4'));
    const dst = path.join(lib, 'incoming', 'from-phone.mp4');
    const fd = fs.openSync(dst, 'w');
    for (let i = 0; i < 4; i++) {
      fs.writeSync(fd, src.subarray((i * src.length) >> 2, ((i + 1) * src.length) >> 2));
      await new Promise((r) => setTimeout(r, 300));
    }
    fs.closeSync(fd);
    await until(() => row('incoming/from-phone.mp4')?.status === 'indexed', 'the copied video to be indexed');
    expect(row('incoming/from-phone.mp4')?.skipReason).toBeNull();
    await until(async () => (await engine.search.text('绿色', 30)).hits.some((h) => h.fileName === 'from-phone.mp4' && h.segment?.start === 7), 'the new video to be searchable');
  }, 240_000);
});
