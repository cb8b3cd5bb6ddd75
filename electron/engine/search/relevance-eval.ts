/**
 * How well the relevance boundary (relevance.ts) ends the lists of queries with known answers:
 * for each query, its scores over a labelled set of photos, where the boundary fell and whether
 * the answers are inside it. `shiguang eval relevance` runs it on a labelled folder (layout of
 * ../shared/photos/labels.json) with any model — with the real weights, this is how the
 * boundary's constants are checked and calibrated (docs/decisions/relevance.md); the relevance
 * benchmark runs it on labelled synthetic libraries. `dump` keeps every score for offline fits.
 */
import { SAMPLE_SIZE } from './background-sample.ts';
import { median, relevanceBoundary, type BoundaryMethod } from './relevance.ts';

export interface LabelledQuery {
  query: string;
  vec: Float32Array;
  /** Indices (into the photo vectors) of the photos this query is about. */
  answers: ReadonlySet<number>;
}

export interface QueryOutcome {
  query: string;
  answers: number;
  relevant: number;
  /** Answers inside the boundary. */
  found: number;
  /** 1-based rank of the best-ranked answer (0: no answers). */
  firstAnswerRank: number;
  method: BoundaryMethod;
  threshold: number;
  background: { median: number; spread: number };
  /** Every score, best first, with whether it is an answer (when asked for). */
  scores?: { score: number; answer: boolean }[];
}

export interface RelevanceEvaluation {
  photos: number;
  queries: number;
  /** Means over queries; precision of a query that kept nothing counts as 1, recall of one without answers as 1. */
  precision: number;
  recall: number;
  f1: number;
  /** Queries without answers that kept nothing / queries without answers. */
  emptyWhenNothing: number | null;
  /** Median relevant count. */
  medianRelevant: number;
  outcomes: QueryOutcome[];
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

export function evaluateRelevance(photos: readonly Float32Array[], queries: readonly LabelledQuery[], opts: { sensitivity?: number; window?: number; dump?: boolean } = {}): RelevanceEvaluation {
  const window = opts.window ?? 1000;
  // The background as the app takes it: the photos first in the store's sample order (photo id
  // i + 1 hashed; vec-shadow.ts), all of them in a set of at most SAMPLE_SIZE.
  const hash = (i: number): number => ((i + 1) * 2654435761) % 4294967296;
  const sampled = photos.map((_, i) => i).sort((a, b) => hash(a) - hash(b)).slice(0, SAMPLE_SIZE);
  const outcomes: QueryOutcome[] = [];
  for (const q of queries) {
    const scores = photos.map((v, i) => ({ i, score: dot(v, q.vec) }));
    const ranked = [...scores].sort((a, b) => b.score - a.score);
    const b = relevanceBoundary({
      top: ranked.slice(0, window).map((x) => x.score),
      total: photos.length,
      background: sampled.map((i) => scores[i]!.score),
      sensitivity: opts.sensitivity,
    });
    const firstAnswer = ranked.findIndex((x) => q.answers.has(x.i));
    const outcome: QueryOutcome = {
      query: q.query,
      answers: q.answers.size,
      relevant: b.relevant,
      found: ranked.slice(0, b.relevant).filter((x) => q.answers.has(x.i)).length,
      firstAnswerRank: firstAnswer + 1,
      method: b.method,
      threshold: b.threshold,
      background: b.background,
    };
    if (opts.dump) outcome.scores = ranked.map((x) => ({ score: x.score, answer: q.answers.has(x.i) }));
    outcomes.push(outcome);
  }
  const mean = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  const precision = outcomes.map((o) => (o.relevant === 0 ? 1 : o.found / o.relevant));
  const recall = outcomes.map((o) => (o.answers === 0 ? 1 : o.found / o.answers));
  const f1 = outcomes.map((o) => (o.answers + o.relevant === 0 ? 1 : (2 * o.found) / (o.answers + o.relevant)));
  const none = outcomes.filter((o) => o.answers === 0);
  return {
    photos: photos.length,
    queries: queries.length,
    precision: mean(precision),
    recall: mean(recall),
    f1: mean(f1),
    emptyWhenNothing: none.length ? none.filter((o) => o.relevant === 0).length / none.length : null,
    medianRelevant: outcomes.length ? median(outcomes.map((o) => o.relevant)) : 0,
    outcomes,
  };
}
