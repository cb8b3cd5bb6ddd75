/**
 * A spread-out sample of the library's indexed photos (paths; videos are left out), for checks that want "the person's
 * own photos" without reading the whole library: ids are scrambled by a multiplicative hash, so the
 * sample is the same every time for the same library yet not just the oldest folder.
 */
import type { Library } from './library.ts';

export function sampleIndexedPhotoPaths(lib: Library, limit: number): string[] {
  return lib.db.sql
    .prepare(`SELECT path FROM photos WHERE kind = 'photo' AND status = 'indexed' ORDER BY (id * 2654435761) % 4294967296 LIMIT ?`)
    .pluck()
    .all(limit) as string[];
}
