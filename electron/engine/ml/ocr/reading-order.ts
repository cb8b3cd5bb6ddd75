/**
 * Reading order of text boxes: rows top to bottom, boxes left to right within a row. PP-OCR sorts
 * by the top-left corner and swaps neighbours less than 10 px apart vertically; a fixed 10 px is
 * too strict for big sign text and too loose for small print, so boxes share a row here when their
 * vertical centres are closer than half the smaller box's height.
 *
 * "Top" is the page's: a photo whose lines were read turned (upside down, or sideways) is ordered
 * in that turned frame, so an upside-down receipt reads from its first line, not its last, and
 * Chinese set in vertical columns (read turned by 90°, as PP-OCR does) goes column by column,
 * right to left.
 */
import type { Point, Quad } from './geometry.ts';

/** How the page is read: the turn (degrees counter-clockwise) that puts its text upright. */
export interface PageFrame {
  rotation: number;
  width: number;
  height: number;
}

/** A point of the upright photo in the frame turned by `rotation` degrees counter-clockwise. */
function toFrame([x, y]: Point, f: PageFrame): Point {
  switch (((f.rotation % 360) + 360) % 360) {
    case 90:
      return [y, f.width - x];
    case 180:
      return [f.width - x, f.height - y];
    case 270:
      return [f.height - y, x];
    default:
      return [x, y];
  }
}

function extent(q: Quad, f: PageFrame | undefined): { centre: number; height: number; left: number } {
  const pts = f ? q.map((p) => toFrame(p, f)) : q;
  const ys = pts.map((p) => p[1]);
  const top = Math.min(...ys);
  const bottom = Math.max(...ys);
  return { centre: (top + bottom) / 2, height: bottom - top, left: Math.min(...pts.map((p) => p[0])) };
}

export function readingOrder<T extends { box: Quad }>(items: readonly T[], frame?: PageFrame): T[] {
  const meta = items.map((it, i) => ({ it, i, ...extent(it.box, frame) }));
  meta.sort((a, b) => a.centre - b.centre || a.left - b.left);
  const rows: (typeof meta)[] = [];
  for (const m of meta) {
    const row = rows[rows.length - 1];
    const anchor = row?.[0];
    if (anchor && Math.abs(m.centre - anchor.centre) < Math.min(m.height, anchor.height) / 2) row.push(m);
    else rows.push([m]);
  }
  return rows.flatMap((row) => row.sort((a, b) => a.left - b.left || a.i - b.i).map((m) => m.it));
}

/** The page's frame from how its lines were read: the turn most of the text (by length) was read at. */
export function pageFrame(lines: readonly { text: string; rotation: number }[], width: number, height: number): PageFrame {
  const byRotation = new Map<number, number>();
  for (const l of lines) byRotation.set(l.rotation, (byRotation.get(l.rotation) ?? 0) + [...l.text].length);
  let rotation = 0;
  let best = 0;
  for (const [r, n] of byRotation) if (n > best) [rotation, best] = [r, n];
  return { rotation, width, height };
}
