/**
 * Zero-shot classification of photo vectors against the tag matrix: logits = logitScale × cosine,
 * softmax across the taxonomy, and a photo keeps the tags that pass two tests:
 *
 * - probability ≥ minProbability (default 0.1): the softmax is relative to every other tag, so it
 *   says "this tag explains the photo better than ~500 alternatives". 0.1 keeps at most ten
 *   contenders by construction and, at CLIP's temperature (100), admits tags within about
 *   ln(p_top/0.1)/100 ≈ 0.01–0.02 cosine of the best one — near-synonyms like 猫 and 橘猫 both pass,
 *   unrelated runners-up do not.
 * - cosine ≥ minCosine (default 0.2): softmax always crowns a winner, even for a photo that
 *   matches nothing in the taxonomy (a blank wall, a test pattern). CLIP-family models typically
 *   give unrelated image–text pairs cosines around 0.1–0.2 and matching ones 0.25–0.4 (ensembled
 *   prompts a little higher), so 0.2 drops confident-sounding nonsense while keeping real matches.
 *   These ranges are not yet measured on the shipped Chinese-CLIP weights: both thresholds are
 *   options, to calibrate per model.
 *
 * At most maxTags (5) taxonomy tags are kept, best first. Custom tags (a person's own words) are
 * judged as if each were one more member of the taxonomy: p = e^(s·c) / (Z_taxonomy + e^(s·c)).
 * They never compete with each other and are not capped, so adding one never removes another
 * tag, and the same photo gets the same answer from a full pass and from the one-tag pass in
 * custom.ts (which reuses each photo's stored log Z_taxonomy).
 */
import type { Scores, TagScorer } from './scorer.ts';
import type { ScoredTag } from './types.ts';

export interface ClassifyOptions {
  logitScale: number;
  minProbability?: number;
  minCosine?: number;
  maxTags?: number;
}

export const DEFAULT_MIN_PROBABILITY = 0.1;
export const DEFAULT_MIN_COSINE = 0.2;
export const DEFAULT_MAX_TAGS = 5;

/** exp(-30) ≈ 1e-13: terms that far below the best cannot move a sum over ~1000 tags. */
const NEGLIGIBLE_LOGIT_GAP = 30;

export interface ResolvedOptions {
  logitScale: number;
  minProbability: number;
  minCosine: number;
  maxTags: number;
}

export function resolveOptions(o: ClassifyOptions): ResolvedOptions {
  const r = {
    logitScale: o.logitScale,
    minProbability: o.minProbability ?? DEFAULT_MIN_PROBABILITY,
    minCosine: o.minCosine ?? DEFAULT_MIN_COSINE,
    maxTags: o.maxTags ?? DEFAULT_MAX_TAGS,
  };
  if (!(r.logitScale > 0)) throw new Error(`logitScale must be positive, got ${r.logitScale}`);
  if (!(r.minProbability > 0 && r.minProbability <= 1)) throw new Error(`minProbability must be in (0, 1], got ${r.minProbability}`);
  if (!Number.isInteger(r.maxTags) || r.maxTags < 0) throw new Error(`maxTags must be a non-negative integer, got ${r.maxTags}`);
  return r;
}

/**
 * log Σ_j exp(s·c_j) over the first `taxonomyCount` cosines of a row, computed around the row's
 * maximum so it never overflows. Returns -Infinity for an empty taxonomy.
 */
export function logPartition(row: Float32Array, offset: number, taxonomyCount: number, logitScale: number): number {
  if (taxonomyCount === 0) return -Infinity;
  let max = -Infinity;
  for (let j = 0; j < taxonomyCount; j++) if (row[offset + j] > max) max = row[offset + j];
  const floor = max - NEGLIGIBLE_LOGIT_GAP / logitScale;
  let z = 0;
  for (let j = 0; j < taxonomyCount; j++) {
    const c = row[offset + j];
    if (c > floor) z += Math.exp(logitScale * (c - max));
  }
  return logitScale * max + Math.log(z);
}

/** Probability of a custom tag with cosine c as the taxonomy's extra member. */
export function customProbability(cosine: number, logZ: number, logitScale: number): number {
  return 1 / (1 + Math.exp(logZ - logitScale * cosine));
}

/**
 * Tags of one photo from its row of cosines: columns [0, taxonomyCount) are the taxonomy, the
 * rest (up to tagCount) custom tags. Returns the chosen tags, taxonomy best first, then custom.
 */
export function selectTags(
  row: Float32Array,
  offset: number,
  taxonomyCount: number,
  tagCount: number,
  o: ResolvedOptions,
  logZ: number = logPartition(row, offset, taxonomyCount, o.logitScale),
): ScoredTag[] {
  const s = o.logitScale;
  // p ≥ minP  ⇔  s·c − logZ ≥ ln minP  ⇔  c ≥ (logZ + ln minP) / s: one comparison per tag.
  const cut = Math.max(o.minCosine, (logZ + Math.log(o.minProbability)) / s);
  const chosen: ScoredTag[] = [];
  if (o.maxTags > 0) {
    for (let j = 0; j < taxonomyCount; j++) {
      const c = row[offset + j];
      if (c < cut) continue;
      insertTopK(chosen, { tag: j, cosine: c, probability: Math.exp(s * c - logZ) }, o.maxTags);
    }
  }
  for (let j = taxonomyCount; j < tagCount; j++) {
    const c = row[offset + j];
    if (c < o.minCosine) continue;
    const p = taxonomyCount === 0 ? 1 : customProbability(c, logZ, s);
    if (p >= o.minProbability) chosen.push({ tag: j, cosine: c, probability: p });
  }
  return chosen;
}

/** Keeps `list` sorted by cosine (same order as probability within one photo), length ≤ k. */
function insertTopK(list: ScoredTag[], item: ScoredTag, k: number): void {
  if (list.length === k && item.cosine <= list[k - 1]!.cosine) return;
  let i = list.length < k ? list.length : k - 1;
  list[i] = item;
  while (i > 0 && list[i - 1]!.cosine < item.cosine) {
    list[i] = list[i - 1]!;
    list[i - 1] = item;
    i--;
  }
}

export interface PhotoTags {
  photoId: number;
  tags: ScoredTag[];
  /** log Σ exp(logitScale × cosine) over the taxonomy, kept so one custom tag can be applied later without a full pass. */
  logZ: number;
}

/** Classifies every row of a scored page; `scores` must carry the taxonomy's partition (logZ). */
export function classifyPage(scorer: TagScorer, scores: Scores, ids: ArrayLike<number>, idOffset: number, taxonomyCount: number, o: ResolvedOptions): PhotoTags[] {
  const logZ = scores.logZ;
  if (!logZ) throw new Error('classifyPage needs scores with the taxonomy partition');
  const out: PhotoTags[] = new Array<PhotoTags>(scores.rows);
  for (let r = 0; r < scores.rows; r++) {
    const tags = selectTags(scores.values, r * scores.stride, taxonomyCount, scorer.tagCount, o, logZ[r]);
    out[r] = { photoId: ids[idOffset + r]!, tags, logZ: logZ[r]! };
  }
  return out;
}
