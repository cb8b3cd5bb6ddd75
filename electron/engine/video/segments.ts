/**
 * A query's scores on a video's frames → the video's matching segments, so a search returns a
 * video once per matching stretch, not once per frame.
 *
 * The rule:
 * 1. A frame matches when its score ≥ `threshold` (the same cut the search applies to photos, or
 *    the best frames' score minus a margin — the caller decides; see docs/decisions/video.md).
 * 2. Matching frames merge into one segment while the gap between consecutive matching frames is at
 *    most `maxGapS` (default: 1.5 × the sampling interval, so one sampled frame that dips below the
 *    threshold between two matches does not split a scene, but two separate appearances stay two).
 * 3. A segment runs from its first matching frame's time to the time of the next sampled frame
 *    after its last matching frame (what was seen lasts until the next sample shows otherwise),
 *    capped at the video's duration; a single-frame match at the end lasts `intervalS` at most.
 * 4. Its score is its best frame's score and `bestTime` that frame's time (the thumbnail and the
 *    player's start). Segments come out best first; equal scores, earlier first.
 */
export interface FrameScore {
  /** Seconds from the start. */
  t: number;
  score: number;
}

export interface Segment {
  start: number;
  end: number;
  bestTime: number;
  score: number;
}

export interface SegmentOptions {
  threshold: number;
  /** Sampling interval used when the frames were taken, seconds. */
  intervalS: number;
  /** Largest gap between matching frames inside one segment; default 1.5 × intervalS. */
  maxGapS?: number;
  /** The video's duration, to cap the last segment. */
  durationS?: number;
}

export function mergeSegments(frames: readonly FrameScore[], o: SegmentOptions): Segment[] {
  const sorted = [...frames].filter((f) => Number.isFinite(f.t) && Number.isFinite(f.score)).sort((a, b) => a.t - b.t);
  const maxGap = o.maxGapS ?? 1.5 * o.intervalS;
  const out: Segment[] = [];
  let cur: Segment | null = null;
  let lastMatchT = -Infinity;
  for (let i = 0; i < sorted.length; i++) {
    const f = sorted[i];
    if (f.score < o.threshold) continue;
    if (cur && f.t - lastMatchT > maxGap) {
      out.push(cur);
      cur = null;
    }
    if (!cur) cur = { start: f.t, end: f.t, bestTime: f.t, score: f.score };
    else if (f.score > cur.score) {
      cur.score = f.score;
      cur.bestTime = f.t;
    }
    lastMatchT = f.t;
    const next = sorted[i + 1];
    cur.end = next ? next.t : f.t + o.intervalS;
  }
  if (cur) out.push(cur);
  for (const s of out) {
    if (o.durationS !== undefined) s.end = Math.min(s.end, o.durationS);
    s.end = Math.max(s.end, s.start);
  }
  return out.sort((a, b) => b.score - a.score || a.start - b.start);
}
