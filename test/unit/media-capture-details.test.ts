/**
 * Capture details from EXIF written by libvips/libexif (sharp's withExif) into real photos, and
 * Apple's MakerNote layout. The MakerNote parser was checked against a real iPhone 7 HEIC
 * (immich-app/test-assets formats/heic/IMG_2682.heic: ImageUniqueID 9B4585D7-…, as exiftool
 * reads it); that file is not shipped here, so the layout is rebuilt below.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { APPLE_BURST_UUID, APPLE_IMAGE_UNIQUE_ID, appleMakerNoteText, captureDetailsFromExif, readCaptureDetails, subSecMs } from '../../electron/engine/media/capture-details.ts';

const PHOTO = path.resolve('../shared/photos/n01440764_tench.JPEG');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-capture-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** An Apple MakerNote with the given ASCII tags, laid out as iPhones write it. */
function appleNote(tags: [number, string][]): Uint8Array {
  const header = Buffer.from('Apple iOS\0\0\x01MM', 'latin1');
  const ifd = Buffer.alloc(2 + tags.length * 12 + 4);
  ifd.writeUInt16BE(tags.length, 0);
  const values: Buffer[] = [];
  let offset = header.length + ifd.length;
  tags.forEach(([tag, value], i) => {
    const bytes = Buffer.from(`${value}\0`, 'latin1');
    const e = 2 + i * 12;
    ifd.writeUInt16BE(tag, e);
    ifd.writeUInt16BE(2, e + 2);
    ifd.writeUInt32BE(bytes.length, e + 4);
    if (bytes.length <= 4) bytes.copy(ifd, e + 8);
    else {
      ifd.writeUInt32BE(offset, e + 8);
      values.push(bytes);
      offset += bytes.length;
    }
  });
  return new Uint8Array(Buffer.concat([header, ifd, ...values]));
}

describe('capture details', () => {
  it('reads the sub-second a camera wrote', async () => {
    const file = path.join(tmp, 'shot.jpg');
    await sharp(PHOTO)
      .withExif({ IFD0: { Make: 'samsung', Model: 'SM-S906U' }, IFD2: { DateTimeOriginal: '2024:01:12 21:38:53', SubSecTimeOriginal: '853' } })
      .jpeg()
      .toFile(file);
    expect(await readCaptureDetails(file)).toEqual({ subSecMs: 853, imageUniqueId: null, burstId: null });
  });

  it('takes the EXIF ImageUniqueID, as exifr reads it (libvips cannot write that tag)', () => {
    // The value a Samsung SM-S906U wrote (immich-app/test-assets samsung-one-ui-6.heic).
    expect(captureDetailsFromExif({ ImageUniqueID: 'O10XSOD00CM\0', SubSecTimeOriginal: '853' })).toEqual({ subSecMs: 853, imageUniqueId: 'O10XSOD00CM', burstId: null });
    expect(captureDetailsFromExif(undefined)).toEqual({ subSecMs: null, imageUniqueId: null, burstId: null });
  });

  it('gives nulls for a photo without EXIF and for a file that is not an image', async () => {
    expect(await readCaptureDetails(PHOTO)).toEqual({ subSecMs: null, imageUniqueId: null, burstId: null });
    const junk = path.join(tmp, 'junk.jpg');
    fs.writeFileSync(junk, 'not a photo at all');
    expect(await readCaptureDetails(junk)).toEqual({ subSecMs: null, imageUniqueId: null, burstId: null });
    expect(await readCaptureDetails(path.join(tmp, 'missing.jpg'))).toEqual({ subSecMs: null, imageUniqueId: null, burstId: null });
  });

  it('reads an iPhone burst id and unique id from the MakerNote', () => {
    const note = appleNote([[0x0001, 'x'], [APPLE_BURST_UUID, 'F3A1C0DE-1111-4222-8333-944455556666'], [APPLE_IMAGE_UNIQUE_ID, '9B4585D7-AE5A-4679-B098-C883D2289C22']]);
    expect(appleMakerNoteText(note, APPLE_BURST_UUID)).toBe('F3A1C0DE-1111-4222-8333-944455556666');
    expect(captureDetailsFromExif({ makerNote: note, SubSecTimeOriginal: '5' })).toEqual({
      subSecMs: 500,
      imageUniqueId: '9B4585D7-AE5A-4679-B098-C883D2289C22',
      burstId: 'F3A1C0DE-1111-4222-8333-944455556666',
    });
    // Other makers' notes, truncated notes: nothing, no error.
    expect(appleMakerNoteText(new Uint8Array(Buffer.from('Nikon\0\x02\x10\0\0MM\0*\0\0\0\x08', 'latin1')), APPLE_BURST_UUID)).toBeNull();
    expect(appleMakerNoteText(note.subarray(0, 30), APPLE_BURST_UUID)).toBeNull();
  });

  it('reads sub-seconds as a decimal fraction', () => {
    expect([subSecMs('348'), subSecMs('5'), subSecMs('123456'), subSecMs(' 07 '), subSecMs('x'), subSecMs(null)]).toEqual([348, 500, 123, 70, null, null]);
  });
});
