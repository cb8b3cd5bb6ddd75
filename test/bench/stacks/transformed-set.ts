/**
 * The "same picture" side of the calibration: real photos and what people's copies of them look
 * like — resized, recompressed, converted, slightly cropped, sent through WeChat — made with
 * sharp (libvips), i.e. the same encoders a phone or a desktop tool uses. A few transforms people
 * may also call "the same photo" but that a perceptual hash is not meant to match (a screenshot of
 * the photo in a viewer, a mirror image, a quarter turn) are made too, to report where the line is.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';

export interface Variant {
  /** Transform name, e.g. 'jpeg-q60'. */
  name: string;
  bytes: Buffer;
  /** Whether the near-duplicate kind is meant to find it. */
  expected: boolean;
}

const FORMATS = /\.(jpe?g|png|webp|heic|avif|tiff?)$/i;

/** Image files under a folder (recursive), sorted. */
export function listImages(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (FORMATS.test(e.name)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** Crop `fraction` of each dimension of an upright image: centred, or all from the right and bottom. */
function crop(buf: Buffer, width: number, height: number, fraction: number, centred: boolean): Promise<Buffer> {
  const w = Math.round(width * (1 - fraction));
  const h = Math.round(height * (1 - fraction));
  const left = centred ? Math.floor((width - w) / 2) : 0;
  const top = centred ? Math.floor((height - h) / 2) : 0;
  return sharp(buf).extract({ left, top, width: w, height: h }).jpeg({ quality: 90 }).toBuffer();
}

async function upright(src: Buffer): Promise<{ buf: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(src).rotate().png().toBuffer({ resolveWithObject: true });
  return { buf: data, width: info.width, height: info.height };
}

/** The photo as a phone screenshot of a viewer: fitted into 1080×2340 on black, as a PNG. */
async function screenshot(src: Buffer): Promise<Buffer> {
  const fitted = await sharp(src).rotate().resize(1080, 2000, { fit: 'inside' }).toBuffer();
  return sharp({ create: { width: 1080, height: 2340, channels: 3, background: { r: 0, g: 0, b: 0 } } })
    .composite([{ input: fitted, gravity: 'centre' }])
    .png()
    .toBuffer();
}

export async function variantsOf(file: string): Promise<Variant[]> {
  const src = fs.readFileSync(file);
  const { buf, width, height } = await upright(src);
  const scaled = (f: number, q: number): Promise<Buffer> =>
    sharp(buf).resize(Math.max(1, Math.round(width * f)), Math.max(1, Math.round(height * f))).jpeg({ quality: q }).toBuffer();
  const v = async (name: string, bytes: Promise<Buffer>, expected = true): Promise<Variant> => ({ name, bytes: await bytes, expected });
  return Promise.all([
    v('copy', Promise.resolve(src)),
    v('resize-1/2', scaled(0.5, 90)),
    v('resize-1/4', scaled(0.25, 90)),
    v('jpeg-q95', sharp(buf).jpeg({ quality: 95 }).toBuffer()),
    v('jpeg-q75', sharp(buf).jpeg({ quality: 75 }).toBuffer()),
    v('jpeg-q60', sharp(buf).jpeg({ quality: 60 }).toBuffer()),
    v('jpeg-q40', sharp(buf).jpeg({ quality: 40 }).toBuffer()),
    v('png', Promise.resolve(buf)),
    v('webp-q80', sharp(buf).webp({ quality: 80 }).toBuffer()),
    // WeChat's ordinary send: halved (long side ≤ 1280 on big photos), recompressed, EXIF gone.
    v('wechat', scaled(Math.min(0.5, 1280 / Math.max(width, height)), 70)),
    v('crop-2%', crop(buf, width, height, 0.02, true)),
    v('crop-5%', crop(buf, width, height, 0.05, true)),
    v('crop-10%', crop(buf, width, height, 0.1, true)),
    v('crop-2%-edge', crop(buf, width, height, 0.02, false)),
    v('crop-5%-edge', crop(buf, width, height, 0.05, false)),
    v('crop-10%-edge', crop(buf, width, height, 0.1, false)),
    v('screenshot', screenshot(src), false),
    v('mirror', sharp(buf).flop().jpeg({ quality: 90 }).toBuffer(), false),
    v('rotate-90', sharp(buf).rotate(90).jpeg({ quality: 90 }).toBuffer(), false),
  ]);
}
