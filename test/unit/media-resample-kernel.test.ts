/**
 * The resampler's WebAssembly passes: the checked-in module is what the pinned compiler makes of
 * assembly/resample.ts, and they give the same bytes as the plain-JS port of Pillow (resample.ts,
 * itself pinned to Pillow by the golden hashes in media-preprocess.test.ts) for every channel
 * count, shrinking and enlarging, bicubic and bilinear, whole images and fractional boxes, on
 * real photos as well as on noise (noise reaches the clamps at 0 and 255).
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { compileKernel, KERNELS, renderModule } from '../../scripts/build-wasm.ts';
import { resample, type Box, type Raster } from '../../electron/engine/media/resample.ts';
import { resamplePasses } from '../../electron/engine/media/resample-kernel.ts';
import { mulberry32 as rng } from '../../scripts/random.ts';

function noise(width: number, height: number, channels: number, seed: number): Raster {
  const rnd = rng(seed);
  return { data: Uint8Array.from({ length: width * height * channels }, () => (rnd() < 0.1 ? 255 * Math.round(rnd()) : Math.floor(rnd() * 256))), width, height, channels };
}

function same(src: Raster, w: number, h: number, filter: 'bicubic' | 'bilinear', box?: Box): void {
  const js = resample(src, w, h, filter, box, { js: true });
  const simd = resample(src, w, h, filter, box);
  expect([simd.width, simd.height, simd.channels]).toEqual([js.width, js.height, js.channels]);
  // Compare as a whole first (fast), then say where it differs.
  if (Buffer.compare(Buffer.from(simd.data), Buffer.from(js.data)) !== 0) {
    const i = simd.data.findIndex((v, k) => v !== js.data[k]);
    expect(`byte ${i}: ${simd.data[i]}`).toBe(`byte ${i}: ${js.data[i]}`);
  }
}

describe('WebAssembly resample passes', () => {
  it('resample-wasm.ts is the compiled assembly/resample.ts (run npm run build:wasm after editing it)', async () => {
    expect(fs.readFileSync(KERNELS.resample.module, 'utf8')).toBe(renderModule(await compileKernel(KERNELS.resample), KERNELS.resample));
  }, 60_000);

  it('runs here (WebAssembly SIMD), so the comparisons below compare two implementations', () => {
    const src = noise(40, 30, 3, 1);
    const horiz = { ksize: 1, bounds: Int32Array.from({ length: 40 }, (_, i) => (i % 2 ? 1 : i >> 1)), weights: new Int32Array(20).fill(1 << 22) };
    expect(resamplePasses(src, 20, 30, horiz, null, 0, 30)).not.toBeNull();
  });

  it.each([1, 3, 4, 2])('gives the JS port\'s bytes for %i channel(s), shrinking and enlarging', (channels) => {
    const sizes: [number, number, number, number][] = [
      [500, 375, 224, 224], // a typical photo
      [375, 500, 224, 224],
      [909, 768, 224, 224],
      [106, 150, 224, 224], // enlarging both ways
      [411, 120, 224, 224], // shrinking one way, enlarging the other
      [224, 300, 224, 224], // vertical pass only
      [300, 224, 224, 224], // horizontal pass only
      [1, 1, 224, 224],
      [37, 23, 5, 7],
    ];
    for (const [i, [w, h, ow, oh]] of sizes.entries()) {
      const src = noise(w, h, channels, 10 * channels + i);
      same(src, ow, oh, 'bicubic');
      same(src, ow, oh, 'bilinear');
    }
  });

  it('gives the JS port\'s bytes with a fractional box (after a box reduce, as decode.ts uses it)', () => {
    const src = noise(673, 449, 3, 99);
    same(src, 224, 224, 'bicubic', [0, 0, 672.5, 448.25]);
    same(src, 224, 224, 'bicubic', [3.5, 1.25, 600, 440]);
  });

  it('gives the JS port\'s bytes on every real photo in ../shared/photos', async () => {
    const dir = path.resolve('../shared/photos');
    const files = fs.readdirSync(dir).filter((f) => /\.jpe?g$/i.test(f)).sort();
    expect(files.length).toBeGreaterThanOrEqual(50);
    for (const f of files) {
      const { data, info } = await sharp(path.join(dir, f)).raw().toBuffer({ resolveWithObject: true });
      same({ data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: info.channels }, 224, 224, 'bicubic');
    }
  });
});
