/**
 * Which files the library treats as photos, and what a file really is (by its first bytes, since
 * extensions lie: phones name HEIC files .jpg, downloads name WebP files .png).
 */
import path from 'node:path';

/**
 * Extensions the scanner picks up. Each one decodes with the bundled sharp/libvips build or, for
 * HEIC/HEIF, with heic-decode. BMP is left out on purpose: the prebuilt libvips has no BMP loader.
 */
export const SUPPORTED_EXTENSIONS: ReadonlySet<string> = new Set([
  '.jpg', '.jpeg', '.jpe', '.jfif',
  '.png',
  '.webp',
  '.gif',
  '.tif', '.tiff',
  '.avif',
  '.heic', '.heif',
]);

export function isSupportedImagePath(p: string): boolean {
  return SUPPORTED_EXTENSIONS.has(path.extname(p).toLowerCase());
}

/** Image containers we can decode, plus a few we recognise only to say "unsupported". */
export type SniffedFormat =
  | 'jpeg' | 'png' | 'gif' | 'webp' | 'tiff' | 'avif' | 'heic'
  | 'bmp' | 'jxl' | 'jp2' | 'psd'
  | 'unknown';

export const DECODABLE_FORMATS: ReadonlySet<SniffedFormat> = new Set(['jpeg', 'png', 'gif', 'webp', 'tiff', 'avif', 'heic']);

/** Enough bytes for every signature below, including a typical ftyp box's brand list. */
export const SNIFF_BYTES = 64;

// ISO-BMFF brands. AVIF is checked first: AVIF files often also list the generic 'mif1'.
const AVIF_BRANDS = new Set(['avif', 'avis']);
const HEIF_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'mif1', 'msf1', 'mif2']);

function ascii(b: Uint8Array, start: number, end: number): string {
  return String.fromCharCode(...b.subarray(start, Math.min(end, b.length)));
}

function startsWith(b: Uint8Array, sig: readonly number[], offset = 0): boolean {
  if (b.length < offset + sig.length) return false;
  return sig.every((v, i) => b[offset + i] === v);
}

/** Brands of a leading ISO-BMFF 'ftyp' box (major first), or null when there is none. */
export function ftypBrands(b: Uint8Array): string[] | null {
  if (b.length < 16 || ascii(b, 4, 8) !== 'ftyp') return null;
  const boxSize = ((b[0] << 24) >>> 0) + (b[1] << 16) + (b[2] << 8) + b[3];
  const end = Math.min(boxSize >= 16 ? boxSize : 16, b.length);
  const brands = [ascii(b, 8, 12)];
  // bytes 12..16 are the minor version; compatible brands follow in 4-byte steps.
  for (let off = 16; off + 4 <= end; off += 4) brands.push(ascii(b, off, off + 4));
  return brands;
}

export function sniffFormat(b: Uint8Array): SniffedFormat {
  if (startsWith(b, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (ascii(b, 0, 4) === 'GIF8') return 'gif';
  if (ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP') return 'webp';
  if (startsWith(b, [0x49, 0x49, 0x2a, 0x00]) || startsWith(b, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  // BigTIFF: libtiff reads it too.
  if (startsWith(b, [0x49, 0x49, 0x2b, 0x00]) || startsWith(b, [0x4d, 0x4d, 0x00, 0x2b])) return 'tiff';
  const brands = ftypBrands(b);
  if (brands) {
    if (brands.some((x) => AVIF_BRANDS.has(x))) return 'avif';
    if (brands.some((x) => HEIF_BRANDS.has(x))) return 'heic';
    if (brands.includes('jp2 ')) return 'jp2';
    return 'unknown';
  }
  if (ascii(b, 0, 2) === 'BM') return 'bmp';
  if (startsWith(b, [0xff, 0x0a]) || startsWith(b, [0, 0, 0, 0x0c, 0x4a, 0x58, 0x4c, 0x20])) return 'jxl';
  if (startsWith(b, [0, 0, 0, 0x0c, 0x6a, 0x50, 0x20, 0x20])) return 'jp2';
  if (ascii(b, 0, 4) === '8BPS') return 'psd';
  return 'unknown';
}
