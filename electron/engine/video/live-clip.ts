/**
 * Is this .mov/.mp4 the moving half of a Live Photo? The scanner asks for every video named like a
 * HEIC/JPG beside it (live-photos.ts `livePhotoCandidates`), on every full scan, so the answer must
 * not cost a decoder process: the clip's length is read from its movie header (`moov/mvhd`:
 * timescale and duration) with a handful of small reads, and `isLivePhotoPair` decides (≤ 6 s when
 * the identifiers are not both known — the photo's Apple MakerNote identifier is not read yet).
 * Measured against ffprobe in docs/decisions/video.md ("Live Photos").
 *
 * Written here rather than taken from a package: only the length is needed, the container walk
 * already exists (motion-photo.ts), and the MP4 parsers on npm (mp4box, mp4-duration) read far more
 * of the file than one box.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { isLivePhotoPair, LIVE_PHOTO_PHOTO_EXTENSIONS, livePhotoCandidates } from './live-photos.ts';

/** Top-level boxes looked at before giving up (a phone's MOV has four or five). */
const MAX_TOP_BOXES = 64;
/** A Live Photo's movie header box is a few KB; larger ones belong to long videos. */
const MAX_MOOV_BYTES = 4 * 2 ** 20;

async function readAt(fh: fs.FileHandle, pos: number, len: number): Promise<Buffer> {
  const b = Buffer.alloc(len);
  const { bytesRead } = await fh.read(b, 0, len, pos);
  return b.subarray(0, bytesRead);
}

/** Seconds from `moov/mvhd`, or null when the file has none that can be read (not ISO-BMFF, cut off, too large). */
export function mvhdDuration(moov: Buffer): number | null {
  let p = 0;
  while (p + 8 <= moov.length) {
    const size = moov.readUInt32BE(p);
    if (moov.toString('latin1', p + 4, p + 8) === 'mvhd') {
      const version = moov[p + 8];
      const at = p + 12 + (version === 1 ? 16 : 8);
      if (at + (version === 1 ? 12 : 8) > moov.length) return null;
      const timescale = moov.readUInt32BE(at);
      const duration = version === 1 ? Number(moov.readBigUInt64BE(at + 4)) : moov.readUInt32BE(at + 4);
      return timescale > 0 ? duration / timescale : null;
    }
    if (size < 8) return null;
    p += size;
  }
  return null;
}

/**
 * The length a QuickTime/MP4 file's movie header states, in seconds; null when it cannot be read.
 * `start`/`length`: an MP4 inside another file (a motion photo's, after the picture).
 */
export async function movieHeaderDuration(file: string, start = 0, length?: number): Promise<number | null> {
  let fh: fs.FileHandle | undefined;
  try {
    fh = await fs.open(file, 'r');
    const fileSize = length !== undefined ? start + length : (await fh.stat()).size;
    let pos = start;
    for (let i = 0; i < MAX_TOP_BOXES && pos + 8 <= fileSize; i++) {
      const head = await readAt(fh, pos, 16);
      if (head.length < 8) return null;
      let size = head.readUInt32BE(0);
      let headerLen = 8;
      if (size === 1) {
        if (head.length < 16) return null;
        size = Number(head.readBigUInt64BE(8));
        headerLen = 16;
      } else if (size === 0) size = fileSize - pos;
      if (size < headerLen) return null;
      if (head.toString('latin1', 4, 8) === 'moov') {
        if (size > MAX_MOOV_BYTES) return null;
        return mvhdDuration(await readAt(fh, pos + headerLen, size - headerLen));
      }
      pos += size;
    }
    return null;
  } catch {
    return null;
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

/**
 * True when a video that the name rule paired with a photo is that photo's Live Photo clip (so it
 * is not a library item): its movie header says it lasts at most LIVE_PHOTO_MAX_S. A file whose
 * length cannot be read stays a video (the video pass then reports what is wrong with it).
 */
export async function isLivePhotoClip(file: string): Promise<boolean> {
  return (await livePhotoClipLength(file)) !== null;
}

/** The clip's length when it is a Live Photo's clip by the rule above, else null. */
async function livePhotoClipLength(file: string): Promise<number | null> {
  const durationS = await movieHeaderDuration(file);
  return durationS !== null && isLivePhotoPair({ videoContentId: null, photoContentId: null, videoDurationS: durationS }) ? durationS : null;
}

/**
 * A photo's Live Photo clip: the .mov/.mp4 beside it that the scanner pairs with it (same rule:
 * live-photos.ts, so a clip the library hides is the clip the viewer plays), confirmed by its
 * length. Null when it has none. The folder's pairs are listed once and kept while the folder's
 * modification time stays the same (a clip added or removed changes it): a camera folder of
 * 100 000 files took ~400 ms to list, and a player asks once per range request. (On FAT32,
 * whose times count in 2 s, a clip added within 2 s of a listing waits for the folder's next change.)
 */
export async function livePhotoClipOf(photo: string): Promise<{ path: string; durationS: number } | null> {
  if (!LIVE_PHOTO_PHOTO_EXTENSIONS.has(path.extname(photo).toLowerCase())) return null;
  for (const clip of (await folderPairs(path.dirname(photo))).get(photo) ?? []) {
    const durationS = await livePhotoClipLength(clip);
    if (durationS !== null) return { path: clip, durationS };
  }
  return null;
}

/** Per folder: its modification time when listed, and each photo's candidate clips. */
const pairsByFolder = new Map<string, { mtimeMs: number; clips: Map<string, string[]> }>();
const FOLDERS_KEPT = 64;

async function folderPairs(dir: string): Promise<Map<string, string[]>> {
  const st = await fs.stat(dir).catch(() => null);
  if (!st) return new Map();
  const known = pairsByFolder.get(dir);
  if (known && known.mtimeMs === st.mtimeMs) return known.clips;
  // Plain files only: a link is never read by the library (link-policy.ts), so not played either.
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  const clips = new Map<string, string[]>();
  for (const [clip, photo] of livePhotoCandidates(entries.filter((e) => e.isFile()).map((e) => path.join(dir, e.name)))) {
    const list = clips.get(photo);
    if (list) list.push(clip);
    else clips.set(photo, [clip]);
  }
  if (pairsByFolder.size >= FOLDERS_KEPT) pairsByFolder.delete(pairsByFolder.keys().next().value!);
  pairsByFolder.set(dir, { mtimeMs: st.mtimeMs, clips });
  return clips;
}
