/**
 * The one gate every photo and video byte passes through, on both transports (desktop
 * `shiguang://media/…` and web `/media/…`): the id must be an indexed photo or video (the engine
 * resolves it), and the file's REAL path (symlinks resolved) must lie inside a real library root.
 * So a symlink planted in a watched folder that points at ~/.ssh, or a crafted URL, never serves a
 * file from elsewhere. A video's frames are pictures the engine made, served like thumbnails; its
 * original is served with HTTP Range requests (byte-range.ts), which a <video> element needs; so
 * is a Live Photo's clip (`live/<id>` of the photo), which must lie inside the library like it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../shared/api.ts';
import type { MediaKind, MediaProvider, MediaSlice } from '../shared/handlers.ts';
import { APP_SCHEME, MEDIA_HOST } from '../shared/ipc.ts';
import { httpStatusFor } from './errors.ts';
import { imageContentType, videoContentType } from './mime.ts';
import { isInsideRoots } from '../shared/inside-roots.ts';
import { answerRange, rangeHeaders } from './byte-range.ts';

/**
 * MediaProvider plus where generated thumbnails live. Thumbnails sit in the app's cache, outside
 * the library, so the guard also accepts that directory, for `thumb` requests only.
 */
export interface GuardedMediaProvider extends MediaProvider {
  thumbnailRoots?(): Promise<string[]>;
}

export interface MediaRef {
  kind: MediaKind;
  photoId: number;
  /** A frame's moment, ms from the start of the video. */
  atMs?: number;
}

// Digits only: no dots, no separators, no percent-escapes can reach the engine or the file system.
const MEDIA_PATH = /^\/(thumb|original|live)\/([1-9][0-9]{0,14})$/;
const FRAME_PATH = /^\/frame\/([1-9][0-9]{0,14})\/(0|[1-9][0-9]{0,9})$/;

/**
 * Parse `shiguang://media/<kind>/<id>` or an HTTP `/media/<kind>/<id>[?query]` (absolute or
 * path-only). Anything else — other hosts, extra segments, escapes, non-numeric ids — is null.
 */
export function parseMediaUrl(url: string): MediaRef | null {
  let u: URL;
  try {
    u = new URL(url, 'http://localhost');
  } catch {
    return null;
  }
  let rest: string;
  if (u.protocol === `${APP_SCHEME}:`) {
    if (u.hostname !== MEDIA_HOST) return null;
    rest = u.pathname;
  } else if (u.protocol === 'http:' || u.protocol === 'https:') {
    if (!u.pathname.startsWith('/media/')) return null;
    rest = u.pathname.slice('/media'.length);
  } else {
    return null;
  }
  const f = FRAME_PATH.exec(rest);
  if (f) {
    const photoId = Number(f[1]);
    return Number.isSafeInteger(photoId) ? { kind: 'frame', photoId, atMs: Number(f[2]) } : null;
  }
  const m = MEDIA_PATH.exec(rest);
  if (!m) return null;
  const photoId = Number(m[2]);
  if (!Number.isSafeInteger(photoId)) return null;
  return { kind: m[1] as MediaKind, photoId };
}

/**
 * True when `realFile` is strictly inside one of `realRoots` (both real paths; no I/O). The rule
 * is shared with the engine's link policy (shared/inside-roots.ts), so scan, watch, indexing and
 * serving agree on it.
 */
export function isServablePath(realFile: string, realRoots: readonly string[], pathImpl: typeof path = path): boolean {
  return isInsideRoots(realFile, realRoots, pathImpl);
}

export type MediaResult =
  /** `size` bytes from `offset` of `file` (0 and the whole file but for a motion photo's video). */
  | { type: 'file'; file: string; size: number; offset?: number; headers: Record<string, string> }
  | { type: 'not-modified'; headers: Record<string, string> }
  | { type: 'error'; status: number; message: string };

function refuse(status: number, message: string): MediaResult {
  return { type: 'error', status, message };
}

async function realRoots(roots: readonly string[]): Promise<string[]> {
  const real = await Promise.all(roots.map((r) => fs.promises.realpath(r).catch(() => null)));
  return real.filter((r): r is string => r !== null);
}

/** Roots a `kind` may be served from: the library, plus the thumbnail cache for thumbnails and frames. */
async function allowedRoots(media: GuardedMediaProvider, kind: MediaKind): Promise<string[]> {
  const library = await media.libraryRoots();
  if (kind === 'original' || kind === 'live' || !media.thumbnailRoots) return library;
  return [...library, ...(await media.thumbnailRoots())];
}

/** For a thumbnail request: a refusal when the photo's source file is outside the library, else null. */
async function sourceInsideLibrary(media: GuardedMediaProvider, photoId: number): Promise<MediaResult | null> {
  const source = await media.mediaFile(photoId, 'original');
  const roots = await realRoots(await media.libraryRoots());
  const real = await fs.promises.realpath(source).catch(() => null);
  if (real === null) return refuse(404, `photo ${photoId}: file is missing`);
  if (!isServablePath(real, roots)) return refuse(403, `photo ${photoId}: file is outside the library`);
  return null;
}

/**
 * Resolve a media request to a file that may be served, with its headers. Never throws: engine
 * errors become their HTTP status (404 for unknown ids, 503 while the engine restarts).
 * `ifNoneMatch` enables 304s; thumbnails are revalidated rather than cached blindly, because a
 * re-indexed photo keeps its id but gets a new thumbnail.
 */
export async function resolveMedia(media: GuardedMediaProvider, ref: MediaRef, ifNoneMatch?: string): Promise<MediaResult> {
  let file: string;
  let roots: string[];
  let slice: MediaSlice | null = null;
  try {
    // A thumbnail is made from the original: the original's real path is checked against the
    // library roots before the engine is asked to decode it (a link to a file outside the
    // library must not be rendered into a servable thumbnail).
    if (ref.kind !== 'original') {
      const source = await sourceInsideLibrary(media, ref.photoId).catch((err: unknown) => {
        // Its folder is offline (an unplugged drive): the engine then serves only the thumbnail
        // cached while it was there, or a placeholder — nothing of the folder is read or decoded.
        if (ApiError.from(err).detail?.reason === 'folder-offline') return null;
        throw err;
      });
      if (source) return source;
    }
    if (ref.kind === 'live') {
      if (!media.photoClip) return refuse(404, `photo ${ref.photoId}: no clips are served here`);
      slice = await media.photoClip(ref.photoId);
      file = slice.file;
    } else {
      file = await media.mediaFile(ref.photoId, ref.kind, ref.atMs);
    }
    roots = await realRoots(await allowedRoots(media, ref.kind));
  } catch (err) {
    const e = ApiError.from(err);
    return refuse(httpStatusFor(e.code), e.message);
  }
  let real: string;
  let stat: fs.Stats;
  try {
    real = await fs.promises.realpath(file);
    stat = await fs.promises.stat(real);
  } catch {
    return refuse(404, `photo ${ref.photoId}: file is missing`);
  }
  if (!isServablePath(real, roots)) return refuse(403, `photo ${ref.photoId}: file is outside the library`);
  // Pictures are images; an original may also be a video; a clip is a video (a motion photo's is
  // the MP4 inside the JPEG).
  const type = slice ? (slice.offset > 0 ? 'video/mp4' : videoContentType(real)) : (imageContentType(real) ?? (ref.kind === 'original' ? videoContentType(real) : null));
  if (!type) return refuse(403, `photo ${ref.photoId}: not an image or video type that is served`);
  if (!stat.isFile()) return refuse(404, `photo ${ref.photoId}: not a file`);
  const offset = slice?.offset ?? 0;
  const size = slice ? slice.length : stat.size;
  if (offset < 0 || size < 0 || offset + size > stat.size) return refuse(404, `photo ${ref.photoId}: its clip is not in the file any more`);

  const etag = `W/"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}${offset ? `-${offset.toString(16)}` : ''}"`;
  const headers: Record<string, string> = {
    'Content-Type': type,
    'Cache-Control': 'private, no-cache',
    ETag: etag,
    'Last-Modified': stat.mtime.toUTCString(),
    'X-Content-Type-Options': 'nosniff',
    'Accept-Ranges': 'bytes',
  };
  if (ifNoneMatch !== undefined && ifNoneMatch.split(',').some((t) => t.trim() === etag)) {
    return { type: 'not-modified', headers };
  }
  return { type: 'file', file: real, size, ...(offset ? { offset } : {}), headers: { ...headers, 'Content-Length': String(size) } };
}

/** How to answer a servable file: the whole of it (200), a range (206), or no range of it (416). */
export interface MediaBody {
  status: 200 | 206 | 416;
  headers: Record<string, string>;
  /** Bytes of the file to send, both ends inclusive (absent for a 416): a motion photo's video is offset into its JPEG. */
  range?: { start: number; end: number };
}

/** The status, headers and bytes for a resolved file and the request's Range / If-Range headers. */
export function mediaBody(r: Extract<MediaResult, { type: 'file' }>, range?: string, ifRange?: string): MediaBody {
  const { 'Content-Length': _whole, ...headers } = r.headers;
  const answer = answerRange(range, r.size, { etag: r.headers.ETag!, lastModified: r.headers['Last-Modified']!, ifRange });
  const sized = { ...headers, ...rangeHeaders(answer, r.size) };
  const at = r.offset ?? 0;
  if (answer.type === 'partial') return { status: 206, headers: sized, range: { start: at + answer.start, end: at + answer.end } };
  if (answer.type === 'unsatisfiable') return { status: 416, headers: sized };
  return { status: 200, headers: sized, ...(r.size > 0 ? { range: { start: at, end: at + r.size - 1 } } : {}) };
}
