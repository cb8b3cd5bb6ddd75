/**
 * The relevance boundary (relevance.ts) applied to the lists the search service builds: what the
 * service calls once a query (its first page), and how the result marks each hit and orders the
 * fused list. Kept apart from search-service.ts / fused-search.ts so those only gain a call:
 *
 *   const boundary = measureRelevance({ repo: model.vectors.vectors, sample, vec, top, total, sensitivity });
 *   // visual list: hit.relevance = visualRelevance(hit.score, boundary)
 *   // fused list:  const { head, relevant } = orderFusedHead(fusedHead, boundary, query)
 *
 * and the response says `relevance: describeBoundary(boundary, relevantCount)`.
 */
import type { VectorRepository } from '../store/vector-repository.ts';
import type { BackgroundSample } from './background-sample.ts';
import type { FusedHit } from './fuse.ts';
import { combinedRelevance, partitionByRelevance, relevanceBoundary, visualRelevance, type BoundaryMethod, type RelevanceBoundary, type TextMatch } from './relevance.ts';

export interface MeasureArgs {
  /** The serving model's vectors (the background is sampled from them). */
  repo: VectorRepository;
  sample: BackgroundSample;
  /** The query's vector. */
  vec: Float32Array;
  /** The first visual hits of the list, best first (the fused search's window, or a first page). */
  top: readonly { score: number }[];
  /** Photos passing the filters (VectorPage.matched; without it, every photo with a vector). */
  total: number | undefined;
  /** The person's setting (settings: searchSensitivity). */
  sensitivity?: number;
}

export function measureRelevance(a: MeasureArgs): RelevanceBoundary {
  return relevanceBoundary({
    top: a.top.map((h) => h.score),
    total: a.total ?? a.repo.count(),
    background: a.sample.scores(a.repo, a.vec),
    sensitivity: a.sensitivity,
  });
}

/** How a fused hit's text matched, for the common scale. */
export function textMatchOf(h: Pick<FusedHit, 'textRank' | 'exactText'>, query: string): TextMatch | undefined {
  if (h.textRank === undefined) return undefined;
  if ([...query.replace(/\s/gu, '')].length < 2) return 'single-character';
  return h.exactText ? 'exact' : 'words';
}

/** A fused hit's relevance: its text evidence and, where it was in the visual window, its looks. */
export function fusedHitRelevance(h: FusedHit, boundary: RelevanceBoundary, query: string): number {
  const visual = h.visualScore === undefined ? undefined : visualRelevance(h.visualScore, boundary);
  return combinedRelevance(visual, textMatchOf(h, query));
}

/**
 * The fused head with every relevant photo first (each part in its fused order), each photo's
 * relevance, and how many are relevant. Photos past the head (the visual tail) are relevant
 * only when the boundary lies past the window (boundary.complete is false): score ≥ threshold.
 */
export function orderFusedHead(head: readonly FusedHit[], boundary: RelevanceBoundary, query: string): { head: FusedHit[]; relevance: Map<number, number>; relevant: number } {
  const relevance = new Map(head.map((h) => [h.photoId, fusedHitRelevance(h, boundary, query)]));
  const { items, relevant } = partitionByRelevance(head, (h) => relevance.get(h.photoId)!);
  return { head: items, relevance, relevant };
}

/** What the response says about the boundary (proposed `SearchResponse.relevance`). */
export interface RelevanceSummary {
  /** Photos in this list that match; with complete = false, at least this many. */
  relevant: number;
  complete: boolean;
  /** The visual score at the boundary (for diagnostics and the CLI). */
  threshold: number;
  method: BoundaryMethod;
}

export function describeBoundary(b: RelevanceBoundary, relevant = b.relevant): RelevanceSummary {
  return { relevant, complete: b.complete, threshold: Math.round(b.threshold * 1e4) / 1e4, method: b.method };
}
