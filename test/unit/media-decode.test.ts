/**
 * Decoding photos of every supported container into the model's RGB input, and failing cleanly
 * (DecodeError with a reason) on files that are not decodable photos. Fixtures are generated into
 * a temporary folder; the one HEIC is embedded below because sharp's prebuilt libvips cannot
 * encode HEVC.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import sharp, { type Sharp } from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DecodeError, decodeForModel, toNormalisedChw, type PreprocessSpec } from '../../electron/engine/media/decode.ts';

// 64×48 HEIC (x265 via libheif's heif-enc, quality 80) of the same four quadrants as `quadrants()`.
const TINY_HEIC_BASE64 = [
  'AAAAHGZ0eXBoZWljAAAAAG1pZjFoZWljbWlhZgAAAa1tZXRhAAAAAAAAACFoZGxyAAAAAAAAAABwaWN0AAAAAAAAAAAAAAAAAAAA',
  'AA5waXRtAAAAAAACAAAAEGlkYXQAAAAAAEAAMAAAADhpbG9jAQAAAERAAAIAAQAAAAAAAAHRAAEAAAAAAAABIwACAAEAAAAAAAAA',
  'AQAAAAAAAAAIAAAAOGlpbmYAAAAAAAIAAAAVaW5mZQIAAAEAAQAAaHZjMQAAAAAVaW5mZQIAAAAAAgAAZ3JpZAAAAADYaXBycAAA',
  'ALZpcGNvAAAAdmh2Y0MBA3AAAAAAAAAAAAAe8AD8/fj4AAAPAyAAAQAYQAEMAf//A3AAAAMAkAAAAwAAAwAeugJAIQABACpCAQED',
  'cAAAAwCQAAADAAADAB6gIIEFlurkprm4EBAwIAAAAwAgAAADACEiAAEABkQBwXPAiQAAABRpc3BlAAAAAAAAAEAAAABAAAAAFGlz',
  'cGUAAAAAAAAAQAAAADAAAAAQcGl4aQAAAAADCAgIAAAAGmlwbWEAAAAAAAAAAgABAoECAAICA4QAAAAaaXJlZgAAAAAAAAAOZGlt',
  'ZwACAAEAAQAAASttZGF0AAABHygBrwT4QTGZv/TL///z412X6faltxtLTsceB9G7SX69Q//41BOIEFUf7GvOpIVhEqMhf6KkDWor',
  'By77CGyIkMbu7D/8lUaqnTNPu7uO6uPOet+uQOMP5sA1f/VayL81QP/caL/898AEiIdYW/wg/YeuF/+ZOjD+qzev3srn0JcX2dfU',
  'rwM/S+zrxhIoa/3rkaj1CONoSgpAaZW9kZmQpTTChwIJ14sS+H7k17R+AMBm1OUli2/IKKAulpTre/Ih7v1Xj0NV9M9KBIsLbD8o',
  'KYFffEI3N/GxMYEMp/ZEUlzn1+cQM6PtoPELxh7OMTUIv++Ven2TnwNgzYU13Pw/D28fgZC82cg4n74f8X8T3f/okdItb6sTnW0M',
  'HjXOrdCY',
].join('');

const W = 64;
const H = 48;
const TL = [220, 30, 30];
const TR = [30, 200, 40];
const BL = [30, 40, 220];
const BR = [240, 240, 240];

/** Four flat quadrants: easy to recognise after any codec, and orientation-sensitive. */
function quadrants(w = W, h = H): Buffer {
  const px = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const c = y < h / 2 ? (x < w / 2 ? TL : TR) : x < w / 2 ? BL : BR;
      px.set(c, (y * w + x) * 3);
    }
  }
  return px;
}
const raw = (w = W, h = H) => sharp(quadrants(w, h), { raw: { width: w, height: h, channels: 3 } });

const R = 32;
const spec: PreprocessSpec = { resolution: R, mean: [0, 0, 0], std: [1, 1, 1], resize: 'bicubic' };

/** RGB at the centre of each quadrant of the R×R output. */
function corners(rgb: Uint8Array): number[][] {
  const at = (x: number, y: number) => Array.from(rgb.subarray((y * R + x) * 3, (y * R + x) * 3 + 3));
  return [at(R / 4, R / 4), at((3 * R) / 4, R / 4), at(R / 4, (3 * R) / 4), at((3 * R) / 4, (3 * R) / 4)];
}

function expectColours(rgb: Uint8Array, expected: number[][], tol: number): void {
  const got = corners(rgb);
  for (let q = 0; q < 4; q++) {
    for (let c = 0; c < 3; c++) expect(Math.abs(got[q][c] - expected[q][c]), `quadrant ${q} channel ${c}: ${got[q]}`).toBeLessThanOrEqual(tol);
  }
}

let dir: string;
const file = (name: string) => path.join(dir, name);

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'media-decode-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('decodeForModel formats', () => {
  const cases: [string, (s: Sharp) => Sharp, string, number][] = [
    ['photo.jpg', (s) => s.jpeg({ quality: 95 }), 'jpeg', 12],
    ['photo.png', (s) => s.png(), 'png', 0],
    ['photo.webp', (s) => s.webp({ quality: 95 }), 'webp', 16],
    ['photo.gif', (s) => s.gif(), 'gif', 12],
    ['photo.tiff', (s) => s.tiff({ compression: 'lzw' }), 'tiff', 0],
    ['photo.avif', (s) => s.avif({ quality: 90 }), 'avif', 20],
  ];
  it.each(cases)('%s', async (name, encode, format, tol) => {
    await encode(raw()).toFile(file(name));
    const d = await decodeForModel(file(name), spec);
    expect(d).toMatchObject({ width: W, height: H, format });
    expect(d.rgb.length).toBe(R * R * 3);
    expectColours(d.rgb, [TL, TR, BL, BR], tol);
  });

  it('HEIC through heic-decode, recognised by content even when named .jpg', async () => {
    const bytes = Buffer.from(TINY_HEIC_BASE64, 'base64');
    expect(bytes.subarray(4, 12).toString('latin1')).toBe('ftypheic');
    writeFileSync(file('iphone.heic'), bytes);
    writeFileSync(file('renamed.jpg'), bytes);
    for (const input of [file('iphone.heic'), file('renamed.jpg'), bytes]) {
      const d = await decodeForModel(input, spec);
      expect(d).toMatchObject({ width: W, height: H, format: 'heic' });
      expectColours(d.rgb, [TL, TR, BL, BR], 12);
    }
  });

  it('animated GIF: first frame only', async () => {
    const frame2 = Buffer.alloc(W * H * 3, 0);
    const both = Buffer.concat([quadrants(), frame2]);
    await sharp(both, { raw: { width: W, height: 2 * H, channels: 3, pageHeight: H } }).gif().toFile(file('anim.gif'));
    const d = await decodeForModel(file('anim.gif'), spec);
    expect(d).toMatchObject({ width: W, height: H, format: 'gif' });
    expectColours(d.rgb, [TL, TR, BL, BR], 12);
  });

  it('applies EXIF orientation (6 = rotate 90° clockwise)', async () => {
    await raw().jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toFile(file('rot6.jpg'));
    const d = await decodeForModel(file('rot6.jpg'), spec);
    expect([d.width, d.height]).toEqual([H, W]);
    // Rotating clockwise moves bottom-left to top-left, top-left to top-right, and so on.
    expectColours(d.rgb, [BL, TL, BR, TR], 12);
  });

  it('greyscale becomes R = G = B', async () => {
    await raw().greyscale().png().toFile(file('grey.png'));
    const d = await decodeForModel(file('grey.png'), spec);
    let coloured = 0;
    for (let i = 0; i < d.rgb.length; i += 3) if (d.rgb[i + 1] !== d.rgb[i] || d.rgb[i + 2] !== d.rgb[i]) coloured++;
    expect(coloured).toBe(0);
    expect(new Set(d.rgb).size).toBeGreaterThan(2);
  });

  it('transparent pixels become white, opaque ones keep their colour', async () => {
    const rgba = Buffer.alloc(W * H * 4);
    const rgb = quadrants();
    for (let i = 0; i < W * H; i++) {
      rgba.set(rgb.subarray(i * 3, i * 3 + 3), i * 4);
      // Left half fully transparent (hiding its colour), right half opaque.
      rgba[i * 4 + 3] = i % W < W / 2 ? 0 : 255;
    }
    await sharp(rgba, { raw: { width: W, height: H, channels: 4 } }).png().toFile(file('alpha.png'));
    const d = await decodeForModel(file('alpha.png'), spec);
    const white = [255, 255, 255];
    expectColours(d.rgb, [white, TR, white, BR], 1);
  });

  it('16-bit RGB is scaled, not clipped', async () => {
    await raw().toColourspace('rgb16').png().toFile(file('deep.png'));
    const d = await decodeForModel(file('deep.png'), spec);
    expectColours(d.rgb, [TL, TR, BL, BR], 1);
  });
});

describe('decodeForModel failures', () => {
  function crc32(b: Uint8Array): number {
    let c = ~0;
    for (const x of b) {
      c ^= x;
      for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
    }
    return ~c >>> 0;
  }
  function chunk(type: string, data: Buffer): Buffer {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  }
  /** A valid PNG structure whose header claims width × height: the decoder must refuse before allocating. */
  function pngClaiming(width: number, height: number): Buffer {
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(width, 0);
    ihdr.writeUInt32BE(height, 4);
    ihdr[8] = 8; // bit depth
    ihdr[9] = 2; // RGB
    const oneRow = deflateSync(Buffer.alloc(1 + width * 3));
    return Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', ihdr),
      chunk('IDAT', oneRow),
      chunk('IEND', Buffer.alloc(0)),
    ]);
  }

  async function failure(input: string | Buffer): Promise<DecodeError> {
    try {
      await decodeForModel(input, spec);
    } catch (err) {
      expect(err).toBeInstanceOf(DecodeError);
      return err as DecodeError;
    }
    throw new Error('expected decodeForModel to fail');
  }

  it('zero-byte file → empty-file', async () => {
    writeFileSync(file('empty.jpg'), '');
    const err = await failure(file('empty.jpg'));
    expect(err.reason).toBe('empty-file');
    expect(err.message).toContain('empty.jpg');
    expect((await failure(Buffer.alloc(0))).reason).toBe('empty-file');
  });

  it('first half of a real JPEG → truncated', async () => {
    const whole = await raw(640, 480).jpeg({ quality: 90 }).toBuffer();
    writeFileSync(file('half.jpg'), whole.subarray(0, whole.length >> 1));
    const err = await failure(file('half.jpg'));
    expect(err.reason).toBe('truncated');
    expect(err.message).toMatch(/half\.jpg.*truncated/);
  });

  it('text file named .jpg → not-an-image', async () => {
    writeFileSync(file('notes.jpg'), 'shopping list: rice, tofu, tea\n');
    const err = await failure(file('notes.jpg'));
    expect(err.reason).toBe('not-an-image');
    expect(err.message).toContain('notes.jpg');
  });

  it('PNG header claiming 100000×100000 → too-large, without decoding', async () => {
    writeFileSync(file('bomb.png'), pngClaiming(100_000, 100_000));
    const err = await failure(file('bomb.png'));
    expect(err.reason).toBe('too-large');
    // Just over the 200 MP limit is refused too; this one is under sharp's own default limit.
    expect((await failure(pngClaiming(15_000, 14_000))).reason).toBe('too-large');
  });

  it('truncated PNG → truncated; BMP → unsupported-format; missing file → unreadable', async () => {
    const png = await raw(300, 200).png().toBuffer();
    expect((await failure(png.subarray(0, png.length >> 1))).reason).toBe('truncated');
    const bmpHeader = Buffer.concat([Buffer.from('BM', 'latin1'), Buffer.alloc(60)]);
    expect((await failure(bmpHeader)).reason).toBe('unsupported-format');
    expect((await failure(file('does-not-exist.jpg'))).reason).toBe('unreadable');
  });

  it('corrupt HEIC → decode-failed', async () => {
    const bytes = Buffer.from(TINY_HEIC_BASE64, 'base64');
    const err = await failure(bytes.subarray(0, 200));
    expect(err.reason).toBe('decode-failed');
  });
});

describe('toNormalisedChw', () => {
  it('maps HWC uint8 to planar (v/255 − mean)/std', () => {
    const s: PreprocessSpec = { resolution: 2, mean: [0.5, 0.25, 0], std: [0.5, 0.25, 2], resize: 'bicubic' };
    const rgb = Uint8Array.from([255, 0, 51, 0, 255, 102, 255, 255, 255, 0, 0, 0]);
    const t = toNormalisedChw(rgb, s);
    expect(Array.from(t.subarray(0, 4))).toEqual([1, -1, 1, -1]);
    expect(Array.from(t.subarray(4, 8))).toEqual([-1, 3, 3, -1]);
    expect(Array.from(t.subarray(8, 12)).map((v) => +v.toFixed(6))).toEqual([0.1, 0.2, 0.5, 0]);
    expect(() => toNormalisedChw(rgb.subarray(3), s)).toThrow(RangeError);
  });
});
