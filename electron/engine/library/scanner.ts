/**
 * Walk a watched folder for photos. Hidden folders and the caches photo tools leave behind are
 * skipped. Folders are read with Buffer names so that a name which is not valid UTF-8 is still
 * seen (see file-names.ts), and links follow the library's one policy (see link-policy.ts): never
 * followed below a root, and reported when they are named like photos.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isSupportedImagePath } from '../media/formats.ts';
import { decodeName, unreadableNameReason } from './file-names.ts';
import { symlinkSkipReason, type LibraryBounds } from './link-policy.ts';
import { folderTimeoutMs, FolderTimeoutError, withDeadline } from './fs-deadline.ts';

export interface FoundFile {
  path: string;
  size: number;
  mtimeMs: number;
  /** "dev:ino" (lstat): what tells two swapped files of equal size and mtime apart; null where unknown. */
  fileId?: string | null;
  /** Set when the entry must not be read: the skip reason to record (a link, an unreadable name). */
  skip?: string;
}

const IGNORED_DIRS = new Set(['@eaDir', '$RECYCLE.BIN', 'System Volume Information', 'node_modules', '.thumbnails', '#recycle']);

export function isIgnoredDir(name: string): boolean {
  return name.startsWith('.') || IGNORED_DIRS.has(name);
}

/** True when `p` should be indexed: a supported photo not inside an ignored folder of `root`. */
export function isIndexablePath(root: string, p: string): boolean {
  if (!isSupportedImagePath(p)) return false;
  const rel = path.relative(root, p);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return false;
  const parts = rel.split(path.sep);
  return !parts.slice(0, -1).some(isIgnoredDir) && !parts[parts.length - 1].startsWith('.');
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
    for (const e of entries) {
      const name = decodeName(e.name);
      const raw = Buffer.concat([dir.raw, SEP, e.name]);
      const text = path.join(dir.text, name.text);
      const valid = dir.valid && name.valid;
      if (e.isDirectory()) {
        if (!isIgnoredDir(name.text)) stack.push({ raw, text, valid });
        continue;
      }
      if (name.text.startsWith('.') || !isSupportedImagePath(name.text)) continue;
      if (!e.isFile() && !e.isSymbolicLink()) continue; // FIFO, socket, device: never opened
      const st = await call(() => fs.promises.lstat(raw)).catch((err: unknown) => {
        if (err instanceof FolderTimeoutError) throw err;
        if (codeOf(err) !== 'ENOENT') opts.onUnreadable?.(text, err);
        return null;
      });
      if (!st) continue; // deleted between readdir and lstat, or unreadable (kept, see above)
      const found: FoundFile = { path: text, size: st.size, mtimeMs: Math.trunc(st.mtimeMs), fileId: fileIdOf(st) };
      if (!valid) found.skip = unreadableNameReason();
      else if (st.isSymbolicLink()) found.skip = symlinkSkipReason(await bounds.classifyLink(text));
      else if (!st.isFile()) continue;
      yield found;
    }
  }
}
