import { describe, expect, it } from 'vitest';
import { SUPPORTED_EXTENSIONS, ftypBrands, isSupportedImagePath, sniffFormat } from '../../electron/engine/media/formats.ts';

const bytes = (...parts: (number[] | string)[]) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)));

/** An ISO-BMFF ftyp box with the given major and compatible brands. */
function ftyp(major: string, ...compatible: string[]): Uint8Array {
  const size = 16 + 4 * compatible.length;
  return bytes([0, 0, 0, size], 'ftyp', major, [0, 0, 0, 0], ...compatible, [0, 0, 0, 8], 'meta');
}

describe('formats', () => {
  it('supports the photo extensions the decoders handle, case-insensitively', () => {
    for (const ext of ['.jpg', '.jpeg', '.png', '.webp', '.gif', '.tif', '.tiff', '.avif', '.heic', '.heif']) {
      expect(SUPPORTED_EXTENSIONS.has(ext)).toBe(true);
    }
    expect(isSupportedImagePath('/photos/IMG_0001.JPG')).toBe(true);
    expect(isSupportedImagePath('C:\\Users\\me\\Pictures\\照片.HEIC')).toBe(true);
    expect(isSupportedImagePath('/photos/scan.bmp')).toBe(false); // no BMP loader in the bundled libvips
    expect(isSupportedImagePath('/photos/notes.txt')).toBe(false);
    expect(isSupportedImagePath('/photos/jpg')).toBe(false);
  });

  it('sniffs containers by content', () => {
    expect(sniffFormat(bytes([0xff, 0xd8, 0xff, 0xe0]))).toBe('jpeg');
    expect(sniffFormat(bytes([0x89], 'PNG', [0x0d, 0x0a, 0x1a, 0x0a]))).toBe('png');
    expect(sniffFormat(bytes('GIF89a'))).toBe('gif');
    expect(sniffFormat(bytes('RIFF', [1, 2, 3, 4], 'WEBPVP8 '))).toBe('webp');
    expect(sniffFormat(bytes('II', [0x2a, 0]))).toBe('tiff');
    expect(sniffFormat(bytes('MM', [0, 0x2a]))).toBe('tiff');
    expect(sniffFormat(bytes('BM', [0, 0, 0, 0]))).toBe('bmp');
    expect(sniffFormat(bytes('hello world'))).toBe('unknown');
    expect(sniffFormat(new Uint8Array(0))).toBe('unknown');
  });

  it('tells HEIC from AVIF by ftyp brands, not by the generic mif1', () => {
    expect(sniffFormat(ftyp('heic', 'mif1', 'heic'))).toBe('heic');
    expect(sniffFormat(ftyp('heix', 'mif1'))).toBe('heic');
    expect(sniffFormat(ftyp('mif1', 'heic'))).toBe('heic');
    expect(sniffFormat(ftyp('avif', 'mif1', 'miaf'))).toBe('avif');
    expect(sniffFormat(ftyp('mif1', 'avif', 'miaf'))).toBe('avif');
    expect(sniffFormat(ftyp('isom', 'mp41'))).toBe('unknown'); // an MP4 video
    expect(ftypBrands(ftyp('heic', 'mif1', 'heic'))).toEqual(['heic', 'mif1', 'heic']);
  });
});
