/**
 * Files the transports serve for a photo id: the original (only if the id is in the index) and
 * a thumbnail generated on demand and cached on disk, keyed by content hash so an edited photo
 * gets a fresh one and a moved photo keeps its. A video's thumbnail is its poster, and any moment
 * of it (a search segment's frame) is a frame picture (video-frames/frame-images.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { ApiError, apiError } from '../shared/api.ts';
import type { MediaProvider, MediaSlice } from '../shared/handlers.ts';
import { makePlaceholderThumbnail, makeThumbnail } from './media/thumbnail.ts';
import type { Library } from './store/library.ts';
import type { PhotoRow } from './store/rows.ts';
import type { VideoFrameRepository } from './store/video-frames.ts';
import { LibraryBounds, PolicySkip } from './library/link-policy.ts';
import { probeRoot } from './library/root-availability.ts';
import type { FrameImages } from './video-frames/frame-images.ts';
import { posterTime } from './video/frames.ts';
import { photoClipOf } from './video/photo-clip.ts';

export const THUMBNAIL_MAX_SIDE = 384;

/** Where a video's pictures come from: the frame pictures, and the serving model's stored frame times. */
export interface VideoPictures {
  images: FrameImages;
  frames: () => VideoFrameRepository;
}

export class ThumbnailCache {
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(
    private readonly lib: Library,
    private readonly dir: string,
    private readonly videos?: VideoPictures,
  ) {}

  async original(photoId: number): Promise<string> {
    const row = this.lib.photos.get(photoId);
    if (!row) throw apiError('photo-unknown', { id: String(photoId) }, `no photo with id ${photoId}`);
    // Links and undecodable names are never read by the library (link-policy.ts), not even to serve them.
    if (row.status === 'skipped' && /^(symlink|unreadable-name):/.test(row.skipReason ?? '')) {
      throw apiError('photo-not-read', { id: String(photoId) }, `photo ${photoId} is not read by the library (${row.skipReason})`);
    }
    // Its folder is away (an unplugged drive): say so, so the person knows what to plug in — also
    // when it went away a moment ago and the engine has not noticed yet (the file is gone, and so
    // is its folder, or the folder is not on the drive it was on).
    const folder = this.lib.folders.get(row.folderId);
    const offline = (): ApiError => apiError('folder-offline', { path: folder!.path }, `photo ${photoId} is in ${folder!.path}, which is offline`);
    if (folder?.offline) throw offline();
    if (!fs.existsSync(row.path)) {
      if (folder && !(await probeRoot({ path: folder.path, device: folder.device, samples: () => [{ ...row, fileId: null }] })).online) throw offline();
      throw apiError('photo-file-gone', { path: row.path }, `photo file is gone: ${row.path}`);
    }
    return row.path;
  }

  /** A photo's clip: a Live Photo's .MOV or a motion photo's MP4 (checked like the original: indexed, folder present). */
  async photoClip(photoId: number): Promise<MediaSlice> {
    const photo = await this.original(photoId);
    const clip = this.lib.photos.get(photoId)?.kind === 'video' ? null : await photoClipOf(photo);
    if (!clip) throw apiError('photo-no-live-clip', { id: String(photoId) }, `photo ${photoId} has no Live Photo or motion photo clip`);
    return { file: clip.file, offset: clip.offset, length: clip.length };
  }

  async thumbnail(photoId: number): Promise<string> {
    const cached = await this.thumbnailOfOffline(photoId);
    if (cached) return cached;
    const row = this.lib.photos.get(photoId);
    if (row?.kind === 'video') return this.videoFrame(photoId, posterTime(row.durationS ?? 0));
    for (let look = 0; ; look++) {
      let src: string;
      try {
        src = await this.readableSource(photoId);
      } catch (err) {
        // Gone a moment ago with its folder: the thumbnail cached while it was there, or a placeholder.
        const away = err instanceof ApiError && err.detail?.reason === 'folder-offline' ? await this.thumbnailOfOffline(photoId, true) : null;
        if (away) return away;
        throw err;
      }
      try {
        return await this.photoThumbnail(row!, src);
      } catch (err) {
        // The file went while it was being decoded (its drive unplugged that moment, or the file
        // deleted): look again, which says which — not that the file is damaged.
        if (look === 0 && !fs.existsSync(src)) continue;
        throw err;
      }
    }
  }

  /**
   * The picture of a video at `tS` seconds: the stored frame nearest it (the one its segment
   * matched on, when asked for a segment's best time), decoded once if the cache lost it.
   */
  async videoFrame(photoId: number, tS: number): Promise<string> {
    const src = await this.readableSource(photoId);
    const row = this.lib.photos.get(photoId)!;
    if (row.kind !== 'video' || !this.videos) throw apiError('video-not-a-video', { id: String(photoId) }, `photo ${photoId} is not a video`);
    if (row.status !== 'indexed' || !row.hash) throw apiError('video-not-indexed', { path: row.path }, `video ${photoId} is not indexed yet (${row.status})`);
    const times = this.videos.frames().framesOf(photoId).map((f) => f.t);
    try {
      return await this.videos.images.resolve(src, row.hash, times, Math.max(0, tS));
    } catch (err) {
      // The file went while it was being decoded: the look again says how (its folder away, or the file gone).
      if (!fs.existsSync(src)) await this.readableSource(photoId);
      throw apiError('video-frame-failed', { name: path.basename(src) }, `cannot show a frame of ${path.basename(src)}: ${err instanceof Error ? err.message : err}`);
    }
  }

  /** The original's real path, checked against the library roots before a single byte is decoded. */
  private async readableSource(photoId: number): Promise<string> {
    const linked = await this.original(photoId);
    // The real path is what gets decoded (link-policy.ts): a picture of a file outside the library is never made.
    const bounds = await LibraryBounds.resolve(this.lib.folders.list().map((f) => f.path));
    try {
      return await bounds.checkReadable(linked);
    } catch (err) {
      // Gone between the look above and this check (a drive unplugged that moment): the look again says how.
      if (err instanceof PolicySkip && !fs.existsSync(linked)) await this.original(photoId);
      if (err instanceof PolicySkip) throw apiError('photo-not-read', { id: String(photoId) }, `photo ${photoId}: ${err.message}`);
      throw err;
    }
  }

  private async photoThumbnail(row: PhotoRow, src: string): Promise<string> {
    const out = this.thumbnailPath(row);
    if (fs.existsSync(out)) return out;
    let job = this.inFlight.get(out);
    if (!job) {
      job = (async () => {
        fs.mkdirSync(path.dirname(out), { recursive: true });
        try {
          await makeThumbnail(src, out, THUMBNAIL_MAX_SIDE);
        } catch (err) {
          throw apiError('thumbnail-failed', { name: path.basename(src) }, `cannot make a thumbnail of ${path.basename(src)}: ${err instanceof Error ? err.message : err}`);
        }
        return out;
      })().finally(() => this.inFlight.delete(out));
      this.inFlight.set(out, job);
    }
    return job;
  }

  private thumbnailPath(row: { hash: string | null; size: number; mtimeMs: number }): string {
    const key = (row.hash ?? `${row.size}-${row.mtimeMs}`).slice(0, 40);
    return path.join(this.dir, key.slice(0, 2), `${key}.jpg`);
  }

  /**
   * A photo whose folder is away still shows in results (marked offline): its thumbnail, made
   * while the folder was there, is served from the cache — nothing of the folder is read — or,
   * when none was made, a plain placeholder tile.
   */
  private async thumbnailOfOffline(photoId: number, away = false): Promise<string | null> {
    const row = this.lib.photos.get(photoId);
    if (!row || !(away || this.lib.folders.get(row.folderId)?.offline)) return null;
    const out = this.thumbnailPath(row);
    if (fs.existsSync(out)) return out;
    const placeholder = path.join(this.dir, 'offline.jpg');
    if (!fs.existsSync(placeholder)) await makePlaceholderThumbnail(placeholder, THUMBNAIL_MAX_SIDE);
    return placeholder;
  }
}

/**
 * What transports may serve of a library: originals, thumbnails (made here, cached in `thumbDir`)
 * and videos' frames. The transports check every path against these roots again (media-guard.ts).
 */
export function libraryMedia(lib: Library, thumbDir: string, videos: VideoPictures): MediaProvider {
  const thumbs = new ThumbnailCache(lib, thumbDir, videos);
  return {
    mediaFile: (id, kind, atMs) => (kind === 'thumb' ? thumbs.thumbnail(id) : kind === 'frame' ? thumbs.videoFrame(id, (atMs ?? 0) / 1000) : thumbs.original(id)),
    photoClip: (id) => thumbs.photoClip(id),
    libraryRoots: async () => lib.folders.list().map((f) => f.path),
    thumbnailRoots: async () => [thumbDir],
  };
}
