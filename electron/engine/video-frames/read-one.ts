/**
 * One video, read for one model: its frames sampled (video/read-video.ts: settled → probe →
 * frames → unchanged), each frame's JPEG written while it is in hand, the frames encoded by the
 * model's image tower in small batches (the same worker as photos), and the result ready to store.
 * Nothing is stored here: the pass stores the frames and the row in one transaction once the whole
 * video was read, so a video stopped half-way (shutdown, a cut-off file) leaves nothing behind.
 */
import { hashFile } from '../library/file-identity.ts';
import type { PreprocessSpec } from '../media/decode.ts';
import type { FrameToStore } from '../store/video-frames.ts';
import type { VideoMeta } from '../store/videos.ts';
import { readVideo, type ReadVideoOptions } from '../video/read-video.ts';
import type { FrameImages } from './frame-images.ts';

/** The image tower as the pass uses it (ModelRuntime). */
export interface FrameEmbedder {
  readonly preprocessSpec: PreprocessSpec;
  embedImageTensors(tensors: Float32Array[]): Promise<Float32Array[]>;
}

export interface ReadOneOptions extends Pick<ReadVideoOptions, 'intervalS' | 'sceneThreshold' | 'keyframesOnlyAfterS' | 'threads' | 'quietMs' | 'stallMs'> {
  signal: AbortSignal;
  /** Awaited before every frame: the indexer's photos go first (ffmpeg waits, back-pressured). */
  yieldTo: () => Promise<void>;
  /** Frames per encoder request. */
  batch: number;
}

export interface VideoRead {
  frames: FrameToStore[];
  meta: VideoMeta;
}

/** Reads `file` (a real path inside the library) whose row says `known`. Throws VideoError (video/errors.ts) for what is wrong with it. */
export async function readOneVideo(
  file: string,
  known: { hash: string | null; mtimeMs: number },
  embedder: FrameEmbedder,
  images: FrameImages,
  o: ReadOneOptions,
): Promise<VideoRead> {
  // Its name on disk for its frames' pictures; a changed video (hash cleared) is hashed once here.
  const hash = known.hash ?? (await hashFile(file));
  const frames: FrameToStore[] = [];
  let waiting: { t: number; reason: FrameToStore['reason']; tensor: Float32Array }[] = [];
  const flush = async (): Promise<void> => {
    if (waiting.length === 0) return;
    const batch = waiting;
    waiting = [];
    const vectors = await embedder.embedImageTensors(batch.map((f) => f.tensor));
    batch.forEach((f, i) => frames.push({ t: f.t, reason: f.reason, vector: vectors[i]! }));
  };
  const { intervalS, sceneThreshold, keyframesOnlyAfterS, threads, quietMs, stallMs, signal } = o;
  const read = await readVideo(file, {
    spec: embedder.preprocessSpec,
    intervalS,
    sceneThreshold,
    keyframesOnlyAfterS,
    threads,
    quietMs,
    stallMs,
    signal,
    onFrame: async (f) => {
      await o.yieldTo();
      // The RGB is valid only until this returns: its JPEG is made now.
      await images.write(hash, f.t, f.rgb);
      waiting.push({ t: f.t, reason: f.reason, tensor: f.tensor });
      if (waiting.length >= o.batch) await flush();
    },
  });
  await flush();
  const p = read.probe;
  return {
    frames,
    meta: {
      hash,
      width: p.video?.width ?? 0,
      height: p.video?.height ?? 0,
      durationS: read.durationS,
      takenAt: p.createdAtMs ?? known.mtimeMs,
      // 'exif': the file's own metadata says when (for a video, its container's creation time).
      takenAtSource: p.createdAtMs !== null ? 'exif' : 'mtime',
      cameraMake: p.make,
      cameraModel: p.model,
      gpsLat: p.location?.latitude ?? null,
      gpsLon: p.location?.longitude ?? null,
    },
  };
}
