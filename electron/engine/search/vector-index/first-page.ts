/**
 * The fast first page, and what its next page needs to know of it (searcher.ts).
 *
 * A list's first page takes its candidates from the sign codes (stage 1): the rows whose sign-code
 * score is at least a threshold that leaves `candidatesFor(limit, matched)` of them, int8-scored
 * and read exactly — the best `limit` of those, ≥ 0.99 of the true first page (fitted on CLIP-like
 * vectors, BENCH_ONLY=index-candidates). It costs a fraction of the exact pages' int8 pass over
 * every filtered row (at 1M: ~26 ms of CPU against ~158).
 *
 * The few rows it misses (exact distance inside the page, sign-code score below the threshold) are
 * returned at the top of the next page. The candidate set is the filtered rows whose sign-code
 * score is at least the threshold — a pure function of the query, the threshold and the sign
 * codes — so the cursor carries the threshold and the codes' identity (a fingerprint of the mean
 * they are centred on) and the next page recomputes the set (nothing is kept between requests).
 * Photos added or removed between the pages change neither: a photo shown stays among the
 * candidates (not repeated), one missed stays missed (shown next). When the codes were recentred
 * in between (only while an index is small and growing) the set cannot be recomputed: the next
 * page continues exactly after the cursor — nothing shown repeats, page 1's misses are not shown.
 */
import type { CodesIndex } from './codes-index.ts';

/**
 * Stage-1 candidates for a first page of `limit` among `matched` filtered rows:
 * CANDIDATE_SCALE × limit^0.43 × matched^0.63 (at least MIN_CANDIDATES). The sign codes' ranking
 * error grows with both the depth asked for and the number of rows competing. Fitted on CLIP-like
 * vectors (test/bench/search/): at 1M rows the recall ≥ 0.995 point was ~30k candidates for a page
 * of 500, at 100k ~7k; the scale carries a margin of ~1.5× over that fit (1M → ~44k, 100k → ~10k).
 */
export const CANDIDATE_SCALE = 0.5;
/** A first page scores every filtered row (it is exact) when there are at most this many… */
export const EXACT_UP_TO = 20_000;
/** …or when the candidates would be more than 1 / ALL_ROWS_FRACTION of them. */
const ALL_ROWS_FRACTION = 4;
const MIN_CANDIDATES = 2048;

export function candidatesFor(limit: number, matched: number): number {
  return Math.ceil(Math.max(MIN_CANDIDATES, CANDIDATE_SCALE * Math.pow(limit, 0.43) * Math.pow(matched, 0.63)));
}

/**
 * What a cursor carries while an approximate first page may owe rows: its sign-code threshold, the
 * identity of the codes it was scored on, and — once the next page began returning the rows it
 * missed — the last of those returned (they come in (distance, id) order).
 */
export interface FirstPageMark {
  threshold: number;
  codes: number;
  missed?: { distance: number; photoId: number };
}

/**
 * The sign-code score from which a first page of `limit` takes its candidates (after
 * index.applyFilter for this filter; runs the stage-1 scan), or null when it scores every filtered
 * row (it is then exact and owes nothing).
 */
export function firstPageThreshold(index: CodesIndex, query: Float32Array, masked: boolean, matched: number, limit: number): number | null {
  const want = candidatesFor(limit, matched);
  if (matched <= EXACT_UP_TO || want * ALL_ROWS_FRACTION >= matched) return null;
  index.scan(query);
  const { hist, shift } = index.scoreHistogram(masked);
  let acc = 0;
  let b = hist.length - 1;
  for (; b > 0; b--) {
    acc += hist[b]!;
    if (acc >= want) break;
  }
  return b === 0 ? null : b << shift;
}

/** The stage-1 scores of the last scan, by slot (valid until the index's next scan). */
export function stage1Scores(index: CodesIndex): Uint16Array {
  return index.mem.u16(index.mem.scoresOff, index.size);
}

/** The identity of the sign codes: a fingerprint of the mean they are centred on (FNV-1a over its bits). */
export function codesIdentity(index: CodesIndex): number {
  const w = new Int32Array(index.mean.buffer, index.mean.byteOffset, index.mean.length);
  let h = 0x811c9dc5;
  for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w[i]!, 0x01000193);
  return h >>> 0;
}
