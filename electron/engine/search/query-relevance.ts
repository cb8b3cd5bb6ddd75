/**
 * The relevance boundary (relevance.ts) applied to the lists the search service builds: measured
 * once a query (its first page), carried by the list's cursors (so every later page marks its hits
 * and stops at the same boundary, with no state kept), and used to order the fused list.
 *
 *   visual lists (a text query without text hits, similar, similarToImage): a hit is relevant when
 *     its score ≥ the boundary's threshold; pages stop there and offer the weaker rest on request;
 *   fused lists (text hits and looks): text matches are relevant by their text, the others by
 *     their looks; the relevant part comes first, ordered by relevance (the one scale), so the
 *     number a person sees never rises down the list.
 */
import type { SearchRelevance } from '../../shared/api.ts';
import type { VectorRepository } from '../store/vector-repository.ts';
import type { BackgroundSample } from './background-sample.ts';
import type { FusedHit } from './fuse.ts';
import { combinedRelevance, relevanceBoundary, visualRelevance, type RelevanceBoundary, type TextMatch } from './relevance.ts';

/** Visual hits a list's boundary is measured on: the fused search's window, the first 1000. */
export const RELEVANCE_WINDOW = 1000;

/** Below the boundary a hit's relevance is shown at most this: never the 50 % of a relevant one. */
const WEAKER_MAX = 0.49;

export interface MeasureArgs {
  /** The serving model's vectors (the background is sampled from them). */
  repo: VectorRepository;
  sample: BackgroundSample;
  /** The query's vector. */
  vec: Float32Array;
  /** The first visual hits of the list, best first (the window; the query's own photo left out). */
  top: readonly { score: number }[];
  /** Hits in the list (VectorPage.matched; without it, every photo with a vector). */
  total: number | undefined;
  /** The person's setting (settings: searchSensitivity). */
  sensitivity?: number;
}

/** Fewer sampled photos than this (a library of videos, say): the list itself is the background. */
const MIN_BACKGROUND = 16;

export function measureRelevance(a: MeasureArgs): RelevanceBoundary {
  const top = a.top.map((h) => h.score);
  const sample = a.sample.scores(a.repo, a.vec);
  return relevanceBoundary({
    top,
    total: a.total ?? a.repo.count(),
    background: sample.length >= MIN_BACKGROUND || sample.length >= top.length ? sample : top,
    sensitivity: a.sensitivity,
  });
}

/** A list's boundary as its cursors carry it: enough to mark any visual hit of the list. */
export interface ListBoundary {
  /** Visual scores at or above this are relevant. */
  threshold: number;
  /** The boundary in background spreads, and the background (for the relevance of a score). */
  z: number;
  median: number;
  spread: number;
  /** False: the window was relevant to its end, so the relevant part goes on past it. */
  complete: boolean;
}

export function listBoundary(b: RelevanceBoundary): ListBoundary {
  return { threshold: b.threshold, z: b.z, median: b.background.median, spread: b.background.spread, complete: b.complete };
}

/** The cursor form: [threshold, z, median, spread, complete]. */
export function boundaryToCursor(b: ListBoundary): [number, number, number, number, 0 | 1] {
  return [b.threshold, b.z, b.median, b.spread, b.complete ? 1 : 0];
}

/** A cursor's boundary; undefined when absent, null when malformed (the caller refuses the cursor). */
export function boundaryFromCursor(x: unknown): ListBoundary | undefined | null {
  if (x === undefined) return undefined;
  if (!Array.isArray(x) || x.length !== 5 || !x.every((v) => typeof v === 'number' && Number.isFinite(v)) || !(x[3] > 0)) return null;
  const [threshold, z, median, spread, complete] = x as number[];
  return { threshold: threshold!, z: z!, median: median!, spread: spread!, complete: complete === 1 };
}

/** What a hit says about itself (PhotoHit.relevance, .relevant). */
export interface Mark {
  relevance: number;
  relevant: boolean;
}

/** A visual hit's mark: relevant at or above the threshold, its relevance on the common scale. */
export function markVisual(score: number, b: ListBoundary): Mark {
  const relevant = score >= b.threshold;
  return { relevance: shown(visualRelevance(score, { z: b.z, background: { median: b.median, spread: b.spread } }), relevant), relevant };
}

/** Relevant hits show at least 0.5 and the weaker ones at most WEAKER_MAX, whatever rounding did at the edge. */
function shown(relevance: number, relevant: boolean): number {
  const r = relevant ? Math.max(0.5, relevance) : Math.min(WEAKER_MAX, relevance);
  return Math.round(r * 1000) / 1000;
}

/** How a fused hit's text matched, for the common scale. */
export function textMatchOf(h: Pick<FusedHit, 'textRank' | 'exactText'>, query: string): TextMatch | undefined {
  if (h.textRank === undefined) return undefined;
  if ([...query.replace(/\s/gu, '')].length < 2) return 'single-character';
  return h.exactText ? 'exact' : 'words';
}

/**
 * A fused hit's mark: its text evidence and, where it was in the visual window, its looks. A text
 * hit outside the window counts by its text alone (its looks are below the 1000th photo's).
 */
export function markFused(h: FusedHit, b: ListBoundary | null, query: string): Mark {
  const text = textMatchOf(h, query);
  const looksRelevant = b !== null && h.visualScore !== undefined && h.visualScore >= b.threshold;
  const visual = b && h.visualScore !== undefined ? visualRelevance(h.visualScore, { z: b.z, background: { median: b.median, spread: b.spread } }) : undefined;
  const relevant = text !== undefined || looksRelevant;
  return { relevance: shown(combinedRelevance(visual, text), relevant), relevant };
}

export interface OrderedHead {
  /** Every relevant hit first, by relevance (ties in fused order), then the weaker ones in fused order. */
  head: FusedHit[];
  /** Marks by hit key. */
  marks: Map<string, Mark>;
  /** Relevant hits at the front of `head`. */
  relevant: number;
}

/**
 * The fused head as it is shown. The relevant part is sorted by relevance so that the number a
 * person reads never rises down the list (a text match at 90 % above a photo that looks alike at
 * 95 % would read as a mistake); the weaker part keeps the fused order, which for hits without
 * text is the visual order, so its numbers fall too.
 */
export function orderFusedHead(head: readonly FusedHit[], b: ListBoundary | null, query: string, keyOf: (h: FusedHit) => string): OrderedHead {
  const marks = new Map(head.map((h) => [keyOf(h), markFused(h, b, query)] as const));
  const rank = new Map(head.map((h, i) => [keyOf(h), i] as const));
  const mark = (h: FusedHit) => marks.get(keyOf(h))!;
  const above = head.filter((h) => mark(h).relevant).sort((x, y) => mark(y).relevance - mark(x).relevance || rank.get(keyOf(x))! - rank.get(keyOf(y))!);
  const below = head.filter((h) => !mark(h).relevant);
  return { head: [...above, ...below], marks, relevant: above.length };
}

/** What a first page says about its list's boundary. */
export function describeBoundary(b: RelevanceBoundary | null, relevant: number, complete: boolean, sensitivity: number): SearchRelevance {
  return {
    relevant,
    complete,
    method: b ? b.method : 'text',
    threshold: b ? Math.round(b.threshold * 1e4) / 1e4 : null,
    sensitivity,
  };
}
