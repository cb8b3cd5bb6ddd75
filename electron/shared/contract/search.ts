/** The search service: text → photos (by their looks and the text in them), photo → similar photos, image → similar photos. */
import { z } from 'zod';
import { pageCursor, pageLimit, photoId, type PhotoHit, type ResultLimitReason } from './common.ts';
import { requestFilter } from './filter.ts';
import { MAX_QUERY_LENGTH } from './limits.ts';

/** How a query is matched: all (the text in photos and their looks in one list), visual, text. */
export const SEARCH_MODES = ['all', 'visual', 'text'] as const;

/** What a text search matches: photos that look like the query, photos whose text holds it, or both in one list. */
export type SearchMode = (typeof SEARCH_MODES)[number];

export type PlaceLevel = 'country' | 'province' | 'city' | 'district';

/**
 * What a text query was understood to say besides what the photos show — when, where, what kind
 * of file, which camera — and what was left for the visual and text search. The understood parts
 * narrow the search like the filter chosen in the UI (both hold).
 */
export interface QueryReading {
  /** When: [from, to) as local times (ISO 8601 with the offset; `to` exclusive), hours of the day [from, to) (from > to crosses midnight), days of the week (ISO 1–7, 周末: 6, 7), a month and day of every year (那年今日), and how it was said (前年冬天). */
  time: { from: string | null; to: string | null; label: string; hours?: { from: number; to: number }; weekdays?: number[]; monthDay?: { month: number; day: number } } | null;
  /**
   * Where: the name as written, its level, and every place it stands for in the library (朝阳区 is
   * in Beijing and in Changchun). source 'landmark' (兵马俑): shown, not a filter — the name stays
   * a word for the visual search.
   */
  place: { name: string; level: PlaceLevel; places: { id: string; level: PlaceLevel; name: string }[]; source: 'name' | 'landmark' } | null;
  kind: 'screenshot' | 'video' | 'photo' | null;
  /** EXIF Make values of the brand, and a model line when one was named (iPhone, Redmi). */
  camera: { name: string; makes: string[]; model?: string } | null;
  /** What went to the visual and text search; '' means the photos the rest selects, newest first. */
  remainder: string;
  /** The understood pieces in query order (UTF-16 offsets in the query as trimmed): the UI's chips. */
  spans: { start: number; end: number; text: string; what: 'time' | 'place' | 'landmark' | 'kind' | 'camera' }[];
}

/**
 * Where a result list stops matching (the relevance boundary, docs/decisions/relevance.md):
 * measured on each query's first page from its own score distribution and the serving model's,
 * never one fixed cosine. Pages stop at it; `weakerCursor` then offers the rest on request.
 */
export interface SearchRelevance {
  /** Hits in the list that match (with complete = false: at least this many). */
  relevant: number;
  /** False when the first 1000 all matched and the list goes on: the count is a lower bound. */
  complete: boolean;
  /**
   * What set the boundary: a break in the scores, what the background cannot explain, nothing
   * stood out ('none': relevant is 0 unless text matched), or text matches alone ('text').
   */
  method: 'break' | 'background' | 'none' | 'text';
  /** The visual score at the boundary (diagnostics, the CLI); null for text matches alone. */
  threshold: number | null;
  /** The sensitivity setting it was measured with (settings: searchSensitivity). */
  sensitivity: number;
}

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
  /** Text searches: what the query was understood to say (absent with `understand: false`). */
  parsed?: QueryReading;
  /**
   * First page of a text or similar-photo search: how many hits match. Absent where the list is
   * not ranked by relevance (a query of only a time, place, kind or camera lists those photos).
   */
  relevance?: SearchRelevance;
  /**
   * The relevant hits end on this page (nextCursor is null) and weaker ones follow: pass this as
   * `cursor`, with the same query, to page through them ("显示更多相关度较低的照片").
   */
  weakerCursor?: string;
  /**
   * similarToImage with the image's bytes: the key the engine keeps the image's vector under. Send
   * it as `imageKey` instead of the bytes for the same image's next pages and refreshes.
   */
  imageKey?: string;
}

/** A dropped image's key: the SHA-256 of its bytes, base64url. */
const IMAGE_KEY = /^[A-Za-z0-9_-]{43}$/;

/** A piece of the query to keep as plain words (a removed chip): UTF-16 offsets in the trimmed query, end exclusive. */
const querySpan = z.object({ start: z.number().int().min(0), end: z.number().int().min(1) }).strict();

export const searchRequests = {
  search: z
    .object({
      query: z.string().min(1).max(MAX_QUERY_LENGTH),
      limit: pageLimit,
      cursor: pageCursor,
      /** all (default): the text in photos and their looks fused in one ranked list. */
      mode: z.enum(SEARCH_MODES).default('all'),
      filter: requestFilter,
      /** Read time, place, kind and camera out of the query (default); false: the whole query is words to search. */
      understand: z.boolean().default(true),
      /** Pieces of the query to keep as words even where they could be read as a time, place, kind or camera. */
      plain: z.array(querySpan).max(50).optional(),
      /** Go on past the relevance boundary in the same pages (the weaker hits marked), as `search --all` lists. */
      all: z.boolean().optional(),
    })
    .strict(),
  /** `at`: for a video, the moment (seconds) whose frame to start from (default: its poster's). */
  similar: z.object({ photoId, at: z.number().min(0).max(1e7).optional(), limit: pageLimit, cursor: pageCursor, filter: requestFilter, all: z.boolean().optional() }).strict(),
  /**
   * An image dropped on the window: its bytes (base64), not a path, so both transports work — or,
   * for the same image again (its next pages, a refresh, another filter), the `imageKey` the first
   * answer gave; the reason `image-expired` says the engine no longer keeps it: send the bytes.
   */
  similarToImage: z
    .object({
      dataBase64: z.string().min(1).max(80_000_000).optional(),
      imageKey: z.string().regex(IMAGE_KEY).optional(),
      limit: pageLimit,
      cursor: pageCursor,
      filter: requestFilter,
      all: z.boolean().optional(),
    })
    .strict()
    .refine((r) => (r.dataBase64 === undefined) !== (r.imageKey === undefined), { message: 'give either dataBase64 or imageKey' }),
} as const;

export interface SearchResponses {
  search: SearchResponse;
  similar: SearchResponse;
  similarToImage: SearchResponse;
}
