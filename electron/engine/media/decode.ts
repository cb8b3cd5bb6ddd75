/**
 * Photo → model input. Reproduces the official Chinese-CLIP transform
 * (`Resize((R, R), BICUBIC)` in the decoded mode → `convert('RGB')` → `ToTensor` → `Normalize`)
 * with these deliberate differences, each pinned by the media tests:
 *
 * - EXIF orientation is applied (the official code ignores it; people expect upright matches).
 * - Alpha is composited over white before resizing. For opaque images this changes nothing; for
 *   transparent regions it shows what viewers show instead of whatever colour hides under
 *   alpha = 0 (the official `convert('RGB')` drops alpha and exposes it). White is also how
 *   common web-dataset tooling (img2dataset) mattes transparent images.
 * - 16-bit images are scaled to 8 bits (Pillow 9.4 clips 16-bit greyscale to white).
 * - Palette images are resized bicubically after expansion (Pillow resizes palettes nearest).
 * - Big photos are first reduced (JPEG shrink-on-load, then a box reduce, like Pillow's
 *   `reducing_gap`); Pillow's resampler (ported, resample.ts) does the rest. Below that size the
 *   result is bit-identical to the official pipeline for the same decoded pixels.
 *
 * Kept as in the official pipeline: no ICC colour management (the model never saw it), and CMYK
 * converted with Pillow's naive formula rather than a profile (see cmykToRgb).
 */
import { reduceBox, resample, type Box, type Raster } from './resample.ts';

export type { Raster } from './resample.ts';
import { openImage, runPipeline } from './source.ts';
import { DecodeError } from './errors.ts';
import { fingerprintRaster, type PixelFingerprint } from './fingerprint.ts';

export { DecodeError, type DecodeFailureReason } from './errors.ts';

export interface PreprocessSpec {
  resolution: number;
  mean: [number, number, number];
  std: [number, number, number];
  resize: 'bicubic' | 'bilinear';
}

export interface DecodeOptions {
  /**
   * Skip the libvips pre-shrink and resample the full-resolution pixels (slower on big photos;
   * used to measure what the pre-shrink costs in accuracy).
   */
  exact?: boolean;
  /**
   * Also compute the pixel fingerprint (perceptual hash, sharpness; fingerprint.ts) from the
   * decoded raster: a few ms (+4 % of the decode, measured) instead of a second decode.
   */
  fingerprint?: boolean;
}

export interface DecodedForModel {
  /** Interleaved RGB, resolution × resolution × 3. */
  rgb: Uint8Array;
  /** Upright size of the original. */
  width: number;
  height: number;
  format: string;
  /** Only when asked for (DecodeOptions.fingerprint). */
  fingerprint?: PixelFingerprint;
}

/**
 * Big photos are brought down before Pillow's kernel pass, which then still has ≥ 2–3 source
 * pixels per output pixel to antialias over. JPEGs decode at 1/2, 1/4 or 1/8 scale when at least
 * JPEG_SHRINK_FACTOR × R per side remains: a 12 MP JPEG then costs ~60 ms of CPU instead of ~350.
 * Anything still over BOX_REDUCE_FACTOR × R per side is box-reduced in JS.
 *
 * The price, measured on 12 MP / 4 MP mosaics of real photos against the exact path: 8×8 pools
 * differ by 0.005–0.02 and channel means by up to 0.01 (about 0.7 of a level: libjpeg's scaled
 * IDCT clips less than the full one), i.e. at most the golden tolerance and comparable to using
 * Pillow's bilinear instead of bicubic. The box reduce alone stays under 0.002.
 */
export const JPEG_SHRINK_FACTOR = 2;
export const BOX_REDUCE_FACTOR = 3;

/**
 * Target size that makes sharp decode a JPEG at 1/f scale (f = 8, 4 or 2) and leaves libvips only
 * a small (f+1)/f reduce. sharp picks shrink-on-load f when the overall shrink is ≥ f but halves it
 * when ⌊shrink⌋ = f, hence the f+1. Only shrink-on-load is wanted from libvips: its own 2× box
 * shrink rounds half up in each pass and brightens noisy images by up to half a level.
 */
function jpegShrinkOnLoadTarget(width: number, height: number, minSide: number): { width: number; height: number } | null {
  for (const f of [8, 4, 2]) {
    const w = Math.floor(width / (f + 1));
    const h = Math.floor(height / (f + 1));
    if (w >= minSide && h >= minSide) return { width: w, height: h };
  }
  return null;
}

const WHITE = { r: 255, g: 255, b: 255 };

function checkSpec(spec: PreprocessSpec): void {
  if (!Number.isInteger(spec.resolution) || spec.resolution <= 0 || spec.resolution > 4096) {
    throw new RangeError(`invalid model resolution ${spec.resolution}`);
  }
}

/**
 * Pillow 9.4's CMYK → RGB (Convert.c cmyk2rgb): channel = (255 − C)·(255 − K)/255 with its
 * rounding. No ICC profile: the official pipeline and so the model's training used this.
 */
function cmykToRgb(px: Uint8Array): Uint8Array {
  const n = px.length / 4;
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const nk = 255 - px[i * 4 + 3];
    for (let c = 0; c < 3; c++) {
      const t = px[i * 4 + c] * nk + 128;
      out[i * 3 + c] = nk - (((t >> 8) + t) >> 8);
    }
  }
  return out;
}

function greyToRgb(px: Uint8Array): Uint8Array {
  const out = new Uint8Array(px.length * 3);
  for (let i = 0; i < px.length; i++) out[i * 3] = out[i * 3 + 1] = out[i * 3 + 2] = px[i];
  return out;
}

function toRgb(img: Raster): Uint8Array {
  switch (img.channels) {
    case 3: return img.data;
    case 1: return greyToRgb(img.data);
    case 4: return cmykToRgb(img.data);
    // e.g. CMYK with an alpha channel: too rare to be worth a conversion path.
    default: throw new DecodeError('unsupported-format', `images with ${img.channels} channels are not supported`);
  }
}

export async function decodeForModel(input: string | Buffer, spec: PreprocessSpec, options: DecodeOptions = {}): Promise<DecodedForModel> {
  checkSpec(spec);
  const R = spec.resolution;
  const src = await openImage(input, { colourManaged: false });
  let img = src.image;
  if (src.hasAlpha) img = img.flatten({ background: WHITE });

  const shrinkTo = options.exact || src.format !== 'jpeg' || src.space === 'cmyk' || !src.shrinkOnLoad
    ? null
    : jpegShrinkOnLoadTarget(src.width, src.height, JPEG_SHRINK_FACTOR * R);
  if (shrinkTo) img = img.resize(shrinkTo.width, shrinkTo.height, { fit: 'fill', kernel: 'cubic' });
  // Keep the decoded mode, as the official pipeline resizes before converting to RGB: grey stays
  // one channel, CMYK stays CMYK (otherwise sharp would convert it through a CMYK profile).
  if (src.space === 'cmyk') img = img.pipelineColourspace('cmyk').toColourspace('cmyk');
  else if (src.space === 'b-w' || src.space === 'grey16') img = img.toColourspace('b-w');
  else img = img.toColourspace('srgb');

  const { data, info } = await runPipeline(input, () => img.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true }));
  const raster: Raster = {
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    width: info.width,
    height: info.height,
    channels: info.channels,
  };
  // From the decoded raster (big JPEGs already shrunk on load), before the model's own reduce.
  const fingerprint = options.fingerprint ? fingerprintRaster(raster) : undefined;
  const rgb = rasterForModel(raster, spec, options);
  return { rgb, width: src.width, height: src.height, format: src.format, ...(fingerprint && { fingerprint }) };
}

/**
 * Decoded pixels → the model's R×R RGB: the box reduce and Pillow's resampler, exactly as for a
 * decoded photo. Video frames (engine/video/frames.ts) come through here, so a frame and the same
 * picture saved as PNG give the same tensor.
 */
export function rasterForModel(raster: Raster, spec: PreprocessSpec, options: DecodeOptions = {}): Uint8Array {
  checkSpec(spec);
  const R = spec.resolution;
  let box: Box | undefined;
  if (!options.exact) {
    const minSide = BOX_REDUCE_FACTOR * R;
    const xf = Math.max(1, Math.floor(raster.width / minSide));
    const yf = Math.max(1, Math.floor(raster.height / minSide));
    box = [0, 0, raster.width / xf, raster.height / yf];
    raster = reduceBox(raster, xf, yf);
  }
  return toRgb(resample(raster, R, R, spec.resize, box));
}

/** HWC uint8 → CHW float32, (v/255 − mean)/std per channel, computed in float32 like ToTensor. */
export function toNormalisedChw(rgb: Uint8Array, spec: PreprocessSpec): Float32Array {
  const plane = spec.resolution * spec.resolution;
  if (rgb.length !== plane * 3) {
    throw new RangeError(`expected ${plane * 3} bytes for ${spec.resolution}² RGB, got ${rgb.length}`);
  }
  const out = new Float32Array(plane * 3);
  for (let c = 0; c < 3; c++) {
    const mean = Math.fround(spec.mean[c]);
    const std = Math.fround(spec.std[c]);
    const base = c * plane;
    for (let i = 0; i < plane; i++) {
      // fround at each step mirrors torch's float32 ops (ToTensor divides, Normalize subtracts/divides).
      out[base + i] = Math.fround(Math.fround(Math.fround(rgb[i * 3 + c] / 255) - mean) / std);
    }
  }
  return out;
}

export async function preprocess(
  input: string | Buffer,
  spec: PreprocessSpec,
  options: DecodeOptions = {},
): Promise<{ tensor: Float32Array; width: number; height: number; format: string; fingerprint?: PixelFingerprint }> {
  const { rgb, width, height, format, fingerprint } = await decodeForModel(input, spec, options);
  return { tensor: toNormalisedChw(rgb, spec), width, height, format, ...(fingerprint && { fingerprint }) };
}
