import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metadataFromExif, parseExifDate, readMetadata } from '../../electron/engine/media/metadata.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'media-meta-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const blank = () => sharp({ create: { width: 32, height: 24, channels: 3, background: '#336699' } });

describe('readMetadata', () => {
  it('reads capture time (with offset), camera and GPS written by a camera', async () => {
    const file = path.join(dir, 'camera.jpg');
    await blank()
      .jpeg()
      .withExif({
        IFD0: { Make: 'Canon', Model: 'Canon EOS R5' },
        IFD2: { DateTimeOriginal: '2023:05:04 13:14:15', OffsetTimeOriginal: '+08:00', DateTimeDigitized: '2020:01:01 00:00:00' },
        IFD3: { GPSLatitudeRef: 'S', GPSLatitude: '33/1 52/1 1234/100', GPSLongitudeRef: 'E', GPSLongitude: '151/1 12/1 3000/100' },
      })
      .toFile(file);
    const m = await readMetadata(file);
    expect(m.takenAt?.toISOString()).toBe('2023-05-04T05:14:15.000Z');
    expect(m.cameraMake).toBe('Canon');
    expect(m.cameraModel).toBe('Canon EOS R5');
    expect(m.gps?.lat).toBeCloseTo(-(33 + 52 / 60 + 12.34 / 3600), 9);
    expect(m.gps?.lon).toBeCloseTo(151 + 12 / 60 + 30 / 3600, 9);
  });

  it('carries the capture details in the same parse (the sub-second tells burst frames apart; libvips cannot write ImageUniqueID, see media-capture-details.test.ts)', async () => {
    const file = path.join(dir, 'burst-frame.jpg');
    await blank()
      .jpeg()
      .withExif({ IFD0: { Make: 'Google' }, IFD2: { DateTimeOriginal: '2023:05:04 13:14:15', SubSecTimeOriginal: '348' } })
      .toFile(file);
    expect((await readMetadata(file)).capture).toEqual({ subSecMs: 348, imageUniqueId: null, burstId: null });
  });

  it('falls back to the digitised date and reports orientation', async () => {
    const file = path.join(dir, 'scan.jpg');
    await blank()
      .jpeg()
      .withMetadata({ orientation: 6 })
      .withExif({ IFD0: { Model: 'ScanSnap ' }, IFD2: { DateTimeDigitized: '1999:12:31 23:59:58' } })
      .toFile(file);
    const m = await readMetadata(file);
    // No offset tag: the camera's wall-clock time, read as local time.
    expect(m.takenAt?.getTime()).toBe(new Date(1999, 11, 31, 23, 59, 58).getTime());
    expect(m.cameraModel).toBe('ScanSnap');
    expect(m.cameraMake).toBeNull();
    expect(m.gps).toBeNull();
    expect(m.orientation).toBe(6);
  });

  it('returns nulls for images without EXIF and for non-images; throws only for missing files', async () => {
    const png = path.join(dir, 'plain.png');
    await blank().png().toFile(png);
    const empty = { takenAt: null, cameraMake: null, cameraModel: null, gps: null, orientation: null, capture: { subSecMs: null, imageUniqueId: null, burstId: null } };
    expect(await readMetadata(png)).toEqual(empty);
    const text = path.join(dir, 'notes.jpg');
    writeFileSync(text, 'not a photo');
    expect(await readMetadata(text)).toEqual(empty);
    await expect(readMetadata(path.join(dir, 'missing.jpg'))).rejects.toThrow();
  });
});

describe('EXIF value parsing', () => {
  it('rejects unset and impossible dates', () => {
    expect(parseExifDate('0000:00:00 00:00:00')).toBeNull();
    expect(parseExifDate('2021:02:30 10:00:00')).toBeNull();
    expect(parseExifDate('    ')).toBeNull();
    expect(parseExifDate(20210101)).toBeNull();
    expect(parseExifDate('2021:02:03 04:05:06', '-05:00')?.toISOString()).toBe('2021-02-03T09:05:06.000Z');
  });

  it('ignores 0,0 GPS (no fix) and out-of-range coordinates; strips NUL padding', () => {
    const base = { GPSLatitudeRef: 'N', GPSLongitudeRef: 'E' };
    expect(metadataFromExif({ ...base, GPSLatitude: [0, 0, 0], GPSLongitude: [0, 0, 0] }).gps).toBeNull();
    expect(metadataFromExif({ ...base, GPSLatitude: [95, 0, 0], GPSLongitude: [10, 0, 0] }).gps).toBeNull();
    expect(metadataFromExif({ GPSLatitude: [39, 54, 0], GPSLatitudeRef: 'N', GPSLongitude: [116, 23, 0], GPSLongitudeRef: 'W' }).gps).toEqual({
      lat: 39.9,
      lon: -(116 + 23 / 60),
    });
    expect(metadataFromExif({ Make: 'NIKON CORPORATION\0\0', Orientation: 9 })).toMatchObject({ cameraMake: 'NIKON CORPORATION', orientation: null });
  });
});

describe('metadata of empty files', () => {
  it('returns empty metadata for a zero-byte file without leaving a file handle open', async () => {
    const { readMetadata } = await import('../../electron/engine/media/metadata.ts');
    const fsp = await import('node:fs/promises');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'shiguang-meta-'));
    const file = path.join(dir, 'zero.jpg');
    await fsp.writeFile(file, '');
    const before = (await fsp.readdir('/proc/self/fd').catch(() => [])).length;
    for (let i = 0; i < 20; i++) expect(await readMetadata(file)).toMatchObject({ takenAt: null, cameraMake: null, cameraModel: null, gps: null, orientation: null });
    const after = (await fsp.readdir('/proc/self/fd').catch(() => [])).length;
    expect(after - before).toBeLessThan(5);
    await fsp.rm(dir, { recursive: true, force: true });
  });
});
