/**
 * At what size the detector sees a photo, and in which pieces.
 *
 * PP-OCR's default (long side ≤ 960) shrinks a 1170 × 2532 phone screenshot to 0.38×, where its
 * 16 px characters become 6 px and are lost. Instead the photo is scaled as if a piece `maxAspect`
 * times as long as it is wide had to fit `maxSide`: ordinary photos are one piece scaled to
 * `maxSide`, tall screenshots and scrolling captures keep almost their full resolution and, when
 * longer than a piece of `pieceArea` × maxSide² pixels holds, are cut into overlapping pieces of
 * one height along their length. `maxSide` was chosen by measurement (see docs/decisions/ocr.md
 * and `BENCH_ONLY=ocr npm run bench`).
 *
 * The detector needs sides that are multiples of 32; like PP-OCR the whole image is resized to
 * such a size (a slight stretch is harmless to DB), and tiles lie on that grid.
 */

export interface DetPlanParams {
  /** Long side of one detector input, pixels. */
  maxSide: number;
  /** A piece may be this many times longer than wide before the photo is cut. */
  maxAspect: number;
  /**
   * A piece may hold up to this × maxSide² pixels (0.75: a 4:3 photo's detector input, so cutting
   * a tall image never needs more memory than an ordinary photo); pieces are of one height, as few
   * as fit. A phone screenshot (≈ 9:19.5, just over `maxAspect`) is then one piece instead of two
   * that overlap by most of their height. Absent: 0.75.
   */
  pieceArea?: number;
  /** Overlap between neighbouring pieces, as a fraction of the short side (≥ 2 text lines). */
  overlap: number;
  /** The stride of the network: input sides are multiples of it. */
  stride: number;
  /**
   * Small inputs (short side below this, pixels) are scaled up until it is reached (never past
   * `maxSide`) and get a margin: a tight crop of a word or a line has its text touching the
   * edges, where the detector finds nothing. 0 = off.
   */
  smallSide?: number;
  /** Inputs wider than this many times their height get a margin above and below to this aspect. 0 = off. */
  wideAspect?: number;
  /** Margin around small and wide inputs, as a fraction of the (scaled) short side. */
  margin?: number;
}

export const DEFAULT_DET_PLAN: DetPlanParams = { maxSide: 1600, maxAspect: 2, pieceArea: 0.75, overlap: 0.125, stride: 32 };

/** Pixels of filler around the raster in the detector's input (small and very wide inputs). */
export interface DetPad {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export interface DetTile {
  /** Rectangle in the resized image (multiples of the stride). */
  x: number;
  y: number;
  width: number;
  height: number;
  /**
   * The part of the resized image this tile answers for: a box is kept from the tile whose core
   * holds its centre, so a line in an overlap is reported once, from the tile that saw it whole.
   */
  core: { x0: number; y0: number; x1: number; y1: number };
  /** Filler added around this tile in the detector's input; the tile plus pad is a multiple of the stride. */
  pad?: DetPad;
}

export interface DetPlan {
  /** Size the whole image is resized to for detection. */
  width: number;
  height: number;
  /** resized / original, per axis. */
  scaleX: number;
  scaleY: number;
  tiles: DetTile[];
}

const roundTo = (v: number, m: number): number => Math.max(m, Math.round(v / m) * m);

export function planDetection(srcWidth: number, srcHeight: number, params: DetPlanParams = DEFAULT_DET_PLAN): DetPlan {
  if (!(srcWidth > 0 && srcHeight > 0)) throw new RangeError(`invalid image size ${srcWidth}×${srcHeight}`);
  const padded = planPadded(srcWidth, srcHeight, params);
  if (padded) return padded;
  // Only tall images are cut, across their height: their lines run across the cuts, so the
  // overlap catches every line whole. A wide panorama is scaled by its long side instead, since
  // cutting it would cut its lines.
  const pieceLong = Math.min(Math.max(srcWidth, srcHeight), srcHeight > srcWidth ? srcWidth * params.maxAspect : Infinity);
  const scale = Math.min(1, params.maxSide / pieceLong);
  const width = roundTo(srcWidth * scale, params.stride);
  const height = roundTo(srcHeight * scale, params.stride);
  return { width, height, scaleX: width / srcWidth, scaleY: height / srcHeight, tiles: tile(width, height, params) };
}

function tile(width: number, height: number, p: DetPlanParams): DetTile[] {
  const maxPiece = Math.max(p.maxSide, Math.floor((p.maxSide * p.maxSide * (p.pieceArea ?? 0.75)) / width / p.stride) * p.stride);
  if (height <= maxPiece) return [{ x: 0, y: 0, width, height, core: { x0: 0, y0: 0, x1: width, y1: height } }];
  const overlap = Math.max(p.stride, Math.round((width * p.overlap) / p.stride) * p.stride);
  // As few pieces as fit, all of one height. Starts snap to the stride grid, which moves a seam
  // by up to one stride: a stride of slack keeps every overlap at least `overlap`.
  const roundUp = (v: number): number => Math.ceil(v / p.stride) * p.stride;
  let n = 2;
  while (roundUp((height + (n - 1) * (overlap + p.stride)) / n) > maxPiece) n++;
  const piece = roundUp((height + (n - 1) * (overlap + p.stride)) / n);
  const starts = Array.from({ length: n }, (_, i) => Math.round((i * (height - piece)) / (n - 1) / p.stride) * p.stride);
  // Core boundaries sit in the middle of each overlap.
  return starts.map((y, i) => ({
    x: 0,
    y,
    width,
    height: piece,
    core: { x0: 0, y0: i === 0 ? 0 : (y + starts[i - 1] + piece) / 2, x1: width, y1: i === n - 1 ? height : (starts[i + 1] + y + piece) / 2 },
  }));
}

/**
 * Small and very wide inputs (a word crop, a line cut out of a page): scaled up to `smallSide`
 * and surrounded by a margin, as RapidOCR does (its vertical letterbox for lines wider than 8:1
 * and its minimum side). The image keeps its exact aspect; the margin absorbs the rounding to
 * the stride. Null when the input is neither.
 */
function planPadded(srcWidth: number, srcHeight: number, p: DetPlanParams): DetPlan | null {
  const shortSide = Math.min(srcWidth, srcHeight);
  const longSide = Math.max(srcWidth, srcHeight);
  const small = (p.smallSide ?? 0) > 0 && shortSide < p.smallSide!;
  const wide = (p.wideAspect ?? 0) > 0 && srcWidth > p.wideAspect! * srcHeight;
  if (!small && !wide) return null;
  const scale = Math.min(small ? p.smallSide! / shortSide : 1, p.maxSide / longSide);
  const width = Math.max(1, Math.round(srcWidth * scale));
  const height = Math.max(1, Math.round(srcHeight * scale));
  const m = Math.round((p.margin ?? 0.5) * Math.min(width, height));
  let top = m;
  let bottom = m;
  if (wide && p.wideAspect) {
    const extra = Math.max(0, Math.ceil((width + 2 * m) / p.wideAspect) - (height + 2 * m));
    top += Math.floor(extra / 2);
    bottom += Math.ceil(extra / 2);
  }
  const roundUp = (v: number): number => Math.ceil(v / p.stride) * p.stride;
  const right = m + roundUp(width + 2 * m) - (width + 2 * m);
  bottom += roundUp(height + top + bottom) - (height + top + bottom);
  return {
    width,
    height,
    scaleX: width / srcWidth,
    scaleY: height / srcHeight,
    tiles: [{ x: 0, y: 0, width, height, core: { x0: 0, y0: 0, x1: width, y1: height }, pad: { left: m, top, right, bottom } }],
  };
}

/** A rectangle in source pixels. */
export interface SourceRect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/**
 * The plan cut down to one piece around `rect` (source pixels; the text the gate found, with a
 * margin): the full-size detection need not look where the gate saw nothing near any text. The
 * piece lies on the stride grid inside the resized image and answers for all of itself. Null when
 * the plan has several pieces, or the piece would cover more than `worth` of the image's area
 * (no saving worth the risk).
 */
export function regionPlan(plan: DetPlan, rect: SourceRect, worth: number, stride: number): DetPlan | null {
  if (plan.tiles.length !== 1 || plan.tiles[0].pad) return null;
  const down = (v: number, max: number): number => Math.min(max, Math.max(0, Math.floor(v / stride) * stride));
  const up = (v: number, max: number): number => Math.min(max, Math.max(0, Math.ceil(v / stride) * stride));
  const x = down(rect.x0 * plan.scaleX, plan.width);
  const y = down(rect.y0 * plan.scaleY, plan.height);
  const width = up(rect.x1 * plan.scaleX, plan.width) - x;
  const height = up(rect.y1 * plan.scaleY, plan.height) - y;
  if (width <= 0 || height <= 0 || width * height > worth * plan.width * plan.height) return null;
  return { ...plan, tiles: [{ x, y, width, height, core: { x0: x, y0: y, x1: x + width, y1: y + height } }] };
}
