/**
 * The video side of a search: a query vector → the matching segments of videos, best first, each
 * a hit of its own (a video appears once per matching segment).
 *
 * 1. Candidates: the FRAMES_PER_ROUND frames nearest the query (the filter inside the query);
 *    the videos they belong to, best first, at most `maxVideos` (200; 1 000 when only videos are
 *    asked for). While a round brings fewer than MIN_VIDEOS videos and more frames exist, one more
 *    round without those videos (so one long video's hundreds of frames cannot hide every other).
 *    The video side of a list is these videos' segments: deeper pages hold photos only.
 * 2. A candidate's frames the rounds did not return score below the round's last frame, so they
 *    cannot match when its best frame is more than the margin above that (they only mark where its
 *    segments end: every frame's time is read). The others — near the cut — get every frame scored
 *    (FrameSearch.scoreVideos).
 * 3. Per video, a frame matches when it is within `margin` of the video's best frame
 *    (video/segments.ts merges neighbouring matches into segments): the best segment always, other
 *    segments only when they match about as well. The margin depends on how a model spreads its
 *    scores (a real Chinese-CLIP's text–image cosines sit in 0.15–0.35): it is a parameter,
 *    calibrated as docs/decisions/video.md describes.
 *
 * The KNN is FrameSearch's (frame-search.ts: the codes index past a few thousand frames, measured
 * in docs/decisions/video.md); photo-only libraries never reach this code past `hasAny()`.
 */
import type { PhotoQuery } from '../store/photo-filter.ts';
import type { FrameHit, FrameScope } from '../store/video-frames.ts';
import { MAX_K } from '../store/vector-repository.ts';
import { SAMPLING_DEFAULTS } from '../video/frames.ts';
import { mergeSegments, type FrameScore } from '../video/segments.ts';

/** The KNN over a model's frames, as FrameSearch offers it (the codes index or sqlite-vec). */
export interface FrameKnn {
  hasAny(): boolean;
  knn(query: Float32Array, k: number, filter?: PhotoQuery, scope?: FrameScope): FrameHit[];
  /** Every frame of these videos with its score. */
  scoreVideos(query: Float32Array, photoIds: readonly number[]): FrameHit[];
  /** The times of every sampled frame of these videos, in order. */
  frameTimes(photoIds: readonly number[]): Map<number, number[]>;
}

export interface SegmentHit {
  photoId: number;
  /** The best frame's cosine similarity. */
  score: number;
  segment: { start: number; end: number; bestTime: number };
}

export interface SegmentSearchOptions {
  /** Frames within this cosine distance of the video's best frame belong to its matching segments. */
  margin?: number;
  /** Candidate videos at most (the video side of a list ends there). */
  maxVideos?: number;
  /** A video's moment to leave out (similar to that moment: its own segment is not a result). */
  exclude?: { photoId: number; at: number };
}

/** Default margin: a little more than the spread of one still scene's frames under CLIP-like models. */
export const DEFAULT_SEGMENT_MARGIN = 0.02;
const DEFAULT_MAX_VIDEOS = 200;
/** Candidates when only videos are asked for (a list of videos to scroll). */
export const VIDEOS_ONLY_MAX_VIDEOS = 1000;
const FRAMES_PER_ROUND = 1024;
const MIN_VIDEOS = 50;
const MAX_ROUNDS = 3;

/**
 * The filter each side of a search gets (null: that side has nothing to show). Vector tables hold
 * one kind each — photo vectors are photos, frames are videos — so 'video' picks the frames and
 * is not sent on as a condition; 'photo' and 'screenshot' pick the photo side and stay a row
 * condition there (which photos are screenshots is a rule over the rows, store/photo-filter.ts).
 */
export function sideFilters(q: PhotoQuery): { photos: PhotoQuery | null; videos: PhotoQuery | null } {
  const { kind, ...rest } = q;
  if (kind === 'video') return { photos: null, videos: rest };
  // Photos or screenshots: the photo side keeps the kind as a row condition (the screenshot rule).
  if (kind !== undefined) return { photos: q, videos: null };
  return { photos: rest, videos: rest };
}

export function videoSegments(
  frames: FrameKnn,
  durationOf: (photoIds: number[]) => Map<number, number | null>,
  vec: Float32Array,
  filter: PhotoQuery,
  o: SegmentSearchOptions = {},
): SegmentHit[] {
  if (!frames.hasAny()) return [];
  const maxVideos = o.maxVideos ?? DEFAULT_MAX_VIDEOS;
  /** Per candidate: its frames the rounds returned, and the score below which its other frames lie. */
  const seen = new Map<number, { hits: FrameHit[]; below: number; round: number }>();
  const perRound = Math.max(FRAMES_PER_ROUND, Math.min(MAX_K, maxVideos * 4));
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const hits = frames.knn(vec, perRound, filter, round === 0 ? {} : { exceptVideos: [...seen.keys()] });
    // A round that did not fill up saw every frame left; otherwise the frames it left out score below its last.
    const below = hits.length < perRound ? -Infinity : hits[hits.length - 1]!.score;
    for (const h of hits) {
      let e = seen.get(h.photoId);
      if (!e) {
        if (seen.size >= maxVideos) continue;
        seen.set(h.photoId, (e = { hits: [], below, round }));
      }
      e.hits.push(h);
    }
    if (hits.length < perRound || seen.size >= Math.min(MIN_VIDEOS, maxVideos)) break;
  }
  if (seen.size === 0) return [];
  const margin = o.margin ?? DEFAULT_SEGMENT_MARGIN;
  const times = frames.frameTimes([...seen.keys()]);
  // Frames a round did not return score below its cut: they cannot match a video whose best frame
  // is more than the margin above it (they only mark where its segments end). Videos nearer the
  // cut get every frame scored.
  const unsure = [...seen].filter(([id, e]) => Math.max(...e.hits.map((h) => h.score)) - margin <= e.below && (times.get(id)?.length ?? 0) > e.hits.length).map(([id]) => id);
  if (unsure.length > 0) {
    for (const id of unsure) seen.get(id)!.hits = [];
    for (const h of frames.scoreVideos(vec, unsure)) seen.get(h.photoId)?.hits.push(h);
  }
  const durations = durationOf([...seen.keys()]);
  const out: SegmentHit[] = [];
  for (const [photoId, e] of seen) {
    const scored = new Map(e.hits.map((h) => [h.t, h.score]));
    // Every sampled moment, the ones not returned below any threshold (NOT_MATCHING).
    const scores: FrameScore[] = (times.get(photoId) ?? e.hits.map((h) => h.t)).map((t) => ({ t, score: scored.get(t) ?? NOT_MATCHING }));
    const best = Math.max(...e.hits.map((h) => h.score));
    const durationS = durations.get(photoId) ?? undefined;
    for (const s of mergeSegments(scores, { threshold: best - margin, intervalS: SAMPLING_DEFAULTS.intervalS, durationS })) {
      if (o.exclude && o.exclude.photoId === photoId && o.exclude.at >= s.start && o.exclude.at <= s.end) continue;
      out.push({ photoId, score: s.score, segment: { start: s.start, end: s.end, bestTime: s.bestTime } });
    }
  }
  return out.sort(bySegmentOrder);
}

/** A score below every cosine: a sampled moment that does not match. */
const NOT_MATCHING = -2;

/** Best first; then by id and start, the order cursors continue in (mixed-pages.ts). */
export function bySegmentOrder(a: SegmentHit, b: SegmentHit): number {
  return Math.fround(1 - a.score) - Math.fround(1 - b.score) || a.photoId - b.photoId || a.segment.start - b.segment.start;
}
