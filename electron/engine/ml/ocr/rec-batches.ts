/**
 * How the recogniser's lines are grouped into runs. PP-OCR sorts the crops by aspect ratio and
 * reads them `batch` at a time, each batch padded to its widest line and to at least `minWidth`
 * (320 px, the 6.7:1 its recogniser was trained at). Sorted, a batch's lines are of similar width,
 * so little of a run is padding; `minWidth` decides what a short line (a chat's "好的", a price)
 * costs — at 320 px a two-character word is mostly padding. `batchWidth` bounds the padded pixels
 * across one batch, so a few very long lines run alone rather than dragging short ones to their
 * width.
 */

export interface RecBatchParams {
  /** Input height of the recogniser, pixels. */
  height: number;
  /** Narrowest input a batch is padded to. */
  minWidth: number;
  /** At most this many lines a run. */
  batch: number;
  /** At most this many padded pixels across a run (lines × width); absent: no bound. */
  batchWidth?: number;
}

export interface RecBatch {
  /** Indices into the caller's lines, narrowest first. */
  lines: number[];
  /** Input width of the run: the widest line's, at least minWidth. */
  width: number;
}

/** Batches for lines of these aspect ratios (width / height as read), in order of width. */
export function recognitionBatches(ratios: readonly number[], p: RecBatchParams): RecBatch[] {
  const widthOf = (i: number): number => Math.max(p.minWidth, Math.ceil(p.height * ratios[i]));
  const order = ratios.map((_, i) => i).sort((a, b) => ratios[a] - ratios[b]);
  const budget = p.batchWidth ?? Infinity;
  const out: RecBatch[] = [];
  for (let start = 0; start < order.length; ) {
    let end = start + 1;
    // Sorted by width, the last line of a run is its widest: the run's width is that line's.
    while (end < order.length && end - start < p.batch && (end - start + 1) * widthOf(order[end]) <= budget) end++;
    const lines = order.slice(start, end);
    out.push({ lines, width: widthOf(lines[lines.length - 1]) });
    start = end;
  }
  return out;
}
