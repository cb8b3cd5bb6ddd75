/**
 * Walk a watched folder for photos and videos. Hidden folders, app data, NAS caches, recycle bins
 * and backups are skipped (ignored-folders.ts). Folders are read with Buffer names so that a name which is not valid UTF-8 is
 * still seen (see file-names.ts), and links follow the library's one policy (see link-policy.ts):
 * never followed below a root, and reported when they are named like photos.
 *
 * The moving half of a Live Photo (IMG_1234.MOV beside IMG_1234.HEIC, a clip of a few seconds) is
 * part of the photo, not an item of its own: it is not yielded (liveClipOf below).
 */
import fs from 'node:fs';
import path from 'node:path';
import { isSupportedImagePath } from '../media/formats.ts';
import type { ItemKind } from '../store/rows.ts';
import { isVideoPath } from '../video/containers.ts';
import { isLivePhotoClip } from '../video/live-clip.ts';
import { livePhotoCandidates } from '../video/live-photos.ts';
import { decodeName, unreadableNameReason } from './file-names.ts';
import { symlinkSkipReason, type LibraryBounds } from './link-policy.ts';
import { folderTimeoutMs, FolderTimeoutError, withDeadline } from './fs-deadline.ts';
import { isInOwnDir } from './own-dirs.ts';
import { isIgnoredFolder, isUnderIgnoredFolder } from './ignored-folders.ts';

export interface FoundFile {
  path: string;
  size: number;
  mtimeMs: number;
  /** "dev:ino" (lstat): what tells two swapped files of equal size and mtime apart; null where unknown. */
  fileId?: string | null;
  /** Set when the entry must not be read: the skip reason to record (a link, an unreadable name). */
  skip?: string;
  /** What it is by its name (default photo). */
  kind?: ItemKind;
}

/** A photo or a video, by name: what the library indexes. */
export function kindOfPath(p: string): ItemKind | null {
  if (isSupportedImagePath(p)) return 'photo';
  return isVideoPath(p) ? 'video' : null;
}

/**
 * True when `p` should be indexed: a supported photo or video, not hidden, not inside a folder of
 * `root` that holds no photos of the person's own (ignored-folders.ts), nor in the app's own (own-dirs.ts).
 */
export function isIndexablePath(root: string, p: string): boolean {
  if (kindOfPath(p) === null || isInOwnDir(p) || path.basename(p).startsWith('.')) return false;
  const rel = path.relative(root, p);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return false;
  return !isUnderIgnoredFolder(root, p);
}

/** "dev:ino", or null where the file system has no stable inode numbers (ino 0). */
export function fileIdOf(st: { dev: number; ino: number }): string | null {
  return st.ino ? `${st.dev}:${st.ino}` : null;
}

interface DirToWalk {
  raw: Buffer;
  text: string;
  /** False once any folder on the way has a name that is not valid UTF-8. */
  valid: boolean;
}

const SEP = Buffer.from(path.sep);

export interface WalkOptions {
  /**
   * Deadline for each listing and stat (fs-deadline.ts). Past it the walk throws
   * FolderTimeoutError: the root is offline for this pass and nothing under it is deleted.
   */
  timeoutMs?: number;
  /**
   * A folder (or file) below the root that exists but could not be read (permissions, I/O error):
   * the photos known under it must be kept, not taken for deleted.
   */
  onUnreadable?: (p: string, err: unknown) => void;
}

const codeOf = (err: unknown): string | undefined => (err as NodeJS.ErrnoException | undefined)?.code;

export async function* walkPhotos(root: string, bounds: LibraryBounds, opts: WalkOptions = {}): AsyncGenerator<FoundFile> {
  const ms = opts.timeoutMs ?? folderTimeoutMs();
  // fs.promises looked up at call time, so a test preload can slow it down like a network share.
  const call = <T>(op: () => Promise<T>): Promise<T> => withDeadline(root, ms, op);
  const stack: DirToWalk[] = [{ raw: Buffer.from(root), text: root, valid: true }];
  let first = true;
  while (stack.length) {
    const dir = stack.pop()!;
    let entries: fs.Dirent<Buffer>[];
    try {
      entries = await call(() => fs.promises.readdir(dir.raw, { withFileTypes: true, encoding: 'buffer' }));
    } catch (err) {
      // The root itself failing now (unplugged since it was probed), or anything not answering:
      // the whole root is away for this pass.
      if (first || err instanceof FolderTimeoutError) throw err;
      // Vanished mid-scan: nothing to index there. Unreadable: its photos are kept.
      if (codeOf(err) !== 'ENOENT') opts.onUnreadable?.(dir.text, err);
      continue;
    }
    first = false;
    const segments = dir.text.split(path.sep);
    const live = liveCandidates(dir, entries);
    for (const e of entries) {
      const name = decodeName(e.name);
      const raw = Buffer.concat([dir.raw, SEP, e.name]);
      const text = path.join(dir.text, name.text);
      const valid = dir.valid && name.valid;
      if (e.isDirectory()) {
        if (!isIgnoredFolder(segments, name.text) && !isInOwnDir(text)) stack.push({ raw, text, valid });
        continue;
      }
      const kind = kindOfPath(name.text);
      if (name.text.startsWith('.') || kind === null) continue;
      if (!e.isFile() && !e.isSymbolicLink()) continue; // FIFO, socket, device: never opened
      const st = await call(() => fs.promises.lstat(raw)).catch((err: unknown) => {
        if (err instanceof FolderTimeoutError) throw err;
        if (codeOf(err) !== 'ENOENT') opts.onUnreadable?.(text, err);
        return null;
      });
      if (!st) continue; // deleted between readdir and lstat, or unreadable (kept, see above)
      if (live.has(text) && st.isFile() && (await liveClipCached(text, st))) continue;
      const found: FoundFile = { path: text, size: st.size, mtimeMs: Math.trunc(st.mtimeMs), fileId: fileIdOf(st), kind };
      if (!valid) found.skip = unreadableNameReason();
      else if (st.isSymbolicLink()) found.skip = symlinkSkipReason(await bounds.classifyLink(text));
      else if (!st.isFile()) continue;
      yield found;
    }
  }
}

/** Videos of this folder named like a photo beside them (valid names only: an undecodable one is skipped anyway). */
function liveCandidates(dir: DirToWalk, entries: fs.Dirent<Buffer>[]): Set<string> {
  if (!dir.valid) return new Set();
  const names: string[] = [];
  for (const e of entries) {
    const n = decodeName(e.name);
    if (n.valid && !e.isDirectory()) names.push(path.join(dir.text, n.text));
  }
  return new Set(livePhotoCandidates(names).keys());
}

/**
 * The answer for a file as it is now (path, size, mtime), kept for the next scans: a library of
 * Live Photos is rescanned every few minutes under watch, and the clips do not change.
 */
const liveAnswers = new Map<string, boolean>();
const LIVE_ANSWERS_MAX = 100_000;

async function liveClipCached(file: string, st: fs.Stats): Promise<boolean> {
  const key = `${file}\0${st.size}\0${Math.trunc(st.mtimeMs)}`;
  const known = liveAnswers.get(key);
  if (known !== undefined) return known;
  const answer = await isLivePhotoClip(file);
  if (liveAnswers.size >= LIVE_ANSWERS_MAX) liveAnswers.clear();
  liveAnswers.set(key, answer);
  return answer;
}

/**
 * For a single file the watcher reports: true when it is a Live Photo's clip (a video named like a
 * photo in its folder, a few seconds long), so it is not an item.
 */
export async function isLiveClipPath(file: string): Promise<boolean> {
  if (!isVideoPath(file)) return false;
  const dir = path.dirname(file);
  const names = await fs.promises.readdir(dir).catch(() => [] as string[]);
  if (!livePhotoCandidates(names.map((n) => path.join(dir, n))).has(file)) return false;
  const st = await fs.promises.stat(file).catch(() => null);
  return st !== null && st.isFile() && liveClipCached(file, st);
}
