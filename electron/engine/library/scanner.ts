/**
 * Walk a watched folder for photos. Hidden folders and the caches photo tools leave behind are
 * skipped; symlinks are not followed (a link can point out of the library or make a cycle).
 */
import fs from 'node:fs';
import path from 'node:path';
import { isSupportedImagePath } from '../media/formats.ts';

export interface FoundFile {
  path: string;
  size: number;
  mtimeMs: number;
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

export async function* walkPhotos(root: string): AsyncGenerator<FoundFile> {
  const stack = [root];
  while (stack.length) {
    const dir = stack.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = await fs.promises.readdir(dir, { withFileTypes: true });
    } catch {
      continue; // unreadable folder (permissions, vanished mid-scan): nothing to index there
    }
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!isIgnoredDir(e.name)) stack.push(full);
      } else if (e.isFile() && !e.name.startsWith('.') && isSupportedImagePath(full)) {
        try {
          const st = await fs.promises.stat(full);
          yield { path: full, size: st.size, mtimeMs: Math.trunc(st.mtimeMs) };
        } catch {
          // deleted between readdir and stat
        }
      }
    }
  }
}
