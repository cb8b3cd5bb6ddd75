/**
 * A photo row's facts → what the grouping compares (relations.ts Picture). The lead's per-photo
 * pass calls this with the columns the indexer stores (photos.hash, phash, taken_at and its
 * source, camera, and the capture details of media/capture-details.ts) and the photo's vector.
 */
import { burstKeyFromName } from './burst-names.ts';
import { parsePhash } from './phash.ts';
import type { Picture } from './relations.ts';

export interface PhotoFacts {
  /** Content hash (SHA-256). */
  hash: string;
  path: string;
  /** media/fingerprint.ts's hex pHash, or null before it is computed. */
  phash: string | null;
  vector: Float32Array | null;
  takenAt: number | null;
  takenAtSource: 'exif' | 'mtime' | null;
  cameraMake: string | null;
  cameraModel: string | null;
  subSecMs: number | null;
  imageUniqueId: string | null;
  burstId: string | null;
}

export function pictureOf(f: PhotoFacts): Picture {
  const exifTime = f.takenAtSource === 'exif' && f.takenAt !== null ? f.takenAt + (f.subSecMs ?? 0) : null;
  const camera = f.cameraMake || f.cameraModel ? `${f.cameraMake ?? ''}\u0000${f.cameraModel ?? ''}` : null;
  // A capture is identified only when EXIF pins it down: a unique id, or the time to the
  // sub-second. Without sub-seconds, frames of one second would look like one capture.
  const captureId = f.imageUniqueId ? `id:${f.imageUniqueId}` : camera && exifTime !== null && f.subSecMs !== null ? `t:${camera}@${exifTime}` : null;
  return {
    key: f.hash,
    phash: f.phash ? parsePhash(f.phash) : null,
    vector: f.vector,
    takenAt: exifTime,
    camera,
    captureId,
    burstKey: f.burstId ? `apple:${f.burstId}` : burstKeyFromName(f.path),
  };
}
