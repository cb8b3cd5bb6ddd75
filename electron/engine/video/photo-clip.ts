/**
 * The moving part of a photo, for the viewer: a Live Photo's clip (the .MOV beside the photo) or a
 * motion photo's video (the MP4 that Pixel, Samsung, Xiaomi and other Android cameras append to
 * the JPEG/HEIC after the picture). Found with the rules the scanner and the indexer already use
 * (live-photos.ts, motion-photo.ts), so the clip the library hides is the one the viewer plays.
 * A motion photo's video is served as that byte range of the photo's own file: nothing is cut out
 * or written anywhere.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { livePhotoClipOf, movieHeaderDuration } from './live-clip.ts';
import { locateMotionPhotoVideo } from './motion-photo.ts';

export interface PhotoClip {
  /** The file holding the video: the .MOV beside the photo, or the photo itself. */
  file: string;
  /** Where in that file the video is (0 and the file's size for a .MOV). */
  offset: number;
  length: number;
  durationS: number | null;
  kind: 'live-photo' | 'motion-photo';
}

const MOTION_PHOTO_EXTENSIONS: ReadonlySet<string> = new Set(['.jpg', '.jpeg', '.heic', '.heif']);
/** Larger photos are not read whole to look for a video (phone motion photos are 2–15 MB). */
const MAX_MOTION_PHOTO_BYTES = 64 * 2 ** 20;
/**
 * Motion-photo answers by (path, size, mtime): they depend on the photo's bytes alone, and a
 * player asks once per range request. A Live Photo's clip is looked for every time (a listing and
 * a few small reads): its .MOV may arrive after the photo, which does not change.
 */
const motionKnown = new Map<string, PhotoClip | null>();
const KNOWN_MAX = 256;

/** The photo's clip, or null when it has none (or cannot be read now). */
export async function photoClipOf(photo: string): Promise<PhotoClip | null> {
  const st = await fs.stat(photo).catch(() => null);
  if (!st?.isFile()) return null;
  const live = await liveClip(photo);
  if (live) return live;
  const key = `${photo}\0${st.size}\0${Math.trunc(st.mtimeMs)}`;
  if (motionKnown.has(key)) return motionKnown.get(key)!;
  const clip = await motionClip(photo, st.size);
  if (motionKnown.size >= KNOWN_MAX) motionKnown.clear();
  motionKnown.set(key, clip);
  return clip;
}

async function liveClip(photo: string): Promise<PhotoClip | null> {
  const live = await livePhotoClipOf(photo);
  if (!live) return null;
  const st = await fs.stat(live.path).catch(() => null);
  return st ? { file: live.path, offset: 0, length: st.size, durationS: live.durationS, kind: 'live-photo' } : null;
}

async function motionClip(photo: string, size: number): Promise<PhotoClip | null> {
  if (!MOTION_PHOTO_EXTENSIONS.has(path.extname(photo).toLowerCase()) || size > MAX_MOTION_PHOTO_BYTES) return null;
  const bytes = await fs.readFile(photo).catch(() => null);
  const video = bytes ? locateMotionPhotoVideo(bytes) : null;
  if (!video) return null;
  const durationS = await movieHeaderDuration(photo, video.offset, video.length);
  return { file: photo, offset: video.offset, length: video.length, durationS, kind: 'motion-photo' };
}
