/**
 * What EXIF says about the capture itself, for telling copies of one shot from frames of a burst
 * (electron/engine/stacks/): the sub-second of the capture time, the camera's unique id for the
 * image, and Apple's burst id. Copies of a photo keep these (or lose EXIF altogether); two frames
 * of a burst differ in them. Missing or unreadable EXIF gives nulls, never an error.
 *
 * For the indexer: metadata.ts's own exifr parse can read these too (add `makerNote: true` to its
 * options and call captureDetailsFromExif on the same raw object), saving the second parse that
 * readCaptureDetails does.
 */
import exifr from 'exifr';

const { Exifr } = exifr;

export interface CaptureDetails {
  /** Milliseconds of SubSecTimeOriginal (EXIF gives the time to the second), or null. */
  subSecMs: number | null;
  /** EXIF ImageUniqueID, or Apple's in its MakerNote (phones write one per shot), or null. */
  imageUniqueId: string | null;
  /** Apple's BurstUUID from the MakerNote (every frame of an iPhone burst has it), or null. */
  burstId: string | null;
}

const NONE: CaptureDetails = { subSecMs: null, imageUniqueId: null, burstId: null };

function text(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const t = v.replace(/\0+$/g, '').trim();
  return t === '' ? null : t;
}

/** "348" → 348 ms, "5" → 500 ms, "123456" → 123 ms: SubSec digits are a decimal fraction. */
export function subSecMs(v: unknown): number | null {
  const s = text(typeof v === 'number' ? String(v) : v);
  if (!s || !/^\d+$/.test(s)) return null;
  return Math.floor(Number(`0.${s}`) * 1000);
}

const APPLE_HEADER = 'Apple iOS\0';
/** Apple MakerNote tags (as exiftool's Apple.pm names them). */
export const APPLE_BURST_UUID = 0x000b;
export const APPLE_IMAGE_UNIQUE_ID = 0x0015;

/**
 * An ASCII tag of an Apple MakerNote: "Apple iOS\0", a 2-byte version, "MM", then a big-endian
 * IFD whose value offsets count from the MakerNote's first byte.
 */
export function appleMakerNoteText(note: Uint8Array, tag: number): string | null {
  if (note.length < 16) return null;
  const header = String.fromCharCode(...note.subarray(0, 10));
  if (header !== APPLE_HEADER || note[12] !== 0x4d || note[13] !== 0x4d) return null;
  const view = new DataView(note.buffer, note.byteOffset, note.byteLength);
  const count = view.getUint16(14);
  for (let i = 0; i < count; i++) {
    const entry = 16 + i * 12;
    if (entry + 12 > note.length) return null;
    if (view.getUint16(entry) !== tag || view.getUint16(entry + 2) !== 2) continue;
    const n = view.getUint32(entry + 4);
    const at = n <= 4 ? entry + 8 : view.getUint32(entry + 8);
    if (at + n > note.length) return null;
    return text(String.fromCharCode(...note.subarray(at, at + n)));
  }
  return null;
}

/** From exifr's raw output (translateValues: false, makerNote: true). */
export function captureDetailsFromExif(raw: Record<string, unknown> | undefined | null): CaptureDetails {
  if (!raw) return NONE;
  // exifr names the raw MakerNote `makerNote`.
  const note = raw.makerNote ?? raw.MakerNote;
  const apple = (tag: number): string | null => (note instanceof Uint8Array ? appleMakerNoteText(note, tag) : null);
  return {
    subSecMs: subSecMs(raw.SubSecTimeOriginal) ?? subSecMs(raw.SubSecTimeDigitized),
    // iPhones keep theirs in the MakerNote.
    imageUniqueId: text(raw.ImageUniqueID) ?? apple(APPLE_IMAGE_UNIQUE_ID),
    burstId: apple(APPLE_BURST_UUID),
  };
}

export async function readCaptureDetails(file: string): Promise<CaptureDetails> {
  const ex = new Exifr({ tiff: true, exif: true, gps: false, ifd1: false, interop: false, xmp: false, icc: false, iptc: false, jfif: false, ihdr: false, makerNote: true, userComment: false, translateValues: false, reviveValues: false });
  try {
    await ex.read(file);
    return captureDetailsFromExif((await ex.parse()) as Record<string, unknown> | undefined);
  } catch {
    return NONE;
  } finally {
    // As metadata.ts: exifr closes its file only on success paths (its `file` is declared in exifr.d.ts).
    await Promise.resolve(ex.file?.close?.()).catch(() => undefined);
  }
}
