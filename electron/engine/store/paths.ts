/**
 * Directory keys for folder filters. photos.dir is the parent directory in platform form and
 * ALWAYS ends with a separator, so "photo is under folder F" is the plain byte range
 * [F + sep, F + next(sep)) — '/' (0x2F) is followed by '0', '\\' (0x5C) by ']'. SQLite compares
 * TEXT with memcmp (BINARY collation), which orders UTF-8 by code point, so CJK paths work too.
 */
import path from 'node:path';

function endsWithSep(p: string): boolean {
  return p.endsWith('/') || p.endsWith(path.sep);
}

/** Parent directory of a file, with a trailing separator. */
export function dirOf(filePath: string): string {
  const dir = path.dirname(filePath);
  return endsWithSep(dir) ? dir : dir + path.sep;
}

/** Half-open [lo, hi) range of `dir` values inside `folder` (the folder itself included). */
export function subtreeRange(folder: string): { lo: string; hi: string } {
  const lo = endsWithSep(folder) ? folder : folder + path.sep;
  const sep = lo.charCodeAt(lo.length - 1);
  return { lo, hi: lo.slice(0, -1) + String.fromCharCode(sep + 1) };
}
