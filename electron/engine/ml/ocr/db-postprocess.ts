/**
 * Differentiable Binarization post-processing: the detector's probability map → text boxes.
 * Follows PP-OCR's DBPostProcess ("quad" boxes, "fast" score): threshold the map, take each
 * connected region, fit its minimum-area rectangle, keep it if the mean probability inside is high
 * enough, grow it by the unclip distance (area × ratio / perimeter — the network predicts shrunken
 * kernels) and map it to the source image.
 *
 * Differences, on purpose: regions are 8-connected components rather than OpenCV contours (the
 * same outer boundary for text kernels; holes do not become extra boxes), and growing a rectangle
 * by d and re-fitting a rectangle is done exactly (it is the rectangle grown by d on each side)
 * instead of through a rounded polygon offset.
 */
import { Scratch } from './scratch.ts';
import { convexHull, expandRect, minAreaRect, orderCorners, rectCorners, type Point, type Quad, type RotatedRect } from './geometry.ts';

export interface DbParams {
  /** Probability above which a pixel is text. */
  threshold: number;
  /** Mean probability a box needs to be kept. */
  boxThreshold: number;
  unclipRatio: number;
  /** Regions whose rectangle has a shorter side than this (map pixels) are noise. */
  minSize: number;
  maxCandidates: number;
  /** Grow the thresholded map by one pixel right and down (OpenCV's 2×2 dilation) first. */
  dilate?: boolean;
}

export interface DetectedBox {
  /** Corners in reading order. */
  quad: Quad;
  score: number;
}

const LABELS = new Scratch((n) => new Int32Array(n));
const STACK = new Scratch((n) => new Int32Array(n));
const DILATED = new Scratch((n) => new Float32Array(n));

interface Region {
  hull: Point[];
  pixels: number;
}

/**
 * 8-connected regions of `map > threshold`, each as the convex hull of its boundary pixels'
 * centres (interior pixels cannot be on the hull). One pass with a flood-fill stack.
 */
export function textRegions(map: Float32Array, width: number, height: number, threshold: number): Region[] {
  const label = LABELS.take(width * height, true);
  const stack = STACK.take(width * height);
  const regions: Region[] = [];
  let next = 0;
  for (let start = 0; start < map.length; start++) {
    if (label[start] !== 0 || !(map[start] > threshold)) continue;
    next++;
    label[start] = next;
    let sp = 0;
    stack[sp++] = start;
    const boundary: Point[] = [];
    let pixels = 0;
    while (sp > 0) {
      const i = stack[--sp];
      pixels++;
      const x = i % width;
      const y = (i - x) / width;
      let edge = x === 0 || y === 0 || x === width - 1 || y === height - 1;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if ((dx === 0 && dy === 0) || nx < 0 || nx >= width) continue;
          const j = ny * width + nx;
          if (map[j] > threshold) {
            if (label[j] === 0) {
              label[j] = next;
              stack[sp++] = j;
            }
          } else if (dx === 0 || dy === 0) edge = true;
        }
      }
      if (edge) boundary.push([x, y]);
    }
    regions.push({ hull: convexHull(boundary), pixels });
  }
  return regions;
}

/** Mean of `map` over the pixels a convex polygon covers (the "fast" DB score). */
export function meanInside(map: Float32Array, width: number, height: number, poly: readonly Point[]): number {
  let ymin = Infinity, ymax = -Infinity;
  for (const p of poly) {
    ymin = Math.min(ymin, p[1]);
    ymax = Math.max(ymax, p[1]);
  }
  const y0 = Math.max(0, Math.floor(ymin));
  const y1 = Math.min(height - 1, Math.ceil(ymax));
  let sum = 0;
  let n = 0;
  for (let y = y0; y <= y1; y++) {
    // Span of the polygon on this row (convex: one interval), taken at the pixel centre row and
    // widened to whole pixels touched, as a filled polygon with integer vertices would be.
    let xmin = Infinity, xmax = -Infinity;
    for (let k = 0; k < poly.length; k++) {
      const a = poly[k];
      const b = poly[(k + 1) % poly.length];
      const lo = Math.min(a[1], b[1]), hi = Math.max(a[1], b[1]);
      if (y < lo - 0.5 || y > hi + 0.5) continue;
      const yc = Math.min(hi, Math.max(lo, y));
      const x = hi === lo ? null : a[0] + ((yc - a[1]) * (b[0] - a[0])) / (b[1] - a[1]);
      if (x === null) {
        xmin = Math.min(xmin, a[0], b[0]);
        xmax = Math.max(xmax, a[0], b[0]);
      } else {
        xmin = Math.min(xmin, x);
        xmax = Math.max(xmax, x);
      }
    }
    if (xmin > xmax) continue;
    const x0 = Math.max(0, Math.floor(xmin));
    const x1 = Math.min(width - 1, Math.ceil(xmax));
    const row = y * width;
    for (let x = x0; x <= x1; x++) sum += map[row + x];
    n += Math.max(0, x1 - x0 + 1);
  }
  return n === 0 ? 0 : sum / n;
}

function unclip(rect: RotatedRect, ratio: number): RotatedRect {
  const area = rect.width * rect.height;
  const perimeter = 2 * (rect.width + rect.height);
  return perimeter === 0 ? rect : expandRect(rect, (area * ratio) / perimeter);
}

/**
 * Boxes from one probability map (width × height), in the map's pixel coordinates, clipped to it.
 * Largest regions first when there are more than `maxCandidates` (PP-OCR keeps the first ones it
 * happens to find).
 */
export function boxesFromProbabilityMap(map: Float32Array, width: number, height: number, params: DbParams): DetectedBox[] {
  let regions = textRegions(params.dilate ? dilated(map, width, height, params.threshold) : map, width, height, params.threshold);
  if (regions.length > params.maxCandidates) regions = [...regions].sort((a, b) => b.pixels - a.pixels).slice(0, params.maxCandidates);
  const out: DetectedBox[] = [];
  for (const region of regions) {
    const rect = minAreaRect(region.hull);
    if (Math.min(rect.width, rect.height) < params.minSize) continue;
    const score = meanInside(map, width, height, rectCorners(rect));
    if (score < params.boxThreshold) continue;
    const grown = unclip(rect, params.unclipRatio);
    if (Math.min(grown.width, grown.height) < params.minSize + 2) continue;
    const corners = rectCorners(grown).map(([x, y]): Point => [Math.min(width, Math.max(0, x)), Math.min(height, Math.max(0, y))]);
    out.push({ quad: orderCorners(corners), score });
  }
  return out;
}

/**
 * The map with every pixel set above the threshold where it or its left, upper or upper-left
 * neighbour is: the binary map dilated by a 2×2 kernel anchored like OpenCV's (regions grow by
 * one pixel right and down). Only the binary shape changes; scores still come from `map`.
 */
export function dilated(map: Float32Array, width: number, height: number, threshold: number): Float32Array {
  const out = DILATED.take(map.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const on = map[i] > threshold || (x > 0 && map[i - 1] > threshold) || (y > 0 && map[i - width] > threshold) || (x > 0 && y > 0 && map[i - width - 1] > threshold);
      out[i] = on ? 1 : 0;
    }
  }
  return out;
}
