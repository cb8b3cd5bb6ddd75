/**
 * Which way up each text box is read. Pure geometry, used by the recogniser (./ocr-sessions.ts).
 */
import { quadSize, type Quad } from './geometry.ts';

/** Turning a crop by 90° (counter-clockwise, as numpy's rot90) or 180° relabels the quad's corners. */
export const turn = (q: Quad, quarterTurns: number): Quad => [0, 1, 2, 3].map((i) => q[(i + quarterTurns) % 4]) as Quad;

export interface OrientedLine {
  /** Corners in the order the crop is read (its top-left first). */
  quad: Quad;
  /** Size of the crop as read. */
  w: number;
  h: number;
  /** Degrees turned: 0 or 90 here; the direction classifier may add 180. */
  rotation: number;
}

/**
 * Which way to read each box. PP-OCR turns a box by 90° when it is 1.5× taller than wide. A photo
 * of a document taken sideways (the phone's orientation guess fails when it is held flat) also has
 * short words in nearly square boxes, which that rule reads sideways: so the page votes — when
 * most of the text (by length) runs vertically, square-ish boxes are turned too. Whether the turn
 * should have been the other way (270°) is the direction classifier's call.
 */
export function orientLines(quads: readonly Quad[]): OrientedLine[] {
  const sized = quads.map((q) => ({ q, ...quadSize(q) }));
  let vertical = 0;
  let horizontal = 0;
  for (const s of sized) {
    if (s.height >= 1.5 * s.width) vertical += s.height;
    else if (s.width >= 1.5 * s.height) horizontal += s.width;
  }
  const sideways = vertical > horizontal;
  return sized.map((s) => {
    const tall = s.height >= 1.5 * s.width || (sideways && s.width < 1.5 * s.height);
    return tall ? { quad: turn(s.q, 1), w: s.height, h: s.width, rotation: 90 } : { quad: s.q, w: s.width, h: s.height, rotation: 0 };
  });
}

