/**
 * HEIC/HEIF (HEVC-coded) decoding. The prebuilt libvips inside sharp only carries the AV1 codec
 * (AVIF), so iPhone photos go through heic-decode (libheif + libde265 compiled to wasm).
 *
 * Loaded lazily: the wasm bundle is several MB and most libraries have no HEIC files.
 * libheif applies the container's rotation/mirror boxes (irot/imir) itself, so the pixels come
 * back upright and the EXIF orientation in the file must NOT be applied again.
 * The decode is synchronous inside the wasm module and blocks the event loop while it runs, which
 * is acceptable in the engine's utility process.
 */
import { DecodeError } from './errors.ts';
import { safeDecoderDetail } from './describe.ts';

export interface RgbaPixels {
  width: number;
  height: number;
  data: Uint8Array;
}

export async function decodeHeic(buffer: Uint8Array, maxPixels: number, what: string): Promise<RgbaPixels> {
  const { default: heic } = await import('heic-decode');
  let images: Awaited<ReturnType<typeof heic.all>>;
  try {
    images = await heic.all({ buffer });
  } catch (err) {
    throw new DecodeError('decode-failed', `${what} is not a readable HEIC/HEIF image (${safeDecoderDetail(String((err as Error)?.message ?? err))})`, { cause: err });
  }
  try {
    const first = images[0];
    if (!first) throw new DecodeError('decode-failed', `${what} contains no image`);
    if (first.width * first.height > maxPixels) {
      throw new DecodeError('too-large', `${what} is ${first.width}×${first.height}, over the ${maxPixels / 1e6} MP limit`);
    }
    const px = await first.decode();
    return { width: px.width, height: px.height, data: new Uint8Array(px.data.buffer, px.data.byteOffset, px.data.byteLength) };
  } catch (err) {
    if (err instanceof DecodeError) throw err;
    throw new DecodeError('decode-failed', `${what} could not be decoded as HEIC (${safeDecoderDetail(String((err as Error)?.message ?? err))})`, { cause: err });
  } finally {
    images.dispose();
  }
}
