/**
 * The video rules that need no decoder: ISO 6709 places, dates, ffprobe JSON → VideoProbe,
 * segment merging, Live Photo pairing, motion photos (on real Pixel and Samsung files from AndroidX
 * Media's test data, test/fixtures/video/README.md), container sniffing, finding the binaries.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseIso6709 } from '../../electron/engine/video/iso6709.ts';
import { parseProbe, parseVideoDate, type RawProbe } from '../../electron/engine/video/probe.ts';
import { mergeSegments } from '../../electron/engine/video/segments.ts';
import { isLivePhotoPair, livePhotoCandidates } from '../../electron/engine/video/live-photos.ts';
import { isoBmffLength, locateMotionPhotoVideo } from '../../electron/engine/video/motion-photo.ts';
import { isVideoPath, sniffVideoContainer } from '../../electron/engine/video/containers.ts';
import { locateTool, unpackedPath, VideoToolsMissingError } from '../../electron/engine/video/ffmpeg.ts';
import { MAX_PIPE_PIXELS, pipeSize, selectExpression } from '../../electron/engine/video/frames.ts';

const FIX = path.resolve('test/fixtures/video');
const read = (f: string) => new Uint8Array(fs.readFileSync(path.join(FIX, f)));

describe('ISO 6709 places', () => {
  it('reads what phones write (values from the fixtures: Android ©xyz, Apple ISO6709 with altitude)', () => {
    expect(parseIso6709('+40.680-074.500/')).toEqual({ latitude: 40.68, longitude: -74.5, altitude: null });
    expect(parseIso6709('+51.5334-000.1255+026.756/')).toEqual({ latitude: 51.5334, longitude: -0.1255, altitude: 26.756 });
    expect(parseIso6709('+40.6892-074.0445+10.000/')).toEqual({ latitude: 40.6892, longitude: -74.0445, altitude: 10 });
  });

  it('reads the degree-minute and degree-minute-second forms and a CRS suffix (ISO 6709 Annex H)', () => {
    const dm = parseIso6709('+4040.8-07430.0/')!;
    expect(dm.latitude).toBeCloseTo(40.68, 10);
    expect(dm.longitude).toBeCloseTo(-74.5, 10);
    const dms = parseIso6709('+404048-0743000/')!;
    expect(dms.latitude).toBeCloseTo(40 + 40 / 60 + 48 / 3600, 10);
    expect(parseIso6709('+35.36+138.73+3776CRSWGS_84/')).toEqual({ latitude: 35.36, longitude: 138.73, altitude: 3776 });
  });

  it('refuses what is not a place: garbage, out of range, and 0,0 written without a fix', () => {
    for (const bad of ['', 'hello', '+91.0+010.0/', '+10.0+181.0/', '+4060.0-07430.0/', '+00.0000+000.0000/', '40.68,-74.5']) {
      expect(parseIso6709(bad), bad).toBeNull();
    }
  });
});

describe('recording dates', () => {
  it('keeps the camera offset of Apple creationdate and reads UTC creation_time and Matroska dates', () => {
    expect(parseVideoDate('2023-05-09T12:41:46+0100')).toEqual({ ms: Date.UTC(2023, 4, 9, 11, 41, 46), offsetMin: 60 });
    expect(parseVideoDate('2016-05-31T17:01:35.000000Z')).toEqual({ ms: Date.UTC(2016, 4, 31, 17, 1, 35), offsetMin: null });
    expect(parseVideoDate('2016-05-31 17:01:35')).toEqual({ ms: Date.UTC(2016, 4, 31, 17, 1, 35), offsetMin: null });
    expect(parseVideoDate('2020-01-01T08:00:00-05:30')!.offsetMin).toBe(-330);
  });

  it('has no date for QuickTime zero dates and garbage', () => {
    expect(parseVideoDate('1904-01-01T00:00:00.000000Z')).toBeNull();
    expect(parseVideoDate('1970-01-01T00:00:00.000000Z')).toBeNull();
    expect(parseVideoDate('yesterday')).toBeNull();
    expect(parseVideoDate(undefined)).toBeNull();
  });
});

describe('ffprobe JSON → VideoProbe', () => {
  const stream = (extra: object) => ({ codec_type: 'video', codec_name: 'h264', width: 1920, height: 1080, r_frame_rate: '30/1', avg_frame_rate: '30/1', ...extra });

  it('turns the size for a quarter rotation, from the display matrix (ffprobe ≥ 5) or the rotate tag (older)', () => {
    const matrix = parseProbe({ streams: [stream({ side_data_list: [{ side_data_type: 'Display Matrix', rotation: -90 }] })], format: { duration: '3' } });
    expect(matrix.video).toMatchObject({ rotation: 90, width: 1080, height: 1920, codedWidth: 1920 });
    const tag = parseProbe({ streams: [stream({ tags: { rotate: '270' } })], format: { duration: '3' } });
    expect(tag.video).toMatchObject({ rotation: 270, width: 1080, height: 1920 });
    expect(parseProbe({ streams: [stream({ side_data_list: [{ rotation: 180 }] })] }).video).toMatchObject({ rotation: 180, width: 1920 });
  });

  it('counts Matroska frames from mkvmerge statistics instead of its 1 ms timebase (values of sample.mkv)', () => {
    const p = parseProbe({
      streams: [stream({ width: 1080, height: 720, r_frame_rate: '60/1', avg_frame_rate: '1000/1', tags: { NUMBER_OF_FRAMES: '30', DURATION: '00:00:00.967000000' } })],
      format: { format_name: 'matroska,webm', duration: '1.072000' },
    });
    expect(p.video!.frames).toBe(30);
    expect(p.video!.fps).toBeCloseTo(30 / 0.967, 6);
    expect(p.video!.variableFrameRate).toBe(true);
  });

  it('treats cover art as no picture (an audio file with an album image is audio-only)', () => {
    const p = parseProbe({ streams: [{ codec_type: 'audio', codec_name: 'aac' }, stream({ codec_name: 'mjpeg', disposition: { attached_pic: 1 } })], format: { duration: '200' } });
    expect(p.video).toBeNull();
    expect(p.audioCodec).toBe('aac');
  });

  it('reads place, make, model, Live Photo identifier and Android capture rate from the format tags', () => {
    const raw: RawProbe = {
      streams: [stream({})],
      format: {
        duration: '2.5',
        tags: {
          'com.apple.quicktime.location.ISO6709': '+31.2304+121.4737+004.000/',
          'com.apple.quicktime.make': 'Apple',
          'com.apple.quicktime.model': 'iPhone 15',
          'com.apple.quicktime.content.identifier': 'A1B2C3D4-0000-1111-2222-333344445555',
          'com.android.capture.fps': '240.000000',
          creation_time: '2024-02-12T19:16:55.000000Z',
        },
      },
    };
    const p = parseProbe(raw);
    expect(p.location).toEqual({ latitude: 31.2304, longitude: 121.4737, altitude: 4 });
    expect([p.make, p.model, p.contentIdentifier, p.captureFps]).toEqual(['Apple', 'iPhone 15', 'A1B2C3D4-0000-1111-2222-333344445555', 240]);
    expect(p.createdAtMs).toBe(Date.UTC(2024, 1, 12, 19, 16, 55));
  });
});

describe('segments', () => {
  const frames = (scores: number[], step = 2) => scores.map((score, i) => ({ t: i * step, score }));

  it('merges adjacent matching frames into one segment, ending at the next sample', () => {
    expect(mergeSegments(frames([0.1, 0.3, 0.35, 0.32, 0.1, 0.1]), { threshold: 0.25, intervalS: 2 })).toEqual([
      { start: 2, end: 8, bestTime: 4, score: 0.35 },
    ]);
  });

  it('keeps two appearances apart, best first, and bridges one dipping sample inside a scene', () => {
    const segs = mergeSegments(frames([0.3, 0.1, 0.1, 0.1, 0.4, 0.1, 0.1]), { threshold: 0.25, intervalS: 2 });
    expect(segs.map((s) => [s.start, s.end, s.score])).toEqual([[8, 10, 0.4], [0, 2, 0.3]]);
    // Scene-change frames come between the 2 s samples: gaps of 1 s still merge.
    const dip = mergeSegments([{ t: 0, score: 0.3 }, { t: 1, score: 0.1 }, { t: 2, score: 0.3 }], { threshold: 0.25, intervalS: 2, maxGapS: 2 });
    expect(dip).toHaveLength(1);
  });

  it('caps the last segment at the duration and returns nothing when nothing matches', () => {
    expect(mergeSegments(frames([0.1, 0.5]), { threshold: 0.25, intervalS: 2, durationS: 3 })).toEqual([{ start: 2, end: 3, bestTime: 2, score: 0.5 }]);
    expect(mergeSegments(frames([0.1, 0.2]), { threshold: 0.25, intervalS: 2 })).toEqual([]);
    expect(mergeSegments([], { threshold: 0, intervalS: 2 })).toEqual([]);
  });

  it('does not depend on the order frames arrive in', () => {
    const f = frames([0.1, 0.3, 0.35, 0.1, 0.5]);
    expect(mergeSegments([...f].reverse(), { threshold: 0.25, intervalS: 2 })).toEqual(mergeSegments(f, { threshold: 0.25, intervalS: 2 }));
  });
});

describe('Live Photos', () => {
  it('pairs a MOV with the HEIC or JPG of the same base name in the same folder, case-insensitively', () => {
    const files = ['/a/IMG_0001.HEIC', '/a/IMG_0001.MOV', '/a/IMG_0002.JPG', '/a/img_0002.mov', '/a/IMG_0003.MOV', '/b/IMG_0001.MOV', '/a/IMG_0004.HEIC', '/a/IMG_0004.JPG', '/a/IMG_0004.mp4'];
    expect(Object.fromEntries(livePhotoCandidates(files))).toEqual({
      '/a/IMG_0001.MOV': '/a/IMG_0001.HEIC',
      '/a/img_0002.mov': '/a/IMG_0002.JPG',
      '/a/IMG_0004.mp4': '/a/IMG_0004.HEIC',
    });
  });

  it('confirms by the content identifier when both have one, else by a Live Photo length', () => {
    expect(isLivePhotoPair({ videoContentId: 'ABC-1', photoContentId: 'abc-1', videoDurationS: 30 })).toBe(true);
    expect(isLivePhotoPair({ videoContentId: 'ABC-1', photoContentId: 'XYZ-2', videoDurationS: 3 })).toBe(false);
    expect(isLivePhotoPair({ videoContentId: null, photoContentId: null, videoDurationS: 2.9 })).toBe(true);
    expect(isLivePhotoPair({ videoContentId: 'ABC-1', photoContentId: null, videoDurationS: 45 })).toBe(false);
  });
});

describe('motion photos (real Pixel and Samsung files)', () => {
  it('finds the Pixel MP4 from the Container directory (Motion Photo format 1)', () => {
    const b = read('pixel-motion-photo-shortened.jpg');
    expect(locateMotionPhotoVideo(b)).toEqual({ offset: b.length - 8730, length: 8730, source: 'motion-photo-xmp' });
  });

  it('finds the Samsung MP4 from MicroVideoOffset, ending before the SEF trailer', () => {
    const b = read('ss-motion-photo-shortened.jpg');
    const v = locateMotionPhotoVideo(b)!;
    expect(v).toMatchObject({ offset: b.length - 2582, source: 'micro-video-xmp' });
    expect(Buffer.from(b.subarray(v.offset + v.length, v.offset + v.length + 4)).toString('latin1')).toBe('SEFH');
  });

  it('falls back to the Samsung trailer marker when the XMP is gone', () => {
    const b = Buffer.from(read('ss-motion-photo-shortened.jpg'));
    const stripped = Buffer.from(b.toString('latin1').replace('GCamera:MicroVideoOffset="2582"', 'GCamera:MicroVideoOffzet="2582"'), 'latin1');
    expect(locateMotionPhotoVideo(stripped)).toEqual({ offset: b.length - 2582, length: 2538, source: 'samsung-trailer' });
  });

  it('has no video when the XMP announces one that was cut off, and none in an ordinary photo', () => {
    expect(locateMotionPhotoVideo(read('pixel-motion-photo-video-removed-shortened.jpg'))).toBeNull();
    const photo = fs.readdirSync('../shared/photos').find((f) => /\.jpe?g$/i.test(f))!;
    expect(locateMotionPhotoVideo(new Uint8Array(fs.readFileSync(path.join('../shared/photos', photo))))).toBeNull();
    expect(locateMotionPhotoVideo(new Uint8Array(0))).toBeNull();
  });

  it('measures an MP4 by its boxes and stops at a box that runs past the end', () => {
    const mp4 = read('sample.mp4');
    expect(isoBmffLength(mp4, 0)).toBe(mp4.length);
    expect(isoBmffLength(mp4, 1)).toBe(0);
    expect(isoBmffLength(mp4.subarray(0, mp4.length - 10), 0)).toBeLessThan(mp4.length - 10);
    // A Samsung HEIC motion photo keeps its MP4 in an 'mpvd' box followed by a 'sefd' trailer box
    // (seen on a One UI 6 file): the trailer is not part of the MP4.
    const sefd = Buffer.concat([Buffer.from([0, 0, 0, 16]), Buffer.from('sefd', 'latin1'), Buffer.alloc(8)]);
    expect(isoBmffLength(Buffer.concat([mp4, sefd]), 0)).toBe(mp4.length);
  });
});

describe('which files are videos', () => {
  it('by name, for the scanner', () => {
    for (const f of ['a.mp4', 'B.MOV', 'c.m4v', 'd.3gp', 'e.mkv', 'f.webm', 'g.avi']) expect(isVideoPath(`/x/${f}`), f).toBe(true);
    for (const f of ['a.jpg', 'mp4', '/x.mp4/y', 'a.mp4.part']) expect(isVideoPath(f), f).toBe(false);
  });

  it('by content, before the decoder sees it (real files of each container)', () => {
    expect(sniffVideoContainer(read('sample.mp4'))).toBe('iso-bmff');
    expect(sniffVideoContainer(read('dolbyVision-hdr.MOV'))).toBe('iso-bmff');
    expect(sniffVideoContainer(read('bear-vp9.webm'))).toBe('matroska');
    expect(sniffVideoContainer(Buffer.from('RIFF\0\0\0\0AVI LIST'))).toBe('avi');
    expect(sniffVideoContainer(read('testvid_1022ms_000.png'))).toBeNull();
    expect(sniffVideoContainer(Buffer.from('#EXTM3U\nhttp://example.invalid/x.ts\n'))).toBeNull();
  });
});

describe('finding the decoder', () => {
  it('maps a path inside app.asar to the unpacked copy', () => {
    expect(unpackedPath('/opt/Shiguang/resources/app.asar/node_modules/@ffmpeg-installer/linux-x64/ffmpeg')).toBe(
      '/opt/Shiguang/resources/app.asar.unpacked/node_modules/@ffmpeg-installer/linux-x64/ffmpeg',
    );
    expect(unpackedPath('C:\\Shiguang\\resources\\app.asar\\node_modules\\x\\ffmpeg.exe')).toBe('C:\\Shiguang\\resources\\app.asar.unpacked\\node_modules\\x\\ffmpeg.exe');
    expect(unpackedPath('/home/me/shiguang/node_modules/x/ffmpeg')).toBe('/home/me/shiguang/node_modules/x/ffmpeg');
  });

  it("finds this platform's package binaries, and says which package is missing elsewhere", () => {
    expect(locateTool('ffmpeg', { env: {} })).toMatch(new RegExp(`@ffmpeg-installer[\\\\/]${process.platform}-${process.arch}[\\\\/]ffmpeg(\\.exe)?$`));
    expect(() => locateTool('ffprobe', { env: {}, platform: 'aix' as NodeJS.Platform, arch: 'ppc64' })).toThrow(/@ffprobe-installer\/aix-ppc64.*SHIGUANG_FFPROBE/);
  });

  it('prefers SHIGUANG_FFMPEG, and refuses one that is not an executable file', () => {
    const real = locateTool('ffmpeg', { env: {} });
    expect(locateTool('ffmpeg', { env: { SHIGUANG_FFMPEG: real } })).toBe(real);
    expect(() => locateTool('ffmpeg', { env: { SHIGUANG_FFMPEG: '/nonexistent/ffmpeg' } })).toThrow(VideoToolsMissingError);
  });
});

describe('sampling parameters', () => {
  it('keeps frames up to 4K whole and reduces 8K by an integer factor to within the pipe budget', () => {
    expect(pipeSize(1920, 1080)).toEqual({ width: 1920, height: 1080 });
    expect(pipeSize(3840, 2160)).toEqual({ width: 3840, height: 2160 });
    const k8 = pipeSize(7680, 4320);
    expect(k8.width * k8.height).toBeLessThanOrEqual(MAX_PIPE_PIXELS);
    expect(k8).toEqual({ width: 3840, height: 2160 });
  });

  it('selects the first frame, every interval, and scene changes after the minimum gap', () => {
    expect(selectExpression({ intervalS: 2, sceneThreshold: 0.3, minGapS: 0.5 })).toBe(
      'isnan(prev_selected_t)+gte(t-prev_selected_t\\,2)+gt(scene\\,0.3)*gte(t-prev_selected_t\\,0.5)',
    );
  });
});
