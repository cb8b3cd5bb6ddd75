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

/** Most of the text (by length) runs vertically: a page photographed sideways, or columns. */
export function sidewaysPage(quads: readonly Quad[]): boolean {
  let vertical = 0;
  let horizontal = 0;
  for (const q of quads) {
    const s = quadSize(q);
    if (s.height >= 1.5 * s.width) vertical += s.height;
    else if (s.width >= 1.5 * s.height) horizontal += s.width;
  }
  return vertical > horizontal;
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
  const sideways = sidewaysPage(quads);
  return sized.map((s) => {
    const tall = s.height >= 1.5 * s.width || (sideways && s.width < 1.5 * s.height);
    return tall ? { quad: turn(s.q, 1), w: s.height, h: s.width, rotation: 90 } : { quad: s.q, w: s.width, h: s.height, rotation: 0 };
  });
}


/** The direction classifier's answer for one crop. */
export interface ClassVote {
  /** Read as upside down with more than the classifier's threshold. */
  flipped: boolean;
}

/**
 * The one place that decides which way up the lines are read, after EXIF has turned the photo
 * upright (media/ocr-image.ts). PP-OCR flips each line on its own, so a word the detector cut in
 * two could have one half flipped and not the other, and a page could come back partly upside
 * down. Here the lines vote: the horizontal lines of a photo are all flipped or none, and so are
 * the turned lines of a sideways page (`sideways`) — flipped when most of the classified lines
 * are confidently upside down (a line the classifier is unsure of counts against flipping: long
 * lines squeezed into its 192 px input often are). Vertical boxes on an upright page (a label
 * running up the side of a bottle) still go their own way, as they do in the world. A photo
 * whose EXIF is wrong (a phone held flat) is therefore turned as a whole, and one whose EXIF is
 * right is not turned back line by line.
 */
export function decideFlips(items: readonly { rotation: number }[], votes: readonly (ClassVote | null)[], sideways: boolean): boolean[] {
  const groupOf = (i: number): 'flat' | 'turned' | 'own' => (items[i].rotation === 0 ? 'flat' : sideways ? 'turned' : 'own');
  const count = { flat: { flip: 0, other: 0 }, turned: { flip: 0, other: 0 } };
  items.forEach((_, i) => {
    const v = votes[i];
    const g = groupOf(i);
    if (!v || g === 'own') return;
    if (v.flipped) count[g].flip++;
    else count[g].other++;
  });
  // A group's decision holds for all its lines, the ones the classifier was not asked about too.
  return items.map((_, i) => {
    const g = groupOf(i);
    if (g === 'own') return votes[i]?.flipped ?? false;
    return count[g].flip > count[g].other;
  });
}

/**
 * Which lines to ask the classifier about: every turned line on an upright page (each decides
 * for itself), and for each group that decides as a whole at most `sample` lines — those whose
 * shape suits the classifier's input best (aspect nearest `inputAspect`, then the longest): a
 * long line squeezed into its 192 px input or a one-character box says little.
 */
export function linesToClassify(items: readonly { w: number; h: number; rotation: number }[], sideways: boolean, sample: number, inputAspect: number): number[] {
  const own: number[] = [];
  const groups: Record<'flat' | 'turned', number[]> = { flat: [], turned: [] };
  items.forEach((it, i) => {
    if (it.rotation === 0) groups.flat.push(i);
    else if (sideways) groups.turned.push(i);
    else own.push(i);
  });
  const fit = (i: number): number => Math.abs(Math.log(items[i].w / Math.max(1e-6, items[i].h) / inputAspect));
  const pick = (g: number[]): number[] => [...g].sort((a, b) => fit(a) - fit(b) || items[b].w - items[a].w).slice(0, sample);
  return [...pick(groups.flat), ...pick(groups.turned), ...own].sort((a, b) => a - b);
}
