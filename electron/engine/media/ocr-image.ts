/**
 * Photos for OCR: upright (EXIF orientation applied), alpha over a contrasting colour, 8-bit RGB at the size the
 * caller asks for. A photo is opened once and may be asked for twice — small for detection, larger
 * for reading the text — so a full decode is kept and resized from when the sizes are close to the
 * original (screenshots), while big camera photos are decoded straight at the small size (JPEG
 * shrink-on-load) and decoded again only if text was found.
 */
import sharp from 'sharp';
import { openImage, runPipeline, type OpenedImage } from './source.ts';

export interface OcrRaster {
  /** Interleaved RGB; owns its whole ArrayBuffer (it may be transferred to a worker). */
  data: Uint8Array;
  width: number;
  height: number;
}

/** Over this many pixels the reading raster is scaled down: text that small in such a photo is rare, memory is not free. */
export const MAX_OCR_PIXELS = 24_000_000;

/**
 * Small images may be read from a raster scaled up (Lanczos, by libvips) to at most this many
 * pixels and this factor: a crop of 12 px text brought to the recogniser's 48 px by bilinear
 * sampling is blurred enough to lose strokes (大 read as 天).
 */
export const MAX_UPSCALED_PIXELS = 4_000_000;
export const MAX_UPSCALE = 3;

/** Below this fraction of the original side, decoding straight at the target size pays (shrink-on-load). */
const DIRECT_DECODE_BELOW = 0.5;

const WHITE = { r: 255, g: 255, b: 255 };
const BLACK = { r: 0, g: 0, b: 0 };
/** Side of the thumbnail the background choice for transparent images is made on. */
const ALPHA_PROBE_SIDE = 256;

function owned(buf: Buffer): Uint8Array {
  // sharp's output buffers are usually their own allocation; copy when they are a view.
  if (buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength) return new Uint8Array(buf.buffer, 0, buf.byteLength);
  return new Uint8Array(buf);
}

/**
 * The background transparent pixels are put on: white under dark content, black under light
 * content (RapidOCR's choice, by the mean luminance of what is not transparent). White text on a
 * transparent PNG would otherwise vanish on a white background.
 */
async function contrastingBackground(input: string | Buffer, src: OpenedImage): Promise<typeof WHITE> {
  const { data, info } = await runPipeline(input, () =>
    src.image.clone().resize(ALPHA_PROBE_SIDE, ALPHA_PROBE_SIDE, { fit: 'inside', withoutEnlargement: true }).ensureAlpha().toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true }),
  );
  let sum = 0;
  let weight = 0;
  for (let i = 0; i + 3 < data.length; i += info.channels) {
    const a = data[i + 3] / 255;
    sum += a * (0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2]);
    weight += a;
  }
  return weight > 0 && sum / weight >= 128 ? BLACK : WHITE;
}

export class OcrImage {
  private full: OcrRaster | null = null;

  private constructor(
    private readonly input: string | Buffer,
    private readonly src: OpenedImage,
    private readonly background: typeof WHITE,
  ) {}

  /** Throws DecodeError (with its reason) for what cannot be decoded. */
  static async open(input: string | Buffer): Promise<OcrImage> {
    const src = await openImage(input, { colourManaged: false });
    return new OcrImage(input, src, src.hasAlpha ? await contrastingBackground(input, src) : WHITE);
  }

  /** Upright size of the original. */
  get width(): number {
    return this.src.width;
  }
  get height(): number {
    return this.src.height;
  }

  /** The largest raster worth reading from: small images scaled up (MAX_UPSCALED_PIXELS), big ones at most the original, capped at MAX_OCR_PIXELS. */
  get maxScale(): number {
    const pixels = this.width * this.height;
    if (pixels < MAX_UPSCALED_PIXELS) return Math.min(MAX_UPSCALE, Math.sqrt(MAX_UPSCALED_PIXELS / pixels));
    return Math.min(1, Math.sqrt(MAX_OCR_PIXELS / pixels));
  }

  /**
   * A fresh raster of exactly width × height (a slight stretch is allowed, as for the detector).
   * `last`: no other raster will be asked of this image, so the kept full decode is handed over
   * instead of copied when it is the size asked (a 24 MP reading raster is 72 MB: one copy fewer
   * alive while the text is read).
   */
  async raster(width: number, height: number, opts: { last?: boolean } = {}): Promise<OcrRaster> {
    const small = width < this.width * DIRECT_DECODE_BELOW && height < this.height * DIRECT_DECODE_BELOW;
    if (small && !this.full) return this.decode(width, height);
    const full = await this.fullRaster();
    if (full.width === width && full.height === height) {
      if (!opts.last) return { ...full, data: new Uint8Array(full.data) };
      this.full = null;
      return full;
    }
    const { data, info } = await sharp(full.data, { raw: { width: full.width, height: full.height, channels: 3 } })
      .resize(width, height, { fit: 'fill' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { data: owned(data), width: info.width, height: info.height };
  }

  private async fullRaster(): Promise<OcrRaster> {
    if (!this.full) {
      const s = Math.min(1, this.maxScale);
      this.full = s < 1 ? await this.decode(Math.round(this.width * s), Math.round(this.height * s)) : await this.decode(null, null);
    }
    return this.full;
  }

  private async decode(width: number | null, height: number | null): Promise<OcrRaster> {
    let img = this.src.image.clone();
    if (this.src.hasAlpha) img = img.flatten({ background: this.background });
    if (width !== null && height !== null) img = img.resize(width, height, { fit: 'fill' });
    const { data, info } = await runPipeline(this.input, () => img.toColourspace('srgb').removeAlpha().raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true }));
    if (info.channels !== 3) throw new Error(`expected 3 channels from the OCR decode, got ${info.channels}`);
    return { data: owned(data), width: info.width, height: info.height };
  }
}
