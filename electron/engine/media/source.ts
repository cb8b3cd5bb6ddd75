/**
 * Opens a photo as a sharp pipeline, upright, with every failure mapped to a DecodeError.
 * Shared by the embedding path (decode.ts) and thumbnails, which differ only in colour management.
 */
import { open, readFile, stat } from 'node:fs/promises';
import sharp, { type Metadata, type Sharp } from 'sharp';
import { DECODABLE_FORMATS, SNIFF_BYTES, sniffFormat, type SniffedFormat } from './formats.ts';
import { DecodeError, classifyDecoderError } from './errors.ts';
import { decodeHeic } from './heic.ts';
import { describeUnknownContent } from './describe.ts';

/**
 * libvips keeps up to 20 recently decoded files open in its operation cache by default. The
 * indexer reads each photo once, so that cache never hits, and the open handles count against
 * the process's descriptors and, on Windows, stop the person deleting or moving a photo that was
 * just indexed. Decoded results may still be cached in memory.
 */
sharp.cache({ files: 0 });

/**
 * Larger inputs are refused before any pixel is decoded: a 200 MP RGB image already needs 600 MB.
 * Real photos (phones ≤ 200 MP, medium format ~150 MP) fit; decompression bombs do not.
 */
export const MAX_INPUT_PIXELS = 200_000_000;

export interface OpenedImage {
  /** Pipeline start; already upright (EXIF orientation or HEIF transforms applied). */
  image: Sharp;
  /** Upright size of the decoded original. */
  width: number;
  height: number;
  /** 'jpeg' | 'png' | 'webp' | 'gif' | 'tiff' | 'avif' | 'heic' */
  format: string;
  /** libvips interpretation of the source: 'srgb', 'b-w', 'cmyk', 'rgb16', 'grey16', … */
  space: string;
  hasAlpha: boolean;
  /** Whether sharp reads the original directly, so JPEG/WebP shrink-on-load can apply. */
  shrinkOnLoad: boolean;
}

export interface OpenOptions {
  /**
   * Convert from the embedded ICC profile to sRGB. Off for embeddings (the model was trained on
   * unmanaged pixels), on for thumbnails people look at.
   */
  colourManaged: boolean;
}

function describe(input: string | Buffer): string {
  return typeof input === 'string' ? `"${input}"` : 'the image data';
}

async function readHeader(input: string | Buffer, what: string): Promise<{ header: Uint8Array; size: number }> {
  if (typeof input !== 'string') {
    if (input.length === 0) throw new DecodeError('empty-file', `${what} is empty (0 bytes)`);
    return { header: input.subarray(0, SNIFF_BYTES), size: input.length };
  }
  try {
    const info = await stat(input);
    if (!info.isFile()) throw new DecodeError('unreadable', `${what} is not a regular file`);
    if (info.size === 0) throw new DecodeError('empty-file', `${what} is empty (0 bytes)`);
    const fh = await open(input, 'r');
    try {
      const buf = Buffer.alloc(Math.min(SNIFF_BYTES, info.size));
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      return { header: buf.subarray(0, bytesRead), size: info.size };
    } finally {
      await fh.close();
    }
  } catch (err) {
    if (err instanceof DecodeError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new DecodeError('unreadable', `${what} cannot be read (${code})`, { cause: err });
  }
}

function rejectUndecodable(format: SniffedFormat, header: Uint8Array, size: number, what: string): void {
  if (DECODABLE_FORMATS.has(format)) return;
  if (format === 'unknown') {
    // Describe, never quote: the bytes of a file named .jpg may be anything (a password file, a key).
    throw new DecodeError('not-an-image', `${what} is not an image (${describeUnknownContent(header, size)})`);
  }
  throw new DecodeError('unsupported-format', `${what} is a ${format.toUpperCase()} image, which this build cannot decode`);
}

async function openHeic(input: string | Buffer, what: string): Promise<OpenedImage> {
  let bytes: Uint8Array;
  try {
    bytes = typeof input === 'string' ? await readFile(input) : input;
  } catch (err) {
    throw new DecodeError('unreadable', `${what} cannot be read`, { cause: err });
  }
  const px = await decodeHeic(bytes, MAX_INPUT_PIXELS, what);
  const image = sharp(px.data, { raw: { width: px.width, height: px.height, channels: 4 } });
  // libheif always hands back RGBA; report alpha only when some pixel is not opaque.
  let hasAlpha = false;
  for (let i = 3; i < px.data.length; i += 4) {
    if (px.data[i] !== 255) {
      hasAlpha = true;
      break;
    }
  }
  if (!hasAlpha) image.removeAlpha();
  return { image, width: px.width, height: px.height, format: 'heic', space: 'srgb', hasAlpha, shrinkOnLoad: false };
}

async function openWithSharp(input: string | Buffer, what: string, opts: OpenOptions): Promise<OpenedImage> {
  const image = sharp(input, {
    autoOrient: true,
    ignoreIcc: !opts.colourManaged,
    // 'error' rejects corrupt and truncated data but tolerates the benign warnings many camera
    // JPEGs trigger (e.g. extraneous bytes before a marker); a half-decoded photo would give a
    // misleading embedding, so the user should see it in the skipped list instead.
    failOn: 'error',
    limitInputPixels: MAX_INPUT_PIXELS,
  });
  let meta: Metadata;
  try {
    meta = await image.metadata();
  } catch (err) {
    throw classifyDecoderError(err, what);
  }
  const { width, height } = meta;
  if (!width || !height) throw new DecodeError('decode-failed', `${what} has no readable dimensions`);
  const pageHeight = meta.pageHeight ?? height;
  if (width * pageHeight > MAX_INPUT_PIXELS) {
    throw new DecodeError('too-large', `${what} is ${width}×${pageHeight}, over the ${MAX_INPUT_PIXELS / 1e6} MP limit`);
  }
  const swap = (meta.orientation ?? 1) >= 5;
  const format = meta.format === 'heif' ? (meta.compression === 'av1' ? 'avif' : 'heif') : meta.format;
  return {
    image,
    width: swap ? pageHeight : width,
    height: swap ? width : pageHeight,
    format,
    space: meta.space ?? 'srgb',
    hasAlpha: meta.hasAlpha ?? false,
    shrinkOnLoad: true,
  };
}

/**
 * The prebuilt libvips lists only '.avif' for its HEIF loader (no HEVC codec). A libvips built
 * with libde265 would list '.heic' too, and is then preferred: faster, and it streams.
 */
const SHARP_DECODES_HEVC = (sharp.format.heif?.input.fileSuffix ?? []).includes('.heic');

export async function openImage(input: string | Buffer, opts: OpenOptions): Promise<OpenedImage> {
  const what = describe(input);
  const { header, size } = await readHeader(input, what);
  const format = sniffFormat(header);
  rejectUndecodable(format, header, size, what);
  if (format === 'heic' && !SHARP_DECODES_HEVC) return openHeic(input, what);
  return openWithSharp(input, what, opts);
}

/** Run a sharp output step, turning libvips failures into DecodeErrors. */
export async function runPipeline<T>(input: string | Buffer, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    throw classifyDecoderError(err, describe(input));
  }
}
