/**
 * The pixel fingerprint on real photos (../shared/photos) and the copies people make of them:
 * copies stay within the near-duplicate threshold, different photos stay outside it, the
 * indexer's path and the stand-alone path agree, and a blurred copy is less sharp.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeForModel, type PreprocessSpec } from '../../electron/engine/media/decode.ts';
import { fingerprintFile } from '../../electron/engine/media/fingerprint-file.ts';
import { fingerprintRaster, HASH_SIDE, laplacianVariance, phashOfPlane, resizeArea } from '../../electron/engine/media/fingerprint.ts';
import { DEFAULT_THRESHOLDS } from '../../electron/engine/stacks/relations.ts';
import { hammingDistance, parsePhash } from '../../electron/engine/stacks/phash.ts';

const PHOTOS = path.resolve('../shared/photos');
const GOLDEN = path.resolve('../shared/golden/images');
const photos = fs.readdirSync(PHOTOS).filter((f) => f.endsWith('.JPEG')).sort().map((f) => path.join(PHOTOS, f));
const T1 = DEFAULT_THRESHOLDS.nearHashDistance;
const SPEC: PreprocessSpec = { resolution: 224, mean: [0.48145466, 0.4578275, 0.40821073], std: [0.26862954, 0.26130258, 0.27577711], resize: 'bicubic' };

const dist = (a: string, b: string): number => hammingDistance(parsePhash(a), parsePhash(b));

/** Copies as phones, chat apps and converters make them (libvips' encoders). */
async function copies(file: string): Promise<Record<string, Buffer>> {
  const { data: png, info } = await sharp(file).rotate().png().toBuffer({ resolveWithObject: true });
  const { width, height } = info;
  const half = (q: number): Promise<Buffer> => sharp(png).resize(Math.round(width / 2), Math.round(height / 2)).jpeg({ quality: q }).toBuffer();
  const crop = (f: number): Promise<Buffer> => {
    const w = Math.round(width * (1 - f));
    const h = Math.round(height * (1 - f));
    return sharp(png).extract({ left: Math.floor((width - w) / 2), top: Math.floor((height - h) / 2), width: w, height: h }).jpeg({ quality: 90 }).toBuffer();
  };
  return {
    'resize-1/2': await half(90),
    'resize-1/4': await sharp(png).resize(Math.round(width / 4), Math.round(height / 4)).jpeg({ quality: 90 }).toBuffer(),
    'jpeg-q40': await sharp(png).jpeg({ quality: 40 }).toBuffer(),
    webp: await sharp(png).webp({ quality: 80 }).toBuffer(),
    png,
    wechat: await half(70),
    'crop-5%-centred': await crop(0.05),
  };
}

describe('pixel fingerprint on real photos', () => {
  it('keeps every copy of a photo within the near-duplicate distance', async () => {
    for (const file of photos.filter((_, i) => i % 5 === 0)) {
      const original = (await fingerprintFile(file)).phash;
      for (const [name, bytes] of Object.entries(await copies(file))) {
        const d = dist(original, (await fingerprintFile(bytes)).phash);
        expect(d, `${path.basename(file)} ${name}`).toBeLessThanOrEqual(T1);
      }
    }
  }, 120_000);

  it('keeps every pair of different photos beyond it', async () => {
    const hashes = await Promise.all(photos.map(async (f) => (await fingerprintFile(f)).phash));
    let closest = 64;
    for (let i = 0; i < hashes.length; i++) for (let j = i + 1; j < hashes.length; j++) closest = Math.min(closest, dist(hashes[i], hashes[j]));
    // Measured: 16 on these 50 photos (14 with 39 more public photos, docs/decisions/stacks.md).
    expect(closest).toBeGreaterThan(T1);
  }, 120_000);

  it('gives the same numbers while indexing (any model resolution) as on its own', async () => {
    const files = [...photos.slice(0, 6), ...fs.readdirSync(GOLDEN).map((f) => path.join(GOLDEN, f))];
    for (const file of files) {
      const alone = await fingerprintFile(file);
      const indexed = await decodeForModel(file, SPEC, { fingerprint: true });
      expect(indexed.fingerprint, path.basename(file)).toEqual(alone);
      const at336 = await decodeForModel(file, { ...SPEC, resolution: 336 }, { fingerprint: true });
      expect(dist(at336.fingerprint!.phash, alone.phash), path.basename(file)).toBeLessThanOrEqual(2);
      expect(alone.phash).toMatch(/^[0-9a-f]{16}$/);
    }
    // Not asked for: nothing computed.
    expect((await decodeForModel(photos[0], SPEC)).fingerprint).toBeUndefined();
  }, 120_000);

  it('scores a blurred or shaken copy as less sharp than the original', async () => {
    for (const file of photos.filter((_, i) => i % 10 === 3)) {
      const { data: png } = await sharp(file).rotate().png().toBuffer({ resolveWithObject: true });
      const sharpOne = (await fingerprintFile(png)).sharpness;
      const blurred = (await fingerprintFile(await sharp(png).blur(1.5).png().toBuffer())).sharpness;
      // Motion blur: a horizontal 7-pixel box, as a shaken hand gives.
      const shaken = (await fingerprintFile(await sharp(png).convolve({ width: 7, height: 3, kernel: [...Array(7).fill(0), ...Array(7).fill(1), ...Array(7).fill(0)] }).png().toBuffer())).sharpness;
      expect(blurred, path.basename(file)).toBeLessThan(sharpOne * 0.7);
      expect(shaken, path.basename(file)).toBeLessThan(sharpOne * 0.7);
    }
  }, 60_000);
});

describe('fingerprint arithmetic', () => {
  it('area-averages exactly and hashes a flat image without crashing', () => {
    const p = { data: Float32Array.from([0, 10, 20, 30, 40, 50]), width: 3, height: 2 };
    expect(Array.from(resizeArea(p, 1, 1).data)[0]).toBeCloseTo(25, 5);
    expect(Array.from(resizeArea(p, 3, 1).data)).toEqual([15, 25, 35]);
    const flat = { data: new Float32Array(HASH_SIDE * HASH_SIDE).fill(128), width: HASH_SIDE, height: HASH_SIDE };
    expect(phashOfPlane(flat)).toMatch(/^[0-9a-f]{16}$/);
    expect(laplacianVariance(flat)).toBe(0);
    expect(fingerprintRaster({ data: new Uint8Array(3), width: 1, height: 1, channels: 3 }).sharpness).toBe(0);
  });
});
