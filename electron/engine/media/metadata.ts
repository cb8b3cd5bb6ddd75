/**
 * Capture date, camera and location from EXIF (exifr). A photo without EXIF, or with EXIF exifr
 * cannot parse, yields nulls: metadata is a nicety and must never cost a photo its place in the
 * index. Only a file that cannot be read at all makes this throw.
 */
import { access, stat } from 'node:fs/promises';
import exifr from 'exifr';
import { captureDetailsFromExif, type CaptureDetails } from './capture-details.ts';

// The package's main entry is UMD: named exports exist only on the default object.
const { Exifr } = exifr;

export interface PhotoMetadata {
  takenAt: Date | null;
  cameraMake: string | null;
  cameraModel: string | null;
  gps: { lat: number; lon: number } | null;
  /** EXIF orientation 1–8 as stored (pixels from decode.ts are already upright). */
  orientation: number | null;
  /** Sub-second, unique id and burst id of the capture (capture-details.ts): copies vs burst frames. */
  capture: CaptureDetails;
}

export function emptyMetadata(): PhotoMetadata {
  return { takenAt: null, cameraMake: null, cameraModel: null, gps: null, orientation: null, capture: captureDetailsFromExif(null) };
}

type Raw = Record<string, unknown>;

const EXIF_OPTIONS = {
  tiff: true,
  exif: true,
  gps: true,
  ifd1: false,
  interop: false,
  xmp: false,
  icc: false,
  iptc: false,
  jfif: false,
  ihdr: false,
  // Raw MakerNote bytes: an iPhone keeps its ImageUniqueID and BurstUUID there (capture-details.ts).
  makerNote: true,
  userComment: false,
  // Raw values: dates are parsed below (with their offset tags), orientation stays a number.
  translateValues: false,
  reviveValues: false,
} as const;

function text(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  // Cameras pad with NULs and spaces.
  const t = v.replace(/\0+$/g, '').trim();
  return t === '' ? null : t;
}

/**
 * EXIF dates are "YYYY:MM:DD HH:MM:SS" in the camera's wall-clock time. With an OffsetTime* tag
 * (EXIF 2.31) the instant is exact; without one it is taken as local time, as photo apps do.
 * Unset clocks ("0000:00:00 00:00:00") and impossible dates give null.
 */
export function parseExifDate(value: unknown, offset?: unknown): Date | null {
  const s = text(value);
  const m = s?.match(/^(\d{4})[:-](\d{2})[:-](\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?/);
  if (!m) return null;
  const [y, mo, d, h, mi, se] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x)));
  if (y < 1800 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return null;
  const off = text(offset)?.match(/^([+-])(\d{2}):(\d{2})$/);
  let date: Date;
  if (off) {
    const sign = off[1] === '-' ? -1 : 1;
    const minutes = sign * (Number(off[2]) * 60 + Number(off[3]));
    date = new Date(Date.UTC(y, mo - 1, d, h, mi, se) - minutes * 60_000);
  } else {
    date = new Date(y, mo - 1, d, h, mi, se);
  }
  // Rejects rollovers such as 31 February.
  return Number.isNaN(date.getTime()) || new Date(y, mo - 1, d).getDate() !== d ? null : date;
}

function coordinate(v: unknown, ref: unknown, negativeRef: string): number | null {
  let deg: number;
  if (typeof v === 'number') deg = v;
  else if (Array.isArray(v) && v.length >= 1 && v.every((x) => typeof x === 'number')) {
    deg = v[0] + (v[1] ?? 0) / 60 + (v[2] ?? 0) / 3600;
  } else return null;
  if (!Number.isFinite(deg)) return null;
  return text(ref)?.toUpperCase().startsWith(negativeRef) ? -Math.abs(deg) : deg;
}

function gpsOf(raw: Raw): PhotoMetadata['gps'] {
  const lat = coordinate(raw.GPSLatitude, raw.GPSLatitudeRef, 'S');
  const lon = coordinate(raw.GPSLongitude, raw.GPSLongitudeRef, 'W');
  if (lat === null || lon === null) return null;
  if (Math.abs(lat) > 90 || Math.abs(lon) > 180) return null;
  // Exactly 0,0 is what devices without a fix write, not a photo taken off the coast of Africa.
  if (lat === 0 && lon === 0) return null;
  return { lat, lon };
}

export function metadataFromExif(raw: Raw | undefined | null): PhotoMetadata {
  if (!raw) return emptyMetadata();
  const orientation = typeof raw.Orientation === 'number' && raw.Orientation >= 1 && raw.Orientation <= 8 ? raw.Orientation : null;
  return {
    takenAt: parseExifDate(raw.DateTimeOriginal, raw.OffsetTimeOriginal) ?? parseExifDate(raw.CreateDate, raw.OffsetTimeDigitized),
    cameraMake: text(raw.Make),
    cameraModel: text(raw.Model),
    gps: gpsOf(raw),
    orientation,
    capture: captureDetailsFromExif(raw),
  };
}

/**
 * Smaller files cannot hold EXIF in any container exifr reads (a TIFF header alone is 8 bytes and
 * an IFD entry 12 more); they are not handed to exifr at all.
 */
const MIN_EXIF_FILE_BYTES = 16;

/**
 * exifr's high-level parse() opens the file itself and closes it only on its success paths: a
 * file of 0–2 bytes throws inside its format sniffing with the handle still open (one descriptor
 * per file, freed only when the garbage collector gets to it — a long watch over such a folder
 * ran out). Here the Exifr instance is ours, so its file is closed, and awaited, on every path.
 */
async function parseExif(file: string): Promise<Raw | undefined> {
  const ex = new Exifr(EXIF_OPTIONS);
  try {
    await ex.read(file);
    return (await ex.parse()) as Raw | undefined;
  } finally {
    await Promise.resolve(ex.file?.close?.()).catch(() => undefined);
  }
}

export async function readMetadata(file: string): Promise<PhotoMetadata> {
  await access(file); // a missing or unreadable file is an error; missing EXIF is not
  if ((await stat(file)).size < MIN_EXIF_FILE_BYTES) return emptyMetadata();
  let raw: Raw | undefined;
  try {
    raw = await parseExif(file);
  } catch {
    // Unknown container, corrupt EXIF, no EXIF: all the same to the library.
    return emptyMetadata();
  }
  return metadataFromExif(raw);
}
