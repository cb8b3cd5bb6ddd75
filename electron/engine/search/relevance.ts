/**
 * Where a ranked list stops matching: the relevance boundary of one query, from the scores the
 * search already computed. Pure functions; no model, store or I/O (docs/decisions/relevance.md).
 *
 * No fixed cosine works: the right value differs per model (Chinese-CLIP's text–image cosines sit
 * around 0.2–0.45, image–image ones around 0.6–0.95, the toy model's anywhere in 0–1) and per
 * query (some prompts score every photo higher). So each query is measured against its own
 * background — its scores over a spread-out sample of the library, which are overwhelmingly
 * photos it is not about:
 *
 * 1. The background: its median and its spread (1.4826 × the median absolute deviation, the
 *    standard deviation of a normal distribution, robust to the few relevant photos in the
 *    sample). Every score becomes z = (score − median) / spread.
 * 2. A break: among the scores at least Z_FLOOR above the background, the largest gap in the
 *    ranked list that is too large to be a background-like spacing. Gaps are compared as
 *    normalised spacings k · (s_k − s_{k+1}) — for the upper tail of a background distribution
 *    they are alike at every rank k (Rényi's representation), whereas raw gaps are always widest
 *    at the very top — against their median, with a significance margin that grows with ln K
 *    (the largest of K alike spacings grows like that). Photos above a significant break form
 *    the answer.
 * 3. No break: the background decides. A photo counts when the background alone would put fewer
 *    than FDR_Q of the photos scoring that high there (a false-discovery-rate bound, with the
 *    background taken as normal: expected background photos at or above z = total × P(Z ≥ z)).
 *    Nothing may count: then nothing in the library stands out for this query.
 * 4. The person's sensitivity moves the boundary by SENSITIVITY_STEP spreads per step.
 *
 * Text matches (OCR) are evidence of another kind: a photo whose text holds the whole query is
 * relevant whatever it looks like. Both kinds meet on one scale, `relevance` in [0, 1]: 0.5 at
 * the boundary, rising with the distance above it (visual), fixed levels for text, combined as
 * independent evidence (noisy-OR).
 */

/** Scores must stand this many spreads above the background's median to be part of a break. */
export const Z_FLOOR = 2;
/**
 * The whole window counts as one group that goes on past it only when even its last score is
 * where the background alone would put at most this many photos of the list (in a library of
 * 100 000, two spreads up is still 2 000 ordinary photos: the first 1000 scores say nothing).
 */
export const FLOOR_BACKGROUND = 50;
/** A break must exceed the median normalised spacing by ln K + this (≈ a 5% false-break rate). */
export const BREAK_MARGIN = 3;
/** Without a break: at most this share of what counts may be background photos. */
export const FDR_Q = 0.2;
/** One step of the person's sensitivity, in background spreads (+ shows more, − fewer). */
export const SENSITIVITY_STEP = 0.5;
/** The setting's range: −3 (strictest) … +3 (broadest). */
export const SENSITIVITY_RANGE = [-3, 3] as const;
/** How fast `relevance` rises past the boundary: one spread above it is 0.88. */
const RELEVANCE_SLOPE = 2;
/**
 * Scores closer than this are one score (cosine units). Float rounding is ~1e-7; the spread of a
 * real model's background over a library is orders of magnitude wider (the toy and test models'
 * are 0.03–0.3; see docs/decisions/relevance.md), so this only decides the degenerate cases.
 */
export const MIN_SPREAD = 1e-3;
/** Spacings looked at below the last candidate, so the list beyond it is part of the comparison. */
const MIN_SPACINGS = 16;

export interface RelevanceInput {
  /** The best scores of the list (the filtered set), best first; every score when it is short. */
  top: ArrayLike<number>;
  /** Photos in the list (passing the filters); ≥ top.length. */
  total: number;
  /** The same query's scores over a spread-out sample of the library (background-sample.ts). */
  background: ArrayLike<number>;
  /** The person's setting, SENSITIVITY_RANGE; 0 = as measured. */
  sensitivity?: number;
}

export type BoundaryMethod = 'break' | 'background' | 'none';

export interface RelevanceBoundary {
  /** Scores at or above this are relevant (an exact score of the same kind as `top`). */
  threshold: number;
  /** The same boundary in background spreads (z), after the sensitivity. */
  z: number;
  /** How many of `top` are relevant. */
  relevant: number;
  /** False when all of `top` is relevant but the list is longer: more may be. */
  complete: boolean;
  /** What set the boundary: a break in the scores, the background bound, or nothing stood out. */
  method: BoundaryMethod;
  background: { median: number; spread: number };
}

export function median(values: ArrayLike<number>): number {
  const s = Float64Array.from(values).sort();
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Median and robust spread: 1.4826 × MAD, never below MIN_SPREAD. Where more than half of the
 * background scores the same (MAD 0: a tiny library, a degenerate query), that tie is the
 * background and only a real difference from it stands out — not float rounding, and not the
 * relevant photos themselves (a standard deviation would let them widen their own background).
 */
export function robustBackground(values: ArrayLike<number>): { median: number; spread: number } {
  if (values.length === 0) return { median: 0, spread: 1 };
  const m = median(values);
  const dev = Float64Array.from(values, (v) => Math.abs(v - m));
  return { median: m, spread: Math.max(1.4826 * median(dev), MIN_SPREAD) };
}

/** P(Z ≥ z) for a standard normal Z (erfc by Numerical Recipes' Chebyshev fit, |error| < 1.2e-7). */
export function normalTail(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  const poly = -x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const erfc = t * Math.exp(poly);
  return z >= 0 ? erfc / 2 : 1 - erfc / 2;
}

/** The z where P(Z ≥ z) = p (bisection: called once a query). */
export function normalTailInverse(p: number): number {
  if (!(p > 0)) return Infinity;
  if (p >= 1) return -Infinity;
  let lo = -40;
  let hi = 40;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (normalTail(mid) > p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * Index (1-based count) of the most significant break among the first `candidates` scores, or 0.
 * The spacings' median (over the candidates and the spacings just below them) stands for a
 * background-like spacing: divided by ln 2 it is the mean of exponential spacings, and unlike
 * the mean it is not pulled up by the break itself.
 */
function findBreak(z: Float64Array, candidates: number): number {
  const n = Math.min(z.length - 1, Math.max(candidates * 4, candidates + MIN_SPACINGS));
  if (candidates === 0 || n < 3) return 0;
  const spacings = new Float64Array(n);
  for (let k = 1; k <= n; k++) spacings[k - 1] = k * (z[k - 1]! - z[k]!);
  const scale = median(spacings) / Math.LN2;
  let best = 0;
  let bestSpacing = 0;
  for (let k = 1; k <= Math.min(candidates, n); k++) {
    if (spacings[k - 1]! > bestSpacing) {
      bestSpacing = spacings[k - 1]!;
      best = k;
    }
  }
  if (best === 0) return 0;
  // The largest of K alike spacings is about ln K times their mean: the margin grows with K.
  const significant = scale > 0 ? bestSpacing / scale >= Math.log(Math.max(candidates, 2)) + BREAK_MARGIN : true;
  return significant ? best : 0;
}

export function relevanceBoundary(input: RelevanceInput): RelevanceBoundary {
  const bg = robustBackground(input.background);
  const n = input.top.length;
  const total = Math.max(input.total, n, 1);
  const z = Float64Array.from(input.top, (s) => (s - bg.median) / bg.spread);
  let candidates = 0;
  while (candidates < n && z[candidates]! >= Z_FLOOR) candidates++;

  let method: BoundaryMethod = 'none';
  let zb: number;
  // Every score given stands well above the background and the list goes on: its end is further
  // down. A break inside would only split the group (its spacings widen towards its middle).
  const groupGoesOn = n > 0 && n < input.total && z[n - 1]! >= Math.max(Z_FLOOR, normalTailInverse(FLOOR_BACKGROUND / total));
  const cut = groupGoesOn ? 0 : findBreak(z, candidates);
  if (groupGoesOn) {
    method = 'background';
    zb = z[n - 1]!;
  } else if (cut > 0) {
    method = 'break';
    zb = cut < n ? (z[cut - 1]! + z[cut]!) / 2 : z[n - 1]!;
  } else {
    // Deepest rank where the background explains at most FDR_Q of what scores that high.
    let deepest = 0;
    for (let k = 1; k <= n; k++) if ((total * normalTail(z[k - 1]!)) / k <= FDR_Q) deepest = k;
    if (deepest > 0) {
      method = 'background';
      zb = deepest < n ? (z[deepest - 1]! + z[deepest]!) / 2 : z[n - 1]!;
    } else {
      // Where even one photo would stand out: above everything here.
      zb = Math.max(normalTailInverse(FDR_Q / total), n > 0 ? z[0]! + 1e-9 : 0);
    }
  }
  const sens = clampSensitivity(input.sensitivity ?? 0);
  zb -= SENSITIVITY_STEP * sens;
  const threshold = bg.median + zb * bg.spread;
  let relevant = 0;
  while (relevant < n && input.top[relevant]! >= threshold) relevant++;
  return { threshold, z: zb, relevant, complete: relevant < n || n >= input.total, method, background: bg };
}

export function clampSensitivity(s: number): number {
  return Number.isFinite(s) ? Math.min(SENSITIVITY_RANGE[1], Math.max(SENSITIVITY_RANGE[0], s)) : 0;
}

/** A visual score on the common scale: 0.5 at the boundary, 0.88 one spread above, 0.12 one below. */
export function visualRelevance(score: number, b: Pick<RelevanceBoundary, 'z' | 'background'>): number {
  const z = (score - b.background.median) / b.background.spread;
  return 1 / (1 + Math.exp(-RELEVANCE_SLOPE * (z - b.z)));
}

/** How a photo's text matched the query (fuse.ts / the OCR matcher). */
export type TextMatch = 'exact' | 'words' | 'single-character';

/**
 * Text evidence on the common scale, always above the boundary: the whole query in the photo's
 * text is strong evidence; all its words somewhere in the text less so; a one-character query
 * ("猫" in a screenshot) the least. Fixed levels because text matches have no background to be
 * measured against: a receipt that says 星巴克 is about 星巴克 whatever other photos score.
 */
export const TEXT_RELEVANCE: Readonly<Record<TextMatch, number>> = { exact: 0.9, words: 0.7, 'single-character': 0.6 };

/** Independent evidence combined (noisy-OR): either kind alone counts, both count more. */
export function combinedRelevance(visual: number | undefined, text: TextMatch | undefined): number {
  const v = visual ?? 0;
  const t = text ? TEXT_RELEVANCE[text] : 0;
  return 1 - (1 - v) * (1 - t);
}

export const isRelevant = (relevance: number): boolean => relevance >= 0.5;

/**
 * The list as it is shown: every relevant item first, then the rest, each part in its original
 * order (a stable partition: the fused list interleaves text and visual hits by rank, so a weak
 * visual hit may sit between two strong text hits).
 */
export function partitionByRelevance<T>(items: readonly T[], relevanceOf: (item: T) => number): { items: T[]; relevant: number } {
  const above: T[] = [];
  const below: T[] = [];
  for (const it of items) (isRelevant(relevanceOf(it)) ? above : below).push(it);
  return { items: [...above, ...below], relevant: above.length };
}
