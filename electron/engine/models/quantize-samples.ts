/**
 * What `models quantize` checks an int8 model on: photos of the person's library (a spread
 * sample of indexed photos still on disk), or of a folder they name.
 */
import fs from 'node:fs';
import path from 'node:path';
import { openLibrary } from '../store/library.ts';
import { sampleIndexedPhotoPaths } from '../store/photo-sample.ts';
import { spreadSample } from '../tags/all-prompts.ts';
import { apiError } from '../../shared/api.ts';

const IMAGE = /\.(jpe?g|png|webp|gif|tiff?|avif|heic|heif|bmp)$/i;

export function folderCheckPhotos(dir: string, limit: number): string[] {
  if (!fs.existsSync(dir)) throw apiError('folder-missing', { path: dir }, `--check: not a folder: ${dir}`);
  if (!fs.statSync(dir).isDirectory()) throw apiError('folder-not-a-folder', { path: dir }, `--check: not a folder: ${dir}`);
  const found: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.name.startsWith('.')) continue;
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (IMAGE.test(e.name)) found.push(p);
    }
  };
  walk(path.resolve(dir));
  return spreadSample(found, limit);
}

/** Up to `limit` indexed photos of the library at `dbFile` that still exist; none without a library. */
export function libraryCheckPhotos(dbFile: string, limit: number): string[] {
  if (!fs.existsSync(dbFile)) return [];
  const lib = openLibrary(dbFile);
  try {
    return sampleIndexedPhotoPaths(lib, limit * 2).filter((p) => fs.existsSync(p)).slice(0, limit);
  } finally {
    lib.close();
  }
}
