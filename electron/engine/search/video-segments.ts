/**
 * The video side of a search: a query vector → the matching segments of videos, best first, each
 * a hit of its own (a video appears once per matching segment).
 *
 * 1. Candidates: sqlite-vec's KNN over the serving model's frames (the filter inside the query),
 *    MAX_K frames a round; a round that fills up is followed by one without the videos already
 *    seen (so one long video's thousands of frames cannot hide every other video), up to
 *    MAX_ROUNDS or `maxVideos` videos.
 * 2. Every frame of each candidate is scored (a second KNN restricted to those videos), unless the
 *    first already returned all of them — the usual case while a library holds fewer frames than
 *    MAX_K.
 * 3. Per video, a frame matches when it is within `margin` of the video's best frame
 *    (video/segments.ts merges neighbouring matches into segments): the best segment always, other
 *    segments only when they match about as well. The margin depends on how a model spreads its
 *    scores (a real Chinese-CLIP's text–image cosines sit in 0.15–0.35): it is a parameter,
 *    calibrated as docs/decisions/video.md describes.
 *
 * Why sqlite-vec and not the codes index for frames: measured in docs/decisions/video.md (the
 * frame counts of phone libraries are a fraction of their photo counts); photo-only libraries
 * never reach this code past `hasAny()`.
 */
import type { PhotoQuery } from '../store/photo-filter.ts';
import type { FrameHit, VideoFrameRepository } from '../store/video-frames.ts';
import { MAX_K } from '../store/vector-repository.ts';
import { SAMPLING_DEFAULTS } from '../video/frames.ts';
import { mergeSegments, type FrameScore } from '../video/segments.ts';

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
const DEFAULT_MAX_VIDEOS = 1000;
const MAX_ROUNDS = 4;

/**
 * The filter each side of a search gets (null: that side has nothing to show). Vector tables hold
 * one kind each — photo vectors are photos, frames are videos — so `kind` picks the side and is
 * not sent on as a condition (on the photo side it would be an id set of the whole library).
 */
export function sideFilters(q: PhotoQuery): { photos: PhotoQuery | null; videos: PhotoQuery | null } {
  const { kind, ...rest } = q;
  return { photos: kind === 'video' ? null : rest, videos: kind === 'photo' ? null : rest };
}

export function videoSegments(
  frames: VideoFrameRepository,
  durationOf: (photoIds: number[]) => Map<number, number | null>,
  vec: Float32Array,
  filter: PhotoQuery,
  o: SegmentSearchOptions = {},
): SegmentHit[] {
  if (!frames.hasAny()) return [];
  const maxVideos = o.maxVideos ?? DEFAULT_MAX_VIDEOS;
  const seen = new Map<number, FrameHit[]>();
  for (let round = 0; round < MAX_ROUNDS && seen.size < maxVideos; round++) {
    const hits = frames.knn(vec, MAX_K, filter, round === 0 ? {} : { exceptVideos: [...seen.keys()] });
    for (const h of hits) {
      const list = seen.get(h.photoId);
      if (list) list.push(h);
      else if (seen.size < maxVideos) seen.set(h.photoId, [h]);
    }
    if (hits.length < MAX_K) break;
  }
  if (seen.size === 0) return [];
  completeFrames(frames, vec, seen);
  const durations = durationOf([...seen.keys()]);
  const margin = o.margin ?? DEFAULT_SEGMENT_MARGIN;
  const out: SegmentHit[] = [];
  for (const [photoId, hits] of seen) {
    const scores: FrameScore[] = hits.map((h) => ({ t: h.t, score: h.score }));
    const best = Math.max(...scores.map((s) => s.score));
    const durationS = durations.get(photoId) ?? undefined;
    for (const s of mergeSegments(scores, { threshold: best - margin, intervalS: SAMPLING_DEFAULTS.intervalS, durationS })) {
      if (o.exclude && o.exclude.photoId === photoId && o.exclude.at >= s.start && o.exclude.at <= s.end) continue;
      out.push({ photoId, score: s.score, segment: { start: s.start, end: s.end, bestTime: s.bestTime } });
    }
  }
  return out.sort(bySegmentOrder);
}

/** Best first; then by id and start, the order cursors continue in (mixed-pages.ts). */
export function bySegmentOrder(a: SegmentHit, b: SegmentHit): number {
  return Math.fround(1 - a.score) - Math.fround(1 - b.score) || a.photoId - b.photoId || a.segment.start - b.segment.start;
}

/** Scores every frame of the candidates whose frames the first KNN did not all return. */
function completeFrames(frames: VideoFrameRepository, vec: Float32Array, seen: Map<number, FrameHit[]>): void {
  const counts = frames.frameCounts([...seen.keys()]);
  const partial = [...seen.keys()].filter((id) => (counts.get(id) ?? 0) > seen.get(id)!.length);
  let chunk: number[] = [];
  let inChunk = 0;
  const flush = (): void => {
    if (chunk.length === 0) return;
    const all = frames.knn(vec, Math.min(MAX_K, inChunk), {}, { onlyVideos: chunk });
    for (const id of chunk) seen.set(id, []);
    for (const h of all) seen.get(h.photoId)?.push(h);
    chunk = [];
    inChunk = 0;
  };
  for (const id of partial) {
    const n = Math.min(counts.get(id) ?? 0, MAX_K);
    if (inChunk + n > MAX_K) flush();
    chunk.push(id);
    inChunk += n;
  }
  flush();
}
