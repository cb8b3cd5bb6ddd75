/**
 * Thumbnails people look at: upright, colour-managed to sRGB (embedded ICC / CMYK profiles are
 * honoured, unlike the embedding path), transparency shown over white, JPEG quality 80.
 */
import { mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { openImage, runPipeline } from './source.ts';
import type { Raster } from './resample.ts';

const WHITE = { r: 255, g: 255, b: 255 };

/**
 * Write a thumbnail whose longer side is at most `maxSide` (never enlarged). The file appears
 * atomically: written to a temporary name in the same folder, then renamed, so a concurrent
 * reader or a crash never sees half a JPEG. Throws DecodeError for undecodable photos.
 */
export async function makeThumbnail(file: string, outFile: string, maxSide: number): Promise<void> {
  if (!Number.isInteger(maxSide) || maxSide <= 0) throw new RangeError(`invalid thumbnail size ${maxSide}`);
  const src = await openImage(file, { colourManaged: true });
  let img = src.image;
  if (src.hasAlpha) img = img.flatten({ background: WHITE });
  img = img
    .resize(maxSide, maxSide, { fit: 'inside', withoutEnlargement: true })
    .toColourspace('srgb')
    .jpeg({ quality: 80 });
  const jpeg = await runPipeline(file, () => img.toBuffer());
  await writeAtomically(outFile, jpeg);
}

/**
 * A thumbnail from decoded RGB pixels — a video's poster or a segment's frame (engine/video/frames.ts
 * `frameAt`), already upright and sRGB — written like a photo's: longer side at most `maxSide`,
 * JPEG quality 80, atomically.
 */
export async function makeThumbnailFromRaster(raster: Raster, outFile: string, maxSide: number): Promise<void> {
  if (!Number.isInteger(maxSide) || maxSide <= 0) throw new RangeError(`invalid thumbnail size ${maxSide}`);
  if (raster.channels !== 3 || raster.data.length !== raster.width * raster.height * 3) throw new RangeError('expected an RGB raster');
  const jpeg = await sharp(raster.data, { raw: { width: raster.width, height: raster.height, channels: 3 } })
    .resize(maxSide, maxSide, { fit: 'inside', withoutEnlargement: true })
    .jpeg({ quality: 80 })
    .toBuffer();
  await writeAtomically(outFile, jpeg);
}

/**
 * The tile shown for a photo that cannot be read now and has no thumbnail yet (its folder is
 * offline): a plain grey square, so the grid shows a tile (marked offline) instead of a broken image.
 */
export async function makePlaceholderThumbnail(outFile: string, side: number): Promise<void> {
  const jpeg = await sharp({ create: { width: side, height: side, channels: 3, background: { r: 214, g: 214, b: 210 } } })
    .jpeg({ quality: 80 })
    .toBuffer();
  await writeAtomically(outFile, jpeg);
}

async function writeAtomically(outFile: string, jpeg: Buffer): Promise<void> {
  await mkdir(path.dirname(outFile), { recursive: true });
  const tmp = `${outFile}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, jpeg);
    await rename(tmp, outFile);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}
