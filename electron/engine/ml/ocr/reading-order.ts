/**
 * Reading order of text boxes: rows top to bottom, boxes left to right within a row. PP-OCR sorts
 * by the top-left corner and swaps neighbours less than 10 px apart vertically; a fixed 10 px is
 * too strict for big sign text and too loose for small print, so boxes share a row here when their
 * vertical centres are closer than half the smaller box's height.
 */
import type { Quad } from './geometry.ts';

function vertical(q: Quad): { centre: number; height: number; left: number } {
  const ys = q.map((p) => p[1]);
  const top = Math.min(...ys);
  const bottom = Math.max(...ys);
  return { centre: (top + bottom) / 2, height: bottom - top, left: Math.min(...q.map((p) => p[0])) };
}

export function readingOrder<T extends { box: Quad }>(items: readonly T[]): T[] {
  const meta = items.map((it, i) => ({ it, i, ...vertical(it.box) }));
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
