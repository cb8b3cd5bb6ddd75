/** The search service: text → photos (by their looks and the text in them), photo → similar photos, image → similar photos. */
import { z } from 'zod';
import { pageCursor, pageLimit, photoId, type PhotoHit, type ResultLimitReason } from './common.ts';
import { requestFilter } from './filter.ts';

/** What a text search matches: photos that look like the query, photos whose text holds it, or both in one list. */
export type SearchMode = 'all' | 'visual' | 'text';

export interface SearchResponse {
  /** One page: the best `limit` matches after the cursor (or the first ones), best first. */
  hits: PhotoHit[];
  /** Milliseconds spent encoding the query (0 when it was cached from an earlier page) and searching vectors. */
  textMs: number;
  searchMs: number;
  /**
   * Pass back as `cursor`, with the same query and filter, for the next page; null when there is
   * no next page — either every matching photo has been returned, or `limit` says where it stopped.
   */
  nextCursor: string | null;
  /** Present when the results stop short of every matching photo: at most maxResults can be paged to, and why. */
  limit?: { maxResults: number; reason: ResultLimitReason };
  /** How many photos pass the filter (when the index answered). */
  matched?: number;
}

export const searchRequests = {
  search: z
    .object({
      query: z.string().min(1).max(1000),
      limit: pageLimit,
      cursor: pageCursor,
      /** all (default): the text in photos and their looks fused in one ranked list. */
      mode: z.enum(['all', 'visual', 'text']).default('all'),
      filter: requestFilter,
    })
    .strict(),
  /** `at`: for a video, the moment (seconds) whose frame to start from (default: its poster's). */
  similar: z.object({ photoId, at: z.number().min(0).max(1e7).optional(), limit: pageLimit, cursor: pageCursor, filter: requestFilter }).strict(),
  /** An image dropped on the window: its bytes (base64), not a path, so both transports work. */
  similarToImage: z
    .object({ dataBase64: z.string().min(1).max(80_000_000), limit: pageLimit, cursor: pageCursor, filter: requestFilter })
    .strict(),
} as const;

export interface SearchResponses {
  search: SearchResponse;
  similar: SearchResponse;
  similarToImage: SearchResponse;
}
