/**
 * Google and Samsung motion photos: a JPEG (or HEIC) with a short MP4 appended after the picture.
 * The video belongs to the photo — it is never a library item of its own. This finds where it is,
 * from what the camera wrote, and checks that an MP4 really starts there:
 *
 * - Motion Photo format 1 (Pixel, newer Samsung): XMP `GCamera:MotionPhoto="1"` and a
 *   `Container:Directory` whose items follow the primary image in order, each with `Item:Length`
 *   (and `Item:Padding`); the `MotionPhoto` item is counted back from the end of the file.
 * - MicroVideo (older Pixel and Samsung): XMP `GCamera:MicroVideoOffset` = bytes from the video's
 *   start to the end of the file.
 * - Samsung's trailer: the marker `MotionPhoto_Data` followed by the MP4, before an `SEFT` directory
 *   at the very end; used when the XMP is gone (some editors strip it).
 *
 * The MP4's length is measured by walking its top-level boxes, so trailers after it (Samsung's SEF
 * entries) are not counted. A photo whose XMP announces a video that is not there (an editor cut it
 * off) has none: the picture alone is the photo.
 */
export type MotionPhotoSource = 'motion-photo-xmp' | 'micro-video-xmp' | 'samsung-trailer';

export interface EmbeddedVideo {
  /** Byte offset of the MP4 in the file. */
  offset: number;
  length: number;
  source: MotionPhotoSource;
}

const XMP_SCAN_BYTES = 512 * 1024;
// Boxes an MP4 is made of at its top level. Not Samsung's 'sefd' trailer box, which follows the MP4
// inside a HEIC motion photo's 'mpvd' box.
const TOP_LEVEL_BOXES = new Set(['ftyp', 'moov', 'mdat', 'free', 'skip', 'wide', 'uuid', 'meta', 'mfra', 'moof', 'udta', 'styp', 'sidx']);

function ascii(b: Uint8Array, start: number, end: number): string {
  return String.fromCharCode(...b.subarray(start, Math.min(end, b.length)));
}

/** Length of the ISO-BMFF file starting at `offset` (whole top-level boxes), or 0 when none starts there. */
export function isoBmffLength(b: Uint8Array, offset: number): number {
  if (offset < 0 || offset + 12 > b.length || ascii(b, offset + 4, offset + 8) !== 'ftyp') return 0;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let p = offset;
  while (p + 8 <= b.length) {
    let size = view.getUint32(p);
    const type = ascii(b, p + 4, p + 8);
    if (!TOP_LEVEL_BOXES.has(type)) break;
    if (size === 1) {
      if (p + 16 > b.length) break;
      size = Number(view.getBigUint64(p + 8));
    } else if (size === 0) size = b.length - p;
    if (size < 8 || p + size > b.length) {
      // A box running past the end: the MP4 was cut (the XMP may still say how long it was).
      return p - offset > 0 ? p - offset : 0;
    }
    p += size;
  }
  return p - offset;
}

function xmpText(b: Uint8Array): string {
  // XMP is plain text inside APP1 near the start; latin1 keeps byte offsets meaningless but safe.
  return Buffer.from(b.buffer, b.byteOffset, Math.min(b.length, XMP_SCAN_BYTES)).toString('latin1');
}

function attr(text: string, name: string): string | null {
  const m = new RegExp(`${name}\\s*=\\s*"([^"]*)"|<${name}>([^<]*)</${name}>`).exec(text);
  return m ? (m[1] ?? m[2]) : null;
}

function fromContainerDirectory(text: string, size: number): number | null {
  if (attr(text, 'GCamera:MotionPhoto') !== '1') return null;
  const dir = /<Container:Directory>([\s\S]*?)<\/Container:Directory>/.exec(text)?.[1];
  if (!dir) return null;
  const items = [...dir.matchAll(/<Container:Item\b([\s\S]*?)(?:\/>|<\/Container:Item>)/g)].map((m) => ({
    semantic: attr(m[1], 'Item:Semantic'),
    length: Number(attr(m[1], 'Item:Length') ?? 0),
    padding: Number(attr(m[1], 'Item:Padding') ?? 0),
  }));
  const v = items.findIndex((i) => i.semantic === 'MotionPhoto');
  if (v <= 0 || !(items[v].length > 0)) return null;
  // Items after the primary are laid end to end, each after its padding: count back from the end.
  let end = size;
  for (let i = items.length - 1; i > v; i--) end -= items[i].length + items[i].padding;
  return end - items[v].length;
}

/** Where the embedded video is, or null when the photo has none. Never throws. */
export function locateMotionPhotoVideo(b: Uint8Array): EmbeddedVideo | null {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) {
    // HEIC motion photos carry the same XMP; only JPEG's trailer layout is handled without it.
    if (b.length < 12 || ascii(b, 4, 8) !== 'ftyp') return null;
  }
  const text = xmpText(b);
  const candidates: { offset: number | null; source: MotionPhotoSource }[] = [
    { offset: fromContainerDirectory(text, b.length), source: 'motion-photo-xmp' },
    { offset: ((o) => (o > 0 ? b.length - o : null))(Number(attr(text, 'GCamera:MicroVideoOffset') ?? 0)), source: 'micro-video-xmp' },
    { offset: samsungTrailerOffset(b), source: 'samsung-trailer' },
  ];
  for (const c of candidates) {
    if (c.offset === null) continue;
    const length = isoBmffLength(b, c.offset);
    if (length > 0) return { offset: c.offset, length, source: c.source };
  }
  return null;
}

const SAMSUNG_MARKER = Buffer.from('MotionPhoto_Data', 'latin1');

function samsungTrailerOffset(b: Uint8Array): number | null {
  // The marker sits after the JPEG's end; search the part of the file that can hold it.
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  const at = buf.lastIndexOf(SAMSUNG_MARKER);
  return at >= 0 ? at + SAMSUNG_MARKER.length : null;
}
