import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DecodeError, decodeForModel } from '../../electron/engine/media/decode.ts';
import { makeThumbnail } from '../../electron/engine/media/thumbnail.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'media-thumb-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Left half red, right half blue. */
function halves(w: number, h: number): Sharp {
  const px = Buffer.alloc(w * h * 3);
  for (let i = 0; i < w * h; i++) px.set(i % w < w / 2 ? [200, 20, 20] : [20, 20, 200], i * 3);
  return sharp(px, { raw: { width: w, height: h, channels: 3 } });
}

async function pixel(file: string, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  const i = (y * info.width + x) * info.channels;
  return Array.from(data.subarray(i, i + 3));
}

describe('makeThumbnail', () => {
  it('writes an upright JPEG no larger than maxSide, atomically', async () => {
    const src = path.join(dir, 'rotated.jpg');
    await halves(400, 300).jpeg().withMetadata({ orientation: 6 }).toFile(src);
    const out = path.join(dir, 'cache', 'ab', 'rotated.jpg');
    await makeThumbnail(src, out, 160);
    const meta = await sharp(out).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 120, height: 160 });
    expect(meta.orientation ?? 1).toBe(1);
    // Rotated clockwise: the red left half is now on top.
    const top = await pixel(out, 60, 10);
    expect(top[0]).toBeGreaterThan(150);
    expect(top[2]).toBeLessThan(80);
    expect(readdirSync(path.dirname(out))).toEqual(['rotated.jpg']); // no temporary left behind
  });

  it('never enlarges small photos', async () => {
    const src = path.join(dir, 'small.png');
    await halves(50, 40).png().toFile(src);
    const out = path.join(dir, 'small-thumb.jpg');
    await makeThumbnail(src, out, 384);
    expect(await sharp(out).metadata()).toMatchObject({ width: 50, height: 40 });
  });

  it('colour-manages to sRGB for display, while the embedding path ignores the profile', async () => {
    // A saturated red stored as Display P3 numbers: P3's wider gamut makes them less extreme than
    // the sRGB numbers of the same colour. The model gets the stored numbers (as in training); a
    // person gets the colour converted to sRGB.
    const src = path.join(dir, 'p3.jpg');
    const px = Buffer.alloc(64 * 64 * 3);
    for (let i = 0; i < 64 * 64; i++) px.set([230, 40, 40], i * 3);
    await sharp(px, { raw: { width: 64, height: 64, channels: 3 } }).withIccProfile('p3').jpeg({ quality: 98 }).toFile(src);
    const { data: storedPx } = await sharp(src, { ignoreIcc: true }).raw().toBuffer({ resolveWithObject: true });
    const stored = Array.from(storedPx.subarray(0, 3));
    expect(stored[0]).toBeLessThan(220); // the profile really changed the numbers

    const out = path.join(dir, 'p3-thumb.jpg');
    await makeThumbnail(src, out, 64);
    const shown = await pixel(out, 32, 32);
    const { rgb } = await decodeForModel(src, { resolution: 8, mean: [0, 0, 0], std: [1, 1, 1], resize: 'bicubic' });
    const embedded = Array.from(rgb.subarray(0, 3));
    for (let c = 0; c < 3; c++) expect(Math.abs(embedded[c] - stored[c])).toBeLessThanOrEqual(1);
    expect(Math.abs(shown[0] - 230)).toBeLessThanOrEqual(4);
    expect(Math.abs(shown[1] - 40)).toBeLessThanOrEqual(6);
  });

  it('throws DecodeError and writes nothing for a non-image', async () => {
    const src = path.join(dir, 'fake.jpg');
    await import('node:fs/promises').then((fs) => fs.writeFile(src, 'not a photo'));
    const out = path.join(dir, 'none', 'fake.jpg');
    await expect(makeThumbnail(src, out, 100)).rejects.toBeInstanceOf(DecodeError);
    expect(() => readdirSync(path.dirname(out))).toThrow();
  });
});
