/**
 * Shapes several services share: a photo as lists show it, and the paging fields of list
 * requests. Pure TypeScript + zod.
 */
import { z } from 'zod';
import { MAX_PAGE_SIZE } from '../paging.ts';

/** A moment of a video, in seconds from its start: the stretch that matched and the frame that matched best. */
export interface VideoSegment {
  start: number;
  end: number;
  /** Where the best-matching frame is: the tile's picture, and where the player starts. */
  bestTime: number;
}

/** A library item in a list: a photo, or a video (once per matching segment in a search). */
export interface PhotoHit {
  id: number;
  path: string;
  /** What the item is (engines before videos leave it out: a photo). */
  kind?: 'photo' | 'video';
  /** A video's length in seconds (null while unknown). */
  durationS?: number | null;
  /** A video hit of a search or similar-search: the segment that matched (a video appears once per segment). */
  segment?: VideoSegment;
  /** Cosine similarity in [-1, 1]; higher is better (0 in lists that are not ranked by looks). */
  score: number;
  fileName: string;
  folder: string;
  width: number | null;
  height: number | null;
  takenAt: string | null; // ISO 8601
  tags?: { name: string; score: number }[];
  /** Text searches: why the photo is in the list — the text in it, its looks, or both. */
  matchedBy?: 'text' | 'visual' | 'both';
  /** When it matched by text: the line(s) that matched, as recognised, and the match's range in them. */
  matchedText?: { text: string; start: number; end: number };
  /**
   * Searches: relevance on one scale for text and visual matches, 0–1 (0.5 at the boundary): the
   * number to show instead of the cosine `score`, which text matches do not have in common with
   * looks. Does not rise down a list.
   */
  relevance?: number;
  /** Searches: above the relevance boundary (false: one of the weaker results behind "show more"). */
  relevant?: boolean;
  /**
   * The stack this photo stands for (copies of one picture, or a burst), null when it is in none.
   * Lists show a stack once, as its cover; `filter.stack = id` lists its photos.
   */
  stack?: StackBadge | null;
}

/** Exact: byte-identical copies; near: the same picture resized, recompressed, converted or slightly cropped; burst: shots of one moment. */
export type StackKind = 'exact' | 'near' | 'burst';

export interface StackBadge {
  id: number;
  /** Photos in the stack. */
  size: number;
  kind: StackKind;
  /** The photo shown for the stack: the person's pick, else the best copy (resolution, sharpness, file size). */
  coverId: number;
}

/** Why a result list stops before every matching photo (see a page's `limit`). */
export type ResultLimitReason =
  /** The vector index is being built; until then sqlite-vec answers, and its KNN stops at maxResults. */
  | 'index-building'
  /** Search is set to sqlite-vec only (SHIGUANG_VECTOR_INDEX=sqlite, or a one-shot CLI query). */
  | 'sqlite-only'
  /** Asked while a write transaction was open (engine-internal callers only). */
  | 'in-transaction';

export const pageLimit = z.number().int().min(1).max(MAX_PAGE_SIZE).default(200);
/** Opaque: the nextCursor of the previous page of the same list. */
export const pageCursor = z.string().min(1).max(512).optional();
export const photoId = z.number().int().positive();
