/**
 * The embedding path against the official Chinese-CLIP preprocessing (shared/golden/preprocess.json).
 *
 * Tolerance: 8×8 pooled values within 0.02 and channel means within 0.01 of the golden. That is
 * tighter than the drift the goldens record for torch's antialiased bicubic (which CLIP users treat
 * as equivalent), and in practice the port of Pillow's resampler matches exactly for images that
 * are not pre-shrunk. Goldens with alpha (RGBA, palette + tRNS) are excluded by design: we composite
 * over white instead of exposing hidden colours. synth_gray16.png records a Pillow 9.4 clipping
 * artefact (all white); it is compared with the correctly scaled image instead.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeForModel, preprocess, toNormalisedChw, type PreprocessSpec } from '../../electron/engine/media/decode.ts';
import { tensorStats, type TensorStats } from '../../electron/engine/media/stats.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const GOLDEN = path.resolve(repoRoot, '../shared/golden');
const PHOTOS = path.resolve(repoRoot, '../shared/photos');

interface GoldenImage {
  file: string;
  decoded: { mode: string; size_wh: [number, number] };
  exif_orientation: number | null;
  resized_rgb_u8_sha256: string;
  mean: number[];
  std: number[];
  pool8x8: number[][][];
  samples: { c: number; y: number; x: number; v: number }[];
  diagnostics: { exif_transposed_stats?: { mean: number[]; std: number[] }; exif_transposed_pool8x8?: number[][][] };
}
const golden = JSON.parse(readFileSync(path.join(GOLDEN, 'preprocess.json'), 'utf8')) as {
  meta: { mean: [number, number, number]; std: [number, number, number] };
  images: GoldenImage[];
};
const spec: PreprocessSpec = { resolution: 224, mean: golden.meta.mean, std: golden.meta.std, resize: 'bicubic' };

const POOL_TOL = 0.02;
const MEAN_TOL = 0.01;
const WITH_ALPHA = new Set(['RGBA', 'LA', 'PA', 'P']); // the palette golden carries tRNS transparency
const ARTEFACTS = new Set(['synth_gray16.png']);

function maxDiff(a: TensorStats, ref: { mean: number[]; pool8x8: number[][][] }): { pool: number; mean: number } {
  let pool = 0;
  let mean = 0;
  for (let c = 0; c < 3; c++) {
    mean = Math.max(mean, Math.abs(a.mean[c] - ref.mean[c]));
    for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) pool = Math.max(pool, Math.abs(a.pool8x8[c][y][x] - ref.pool8x8[c][y][x]));
  }
  return { pool, mean };
}

/** EXIF-rotated goldens are compared with the upright figures the goldens provide. */
function reference(im: GoldenImage): { mean: number[]; pool8x8: number[][][] } {
  const d = im.diagnostics;
  if (im.exif_orientation && im.exif_orientation !== 1) {
    expect(d.exif_transposed_stats && d.exif_transposed_pool8x8, `${im.file}: transposed figures`).toBeTruthy();
    return { mean: d.exif_transposed_stats!.mean, pool8x8: d.exif_transposed_pool8x8! };
  }
  return im;
}

const compared = golden.images.filter((im) => !WITH_ALPHA.has(im.decoded.mode) && !ARTEFACTS.has(im.file));

describe('preprocess vs official goldens', () => {
  it('covers the goldens it should', () => {
    expect(compared.map((im) => im.file)).toEqual(expect.arrayContaining(['synth_cmyk.jpg', 'synth_exif6.jpg', 'n02096051_Airedale.JPEG', 'synth_wide_4000x300.png']));
    expect(compared.length).toBe(golden.images.length - 3);
  });

  it.each(compared.map((im) => [im.file, im] as const))('%s within tolerance', async (_name, im) => {
    const { tensor, width, height } = await preprocess(path.join(GOLDEN, 'images', im.file), spec);
    const rotated = (im.exif_orientation ?? 1) >= 5;
    expect([width, height]).toEqual(rotated ? [...im.decoded.size_wh].reverse() : im.decoded.size_wh);
    const d = maxDiff(tensorStats(tensor, 224), reference(im));
    expect(d.pool).toBeLessThanOrEqual(POOL_TOL);
    expect(d.mean).toBeLessThanOrEqual(MEAN_TOL);
  });

  // Losslessly stored goldens do not depend on the JPEG decoder, so the Pillow port must match
  // the official resized bytes exactly (the 4000-px one via the exact path: by default it is
  // box-reduced first, which the tolerance test above covers).
  it.each(['synth_gray.png', 'synth_tiny_1x1.png', 'synth_wide_4000x300.png'])('%s is bit-identical to the official resize', async (file) => {
    const im = golden.images.find((g) => g.file === file)!;
    const { rgb } = await decodeForModel(path.join(GOLDEN, 'images', file), spec, { exact: true });
    expect(createHash('sha256').update(rgb).digest('hex')).toBe(im.resized_rgb_u8_sha256);
    const chw = toNormalisedChw(rgb, spec);
    for (const s of im.samples) expect(chw[s.c * 224 * 224 + s.y * 224 + s.x]).toBeCloseTo(s.v, 6);
  });

  it('scales 16-bit greyscale instead of clipping it like Pillow 9.4', async () => {
    const file = path.join(GOLDEN, 'images', 'synth_gray16.png');
    const { data, info } = await sharp(file).toColourspace('grey16').raw({ depth: 'ushort' }).toBuffer({ resolveWithObject: true });
    const u16 = new Uint16Array(data.buffer, data.byteOffset, data.length / 2);
    const u8 = Uint8Array.from(u16, (v) => Math.round(v / 257));
    const eightBit = await sharp(u8, { raw: { width: info.width, height: info.height, channels: 1 } }).png().toBuffer();
    const ours = tensorStats((await preprocess(file, spec)).tensor, 224);
    const expected = tensorStats((await preprocess(eightBit, spec)).tensor, 224);
    const d = maxDiff(ours, expected);
    expect(d.pool).toBeLessThanOrEqual(0.005);
    expect(d.mean).toBeLessThanOrEqual(0.005);
    // The golden is a constant white tensor; the real image has a full tonal range.
    expect(Math.min(...ours.std)).toBeGreaterThan(0.3);
  });

  it('composites transparency over white; opaque pixels are unchanged', async () => {
    const im = golden.images.find((g) => g.file === 'synth_rgba_alpha.png')!;
    const file = path.join(GOLDEN, 'images', im.file);
    const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
    expect(info.channels).toBe(4);
    // Reference: the same pixels blended over white by hand, as an opaque RGB image.
    const rgb = new Uint8Array(info.width * info.height * 3);
    for (let i = 0; i < info.width * info.height; i++) {
      const a = data[i * 4 + 3] / 255;
      for (let c = 0; c < 3; c++) rgb[i * 3 + c] = Math.round(data[i * 4 + c] * a + 255 * (1 - a));
    }
    const flat = await sharp(rgb, { raw: { width: info.width, height: info.height, channels: 3 } }).png().toBuffer();
    const ours = await decodeForModel(file, spec);
    const expected = await decodeForModel(flat, spec);
    let worst = 0;
    for (let i = 0; i < ours.rgb.length; i++) worst = Math.max(worst, Math.abs(ours.rgb[i] - expected.rgb[i]));
    // libvips blends in float and truncates; a level or two after resizing.
    expect(worst).toBeLessThanOrEqual(2);
    // And it really differs from the official alpha-dropping output there.
    expect(maxDiff(tensorStats(toNormalisedChw(ours.rgb, spec), 224), im).pool).toBeGreaterThan(0.1);
  });
});

describe('pre-shrink of large photos', () => {
  let dir: string;
  let jpeg: string;
  let png: string;

  // A 2400×1800 mosaic of 1:1 crops of real photos: natural pixel-level detail, unlike an upscale.
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'media-big-'));
    const files = readdirSync(PHOTOS).filter((f) => f.endsWith('.JPEG')).sort().slice(0, 25).map((f) => path.join(PHOTOS, f));
    expect(files.length).toBe(25);
    const tiles = [];
    for (let i = 0; i < 25; i++) {
      const m = await sharp(files[i]).metadata();
      const tile = m.width >= 480 && m.height >= 360
        ? sharp(files[i]).extract({ left: (m.width - 480) >> 1, top: (m.height - 360) >> 1, width: 480, height: 360 })
        : sharp(files[i]).resize(480, 360, { fit: 'fill' });
      tiles.push({ input: await tile.toBuffer(), left: (i % 5) * 480, top: Math.floor(i / 5) * 360 });
    }
    const raw = await sharp({ create: { width: 2400, height: 1800, channels: 3, background: '#777' } }).composite(tiles).raw().toBuffer();
    jpeg = path.join(dir, 'big.jpg');
    png = path.join(dir, 'big.png');
    await sharp(raw, { raw: { width: 2400, height: 1800, channels: 3 } }).jpeg({ quality: 92 }).toFile(jpeg);
    await sharp(raw, { raw: { width: 2400, height: 1800, channels: 3 } }).png({ compressionLevel: 1 }).toFile(png);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // JPEG: decoded at 1/2 scale by libjpeg (measured pool Δ ≈ 0.012, mean Δ ≈ 0.004 here; up to
  // the golden tolerance on other content, see decode.ts). PNG: box reduce only (≈ 0.001).
  it.each([
    ['big.jpg', POOL_TOL, MEAN_TOL],
    ['big.png', 0.005, 0.002],
  ])('%s: the fast path stays within tolerance of the exact path', async (name, poolTol, meanTol) => {
    const file = path.join(dir, name);
    const fast = tensorStats((await preprocess(file, spec)).tensor, 224);
    const exact = tensorStats((await preprocess(file, spec, { exact: true })).tensor, 224);
    const d = maxDiff(fast, exact);
    expect(d.pool).toBeLessThanOrEqual(poolTol);
    expect(d.mean).toBeLessThanOrEqual(meanTol);
  });
});
