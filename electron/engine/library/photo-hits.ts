/** Photo rows as the API returns them (search, similar, browsing): hits with scores, and their tags attached a page at a time. */
import path from 'node:path';
import type { PhotoHit, StackBadge, VideoSegment } from '../../shared/api.ts';
import type { Library } from '../store/library.ts';

/** A row as a hit; a video's hit in a search carries the segment that matched. */
export function toHit(
  r: { id: number; path: string; width: number | null; height: number | null; takenAt: number | null; kind?: 'photo' | 'video'; durationS?: number | null },
  score: number,
  segment?: VideoSegment,
): PhotoHit {
  const kind = r.kind ?? 'photo';
  return {
    id: r.id,
    path: r.path,
    kind,
    ...(kind === 'video' ? { durationS: r.durationS ?? null } : {}),
    ...(segment ? { segment: roundSegment(segment) } : {}),
    score: Math.round(score * 1e4) / 1e4,
    fileName: path.basename(r.path),
    folder: path.dirname(r.path),
    width: r.width,
    height: r.height,
    takenAt: r.takenAt != null ? new Date(r.takenAt).toISOString() : null,
  };
}

/** Seconds to the millisecond: what a player can seek to, without float noise in JSON. */
function roundSegment(s: VideoSegment): VideoSegment {
  const ms = (x: number): number => Math.round(x * 1000) / 1000;
  return { start: ms(s.start), end: ms(s.end), bestTime: ms(s.bestTime) };
}

/**
 * Each hit's tags, read in one query for the whole page (not one per photo) — and its stack, so
 * every list that shows photos says which stand for a stack (attachStacks).
 */
export function attachTags<T extends { id: number; tags?: { name: string; score: number }[]; stack?: StackBadge | null }>(lib: Library, hits: T[]): T[] {
  const tags = lib.tags.photoTagsMany(hits.map((h) => h.id));
  for (const h of hits) h.tags = tags.get(h.id) ?? [];
  return attachStacks(lib, hits);
}

/** Each hit's stack (null when the photo is in none), in one query for the page. */
export function attachStacks<T extends { id: number; stack?: StackBadge | null }>(lib: Library, hits: T[]): T[] {
  const stacks = lib.stacks.badges(hits.map((h) => h.id));
  for (const h of hits) h.stack = stacks.get(h.id) ?? null;
  return hits;
}
