/**
 * Apple Live Photos: the camera writes IMG_1234.HEIC (or .JPG) and IMG_1234.MOV, a ~3 s clip, side
 * by side. The clip belongs to the photo: it is not a separate library item (it is shown with the
 * photo, and searching finds the photo).
 *
 * Rule: a video belongs to a photo when both are in the same folder with the same base name
 * (case-insensitive: IMG_1234.HEIC + IMG_1234.mov; exports also write IMG_1234.JPG + IMG_1234.MOV),
 * the video is a .mov or .mp4, and
 * - when both carry Apple's content identifier (the MOV's com.apple.quicktime.content.identifier,
 *   the photo's MakerNote ContentIdentifier), they are equal — different identifiers mean two
 *   unrelated files that happen to share a name;
 * - otherwise (an identifier missing, e.g. after an export that stripped the MakerNote) the video is
 *   at most LIVE_PHOTO_MAX_S long: Live Photo clips are ~3 s, and a real video that happens to share
 *   a photo's name (a camera that numbers both series alike) stays a video.
 */
import path from 'node:path';

export const LIVE_PHOTO_PHOTO_EXTENSIONS: ReadonlySet<string> = new Set(['.heic', '.heif', '.jpg', '.jpeg']);
export const LIVE_PHOTO_VIDEO_EXTENSIONS: ReadonlySet<string> = new Set(['.mov', '.mp4']);
/** Longest clip accepted as a Live Photo without a matching identifier, seconds. */
export const LIVE_PHOTO_MAX_S = 6;

/** "folder/img_1234" for both halves of a pair (the key they share), or null for other files. */
function pairKey(file: string, exts: ReadonlySet<string>): string | null {
  const ext = path.extname(file);
  if (!exts.has(ext.toLowerCase())) return null;
  return path.join(path.dirname(file), path.basename(file, ext)).toLowerCase();
}

/**
 * Candidate pairs among the files of a listing: video → photo, by name only. The caller confirms
 * each with `isLivePhotoPair` once it knows the identifiers and the duration.
 */
export function livePhotoCandidates(files: readonly string[]): Map<string, string> {
  const photos = new Map<string, string>();
  for (const f of files) {
    const k = pairKey(f, LIVE_PHOTO_PHOTO_EXTENSIONS);
    // Prefer HEIC over a JPG of the same name (an edited export beside the original).
    if (k && (!photos.has(k) || /\.hei[cf]$/i.test(f))) photos.set(k, f);
  }
  const out = new Map<string, string>();
  for (const f of files) {
    const k = pairKey(f, LIVE_PHOTO_VIDEO_EXTENSIONS);
    const photo = k ? photos.get(k) : undefined;
    if (photo) out.set(f, photo);
  }
  return out;
}

export interface LivePhotoEvidence {
  /** The MOV's content identifier (VideoProbe.contentIdentifier). */
  videoContentId: string | null;
  /** The photo's Apple MakerNote ContentIdentifier, when read. */
  photoContentId: string | null;
  videoDurationS: number;
}

export function isLivePhotoPair(e: LivePhotoEvidence): boolean {
  if (e.videoContentId && e.photoContentId) return e.videoContentId.toUpperCase() === e.photoContentId.toUpperCase();
  return e.videoDurationS > 0 && e.videoDurationS <= LIVE_PHOTO_MAX_S;
}
