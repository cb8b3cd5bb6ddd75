/**
 * One ranked list from text hits and visual hits. Reciprocal-rank fusion (Cormack et al. 2009):
 * each list contributes 1 / (k + rank), so neither list's scores need to be comparable — cosine
 * similarities and text shares live on different scales. On top of it one rule people expect:
 * a photo whose text holds the whole query comes before everything matched only partly or only
 * by looks (unless the query is a single character, where a text match says little — "猫" in a
 * screenshot is weaker evidence than a photo of a cat). Among those, RRF decides, so a photo
 * that matches in text and looks comes first.
 */

export type MatchKind = 'text' | 'visual' | 'both';

export interface RankedText {
  photoId: number;
  /** The whole query occurred in the text (not only its words). */
  exact: boolean;
}

export interface RankedVisual {
  photoId: number;
  score: number;
  /** A video segment (the same video can rank several times, once per segment). */
  segment?: { start: number; end: number; bestTime: number };
}

/** What identifies a hit in the fused list: the photo, or the video and its segment's start. */
export function hitKey(h: { photoId: number; segment?: { start: number } }): string {
  return h.segment ? `${h.photoId}@${h.segment.start}` : String(h.photoId);
}

export interface FusedHit {
  photoId: number;
  segment?: RankedVisual['segment'];
  matchedBy: MatchKind;
  /** RRF score (plus the exact-text tier); only the order means anything. */
  fused: number;
  /** 1-based ranks in the input lists, when present. */
  textRank?: number;
  visualRank?: number;
  visualScore?: number;
  exactText: boolean;
}

export interface FuseOptions {
  /** RRF damping constant: 60 in the original paper. */
  k?: number;
  /** Whether exact text matches form a first tier (false for one-character queries). */
  exactFirst?: boolean;
}

export function fuseRankings(text: readonly RankedText[], visual: readonly RankedVisual[], opts: FuseOptions = {}): FusedHit[] {
  const k = opts.k ?? 60;
  const exactFirst = opts.exactFirst ?? true;
  const byId = new Map<string, FusedHit>();
  const get = (x: { photoId: number; segment?: RankedVisual['segment'] }): FusedHit => {
    const key = hitKey(x);
    let h = byId.get(key);
    if (!h) byId.set(key, (h = { photoId: x.photoId, matchedBy: 'visual', fused: 0, exactText: false, ...(x.segment ? { segment: x.segment } : {}) }));
    return h;
  };
  text.forEach((t, i) => {
    const h = get(t);
    if (h.textRank !== undefined) return; // duplicates: the first (best) rank counts
    h.textRank = i + 1;
    h.exactText = t.exact;
    h.matchedBy = 'text';
    h.fused += 1 / (k + i + 1);
  });
  visual.forEach((v, i) => {
    const h = get(v);
    if (h.visualRank !== undefined) return;
    h.visualRank = i + 1;
    h.visualScore = v.score;
    h.matchedBy = h.textRank !== undefined ? 'both' : 'visual';
    h.fused += 1 / (k + i + 1);
  });
  const tier = (h: FusedHit): number => (exactFirst && h.exactText ? 1 : 0);
  return [...byId.values()].sort(
    (a, b) => tier(b) - tier(a) || b.fused - a.fused || (a.textRank ?? Infinity) - (b.textRank ?? Infinity) || (a.visualRank ?? Infinity) - (b.visualRank ?? Infinity),
  );
}
