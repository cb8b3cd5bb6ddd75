/**
 * Boxes from the pieces of a tall image, made whole again. The pieces are cut across the height
 * (det-plan.ts), which suits horizontal lines — each lies whole in some piece and is kept by the
 * piece whose core holds its centre. A vertical column of text (Chinese set vertically, a
 * sideways label) runs across the cut instead: each piece sees part of it, and without this the
 * column came back as two overlapping lines read twice.
 */
import { convexHull, minAreaRect, orderCorners, quadCentre, quadSize, rectCorners, type Point, type Quad } from './geometry.ts';

export interface TileBox {
  quad: Quad;
  score: number;
  /** Which piece found it. */
  tile: number;
  /** Whether that piece's core holds its centre (the rule for boxes that are not merged). */
  inCore: boolean;
}

const tall = (q: Quad): boolean => {
  const { width, height } = quadSize(q);
  return height >= 1.5 * width;
};

function span(q: Quad, axis: 0 | 1): [number, number] {
  const v = q.map((p) => p[axis]);
  return [Math.min(...v), Math.max(...v)];
}

/** Two tall boxes from different pieces that are one column: their x ranges overlap by half the narrower, their y ranges meet. */
function sameColumn(a: TileBox, b: TileBox): boolean {
  if (a.tile === b.tile) return false;
  const [ax0, ax1] = span(a.quad, 0);
  const [bx0, bx1] = span(b.quad, 0);
  const overlapX = Math.min(ax1, bx1) - Math.max(ax0, bx0);
  if (overlapX < 0.5 * Math.min(ax1 - ax0, bx1 - bx0)) return false;
  const [ay0, ay1] = span(a.quad, 1);
  const [by0, by1] = span(b.quad, 1);
  return Math.min(ay1, by1) >= Math.max(ay0, by0);
}

/**
 * The boxes to keep: tall boxes that continue across pieces merged into one (the minimum-area
 * rectangle around all of them), everything else by the core rule.
 */
export function mergeTileBoxes(boxes: readonly TileBox[]): { quad: Quad; score: number }[] {
  const out: { quad: Quad; score: number }[] = [];
  const columns: TileBox[][] = [];
  for (const b of boxes) {
    if (!tall(b.quad)) {
      if (b.inCore) out.push({ quad: b.quad, score: b.score });
      continue;
    }
    const joined = columns.filter((c) => c.some((m) => sameColumn(m, b)));
    if (joined.length === 0) columns.push([b]);
    else {
      // b may bridge two groups found so far: they become one.
      const merged = [...joined.flat(), b];
      for (const c of joined) columns.splice(columns.indexOf(c), 1);
      columns.push(merged);
    }
  }
  for (const c of columns) {
    if (c.length === 1) {
      if (c[0].inCore) out.push({ quad: c[0].quad, score: c[0].score });
      continue;
    }
    const points: Point[] = c.flatMap((b) => b.quad);
    const quad = orderCorners(rectCorners(minAreaRect(convexHull(points))));
    out.push({ quad, score: Math.max(...c.map((b) => b.score)) });
  }
  // Reading order is decided later; keep the output stable by position.
  return out.sort((a, b) => quadCentre(a.quad)[1] - quadCentre(b.quad)[1] || quadCentre(a.quad)[0] - quadCentre(b.quad)[0]);
}
