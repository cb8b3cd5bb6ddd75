import { describe, expect, it } from 'vitest';
import { ctcDecodeBest, ctcGreedyDecode, parseDictionary } from '../../electron/engine/ml/ocr/ctc.ts';
import { boxesFromProbabilityMap, meanInside, textRegions } from '../../electron/engine/ml/ocr/db-postprocess.ts';
import { DEFAULT_DET_PLAN, planDetection } from '../../electron/engine/ml/ocr/det-plan.ts';
import { applyHomography, convexHull, minAreaRect, orderCorners, quadSize, rectCorners, rectToQuadHomography, type Quad } from '../../electron/engine/ml/ocr/geometry.ts';
import { orientLines, turn } from '../../electron/engine/ml/ocr/orientation.ts';
import { detectorInput, warpQuadInto } from '../../electron/engine/ml/ocr/raster.ts';
import { readingOrder } from '../../electron/engine/ml/ocr/reading-order.ts';

const box = (x: number, y: number, w: number, h: number): Quad => [[x, y], [x + w, y], [x + w, y + h], [x, y + h]];
const DB = { threshold: 0.3, boxThreshold: 0.6, unclipRatio: 1.5, minSize: 3, maxCandidates: 1000 };

/** A probability map with filled (optionally rotated) rectangles of probability p. */
function map(w: number, h: number, rects: { cx: number; cy: number; w: number; h: number; angle?: number; p?: number }[]): Float32Array {
  const m = new Float32Array(w * h);
  for (const r of rects) {
    const a = r.angle ?? 0;
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const dx = x - r.cx, dy = y - r.cy;
        const u = dx * Math.cos(a) + dy * Math.sin(a);
        const v = -dx * Math.sin(a) + dy * Math.cos(a);
        if (Math.abs(u) <= r.w / 2 && Math.abs(v) <= r.h / 2) m[y * w + x] = r.p ?? 0.9;
      }
  }
  return m;
}

describe('geometry', () => {
  it('finds the convex hull and the minimum-area rectangle of a rotated rectangle', () => {
    const corners = rectCorners({ cx: 50, cy: 40, width: 60, height: 10, angle: 0.3 });
    const inside = [...corners, [50, 40], [45, 41], [55, 39]] as [number, number][];
    expect(convexHull(inside)).toHaveLength(4);
    const r = minAreaRect(inside);
    expect(r.width * r.height).toBeCloseTo(600, 5);
    expect(Math.max(r.width, r.height)).toBeCloseTo(60, 5);
    expect(r.cx).toBeCloseTo(50, 5);
    expect(r.cy).toBeCloseTo(40, 5);
  });

  it('orders corners top-left, top-right, bottom-right, bottom-left whatever order they come in', () => {
    const q = orderCorners([[90, 52], [10, 50], [12, 70], [92, 72]]);
    expect(q).toEqual([[10, 50], [90, 52], [92, 72], [12, 70]]);
  });

  it('maps the crop rectangle onto the quad corners (perspective included)', () => {
    const q: Quad = [[10, 10], [110, 20], [100, 60], [5, 50]];
    const m = rectToQuadHomography(200, 40, q);
    expect(applyHomography(m, 0, 0)).toEqual([10, 10].map((v) => expect.closeTo(v, 6)));
    expect(applyHomography(m, 200, 0)).toEqual([110, 20].map((v) => expect.closeTo(v, 6)));
    expect(applyHomography(m, 200, 40)).toEqual([100, 60].map((v) => expect.closeTo(v, 6)));
    expect(applyHomography(m, 0, 40)).toEqual([5, 50].map((v) => expect.closeTo(v, 6)));
  });
});

describe('DB post-processing', () => {
  it('turns each text kernel into one box grown by the unclip distance', () => {
    const m = map(200, 100, [{ cx: 60, cy: 30, w: 80, h: 10 }, { cx: 120, cy: 75, w: 100, h: 8, angle: 0.1 }]);
    const boxes = boxesFromProbabilityMap(m, 200, 100, DB);
    expect(boxes).toHaveLength(2);
    const first = boxes.find((b) => b.quad[0][1] < 50)!;
    const { width, height } = quadSize(first.quad);
    // Kernel 81 × 11 pixels (centres span 80 × 10) grown by 1.5 · area / perimeter = 6.67 per side.
    const d = (1.5 * 80 * 10) / (2 * 90);
    expect(width).toBeCloseTo(80 + 2 * d, 0);
    expect(height).toBeCloseTo(10 + 2 * d, 0);
    expect(first.score).toBeCloseTo(0.9, 1);
    const tilted = boxes.find((b) => b !== first)!;
    const slope = (tilted.quad[1][1] - tilted.quad[0][1]) / (tilted.quad[1][0] - tilted.quad[0][0]);
    expect(slope).toBeCloseTo(Math.tan(0.1), 1);
  });

  it('drops faint regions, specks and regions over the candidate limit', () => {
    const m = map(120, 60, [{ cx: 30, cy: 20, w: 40, h: 8, p: 0.45 }, { cx: 90, cy: 40, w: 2, h: 2 }, { cx: 80, cy: 15, w: 30, h: 8 }]);
    expect(textRegions(m, 120, 60, 0.3)).toHaveLength(3);
    const boxes = boxesFromProbabilityMap(m, 120, 60, DB);
    expect(boxes).toHaveLength(1);
    expect(boxesFromProbabilityMap(m, 120, 60, { ...DB, boxThreshold: 0.4, maxCandidates: 1 })).toHaveLength(1);
    expect(boxesFromProbabilityMap(m, 120, 60, { ...DB, boxThreshold: 0.4 })).toHaveLength(2);
  });

  it('scores a box by the mean probability it covers', () => {
    const m = new Float32Array(10 * 10).fill(0.2);
    for (let x = 0; x < 5; x++) m[5 * 10 + x] = 1;
    expect(meanInside(m, 10, 10, [[0, 5], [4, 5], [4, 5], [0, 5]])).toBeCloseTo(1, 5);
    expect(meanInside(m, 10, 10, [[0, 0], [9, 0], [9, 9], [0, 9]])).toBeCloseTo(0.2 + 0.8 * 0.05, 5);
  });

  it('finds nothing in an empty map', () => {
    expect(boxesFromProbabilityMap(new Float32Array(64 * 64), 64, 64, DB)).toEqual([]);
  });
});

describe('detection plan', () => {
  it('scales ordinary photos to the max side on a 32-pixel grid, never up', () => {
    const p = planDetection(4032, 3024);
    expect(Math.max(p.width, p.height)).toBe(DEFAULT_DET_PLAN.maxSide);
    expect(p.width % 32).toBe(0);
    expect(p.height % 32).toBe(0);
    expect(p.tiles).toHaveLength(1);
    const small = planDetection(600, 120);
    expect([small.width, small.height]).toEqual([608, 128]);
    expect(small.tiles).toHaveLength(1);
  });

  it('keeps tall screenshots near full resolution, cut into overlapping tiles whose cores cover the image once', () => {
    const { maxSide } = DEFAULT_DET_PLAN;
    for (const [w, h] of [[1170, 5200], [1440, 4800], [1080, 9000], [1170, 30000]]) {
      const p = planDetection(w, h);
      expect(p.scaleX).toBeGreaterThan(0.55);
      expect(p.tiles.length).toBeGreaterThan(1);
      for (const t of p.tiles) {
        expect(t.y % 32).toBe(0);
        expect(t.height % 32).toBe(0);
        expect(t.y + t.height).toBeLessThanOrEqual(p.height);
        // No piece needs more memory than an ordinary 4:3 photo's detector input.
        expect(t.width * t.height).toBeLessThanOrEqual(maxSide * maxSide * 0.75);
      }
      // Pieces are not wasted on overlap: together at most a quarter more than the image.
      const detected = p.tiles.reduce((a, t) => a + t.width * t.height, 0);
      expect(detected).toBeLessThanOrEqual(1.25 * p.width * p.height);
      expect(p.tiles[0].core.y0).toBe(0);
      expect(p.tiles[p.tiles.length - 1].core.y1).toBe(p.height);
      for (let i = 1; i < p.tiles.length; i++) {
        expect(p.tiles[i].core.y0).toBe(p.tiles[i - 1].core.y1);
        // Neighbours overlap by at least 12.5 % of the width (two lines of text), and the seam
        // lies in the middle of the overlap.
        const overlap = p.tiles[i - 1].y + p.tiles[i - 1].height - p.tiles[i].y;
        expect(overlap).toBeGreaterThanOrEqual(Math.round((p.width * DEFAULT_DET_PLAN.overlap) / 32) * 32);
        expect(p.tiles[i].core.y0 - p.tiles[i].y).toBeGreaterThanOrEqual(overlap / 2 - 1);
      }
    }
  });

  it('reads a phone screenshot (≈ 9:19.5 to 9:20) as one piece, at the scale of a 2:1 piece', () => {
    for (const [w, h] of [[1170, 2532], [1080, 2400], [1290, 2796], [1440, 3200]]) {
      const p = planDetection(w, h);
      expect(p.tiles).toHaveLength(1);
      expect(p.width).toBe(Math.round((DEFAULT_DET_PLAN.maxSide / DEFAULT_DET_PLAN.maxAspect) / 32) * 32);
    }
  });

  it('does not cut wide panoramas (their lines would be cut)', () => {
    expect(planDetection(8000, 1500).tiles).toHaveLength(1);
  });
});

describe('CTC decoding', () => {
  const dict = parseDictionary('营\n业\n时\n间\n', true);
  const probs = (steps: number[][]): Float32Array => Float32Array.from(steps.flat());
  const step = (cls: number, p = 0.9): number[] => Array.from({ length: dict.length + 1 }, (_, c) => (c === cls ? p : (1 - p) / dict.length));

  it('merges repeats, drops blanks and keeps doubled characters separated by a blank', () => {
    const p = probs([step(1), step(1), step(0), step(2), step(0), step(2), step(5, 0.6), step(3)]);
    const r = ctcGreedyDecode(p, 8, dict.length + 1, dict);
    expect(r.text).toBe('营业业 时');
    expect(r.confidence).toBeCloseTo((0.9 * 4 + 0.6) / 5, 5);
  });

  it('reads nothing from all blanks, and refuses a dictionary of the wrong size', () => {
    expect(ctcGreedyDecode(probs([step(0), step(0)]), 2, dict.length + 1, dict)).toEqual({ text: '', confidence: 0 });
    expect(() => ctcGreedyDecode(probs([step(0)]), 1, dict.length + 1, dict.slice(1))).toThrow(/dictionary/);
  });

  it('decodes the per-step best class (as the graph answers it, int64) the same way, and refuses a class past the dictionary', () => {
    const index = BigInt64Array.from([1n, 1n, 0n, 2n, 0n, 2n, 5n, 3n]);
    const prob = Float32Array.from([0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.6, 0.9]);
    const r = ctcDecodeBest(index, prob, dict);
    expect(r).toEqual(ctcGreedyDecode(probs([step(1), step(1), step(0), step(2), step(0), step(2), step(5, 0.6), step(3)]), 8, dict.length + 1, dict));
    expect(r.text).toBe('营业业 时');
    // Ties go to the first class, as ONNX Runtime's ArgMax picks them.
    expect(ctcGreedyDecode(probs([step(2, 0.5).map((p, c) => (c === 1 ? 0.5 : p))]), 1, dict.length + 1, dict).text).toBe(dict[0]);
    expect(() => ctcDecodeBest([dict.length + 1], [0.9], dict)).toThrow(/outside the dictionary/);
    expect(() => ctcDecodeBest([1, 2], [0.9], dict)).toThrow(/class indices/);
  });
});

describe('orientation and reading order', () => {

  it('turns tall boxes, and square ones too when the page is sideways', () => {
    const upright = orientLines([box(0, 0, 200, 30), box(0, 40, 35, 30)]);
    expect(upright.map((l) => l.rotation)).toEqual([0, 0]);
    const sideways = orientLines([box(0, 0, 30, 200), box(40, 0, 30, 180), box(80, 0, 30, 35)]);
    expect(sideways.map((l) => l.rotation)).toEqual([90, 90, 90]);
    expect(sideways[0].quad).toEqual(turn(box(0, 0, 30, 200), 1));
    expect([sideways[0].w, sideways[0].h]).toEqual([200, 30]);
  });

  it('reads rows top to bottom and left to right, tolerating slightly uneven baselines', () => {
    const items = [box(300, 102, 100, 30), box(10, 100, 100, 30), box(10, 200, 100, 30), box(150, 98, 100, 30)].map((b, i) => ({ box: b, i }));
    expect(readingOrder(items).map((x) => x.i)).toEqual([1, 3, 0, 2]);
  });
});

describe('pixels', () => {
  it('normalises the detector input per channel in BGR order', () => {
    const data = new Uint8Array([255, 0, 0, 0, 255, 0]);
    const t = detectorInput({ data, width: 2, height: 1 }, { x: 0, y: 0, width: 2, height: 1 }, { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5], channelOrder: 'bgr' });
    // Planes B, G, R; pixel 0 is pure red, pixel 1 pure green.
    expect(Array.from(t)).toEqual([-1, -1, -1, 1, 1, -1]);
  });

  it('warps a quad straight into the batch tensor, leaving the padding untouched', () => {
    // A 40 × 20 raster: left half black, right half white.
    const w = 40, h = 20;
    const data = new Uint8Array(w * h * 3);
    for (let y = 0; y < h; y++) for (let x = 20; x < w; x++) data.fill(255, (y * w + x) * 3, (y * w + x) * 3 + 3);
    const tensor = new Float32Array(3 * 8 * 24);
    const norm = { mean: [0.5, 0.5, 0.5] as [number, number, number], std: [0.5, 0.5, 0.5] as [number, number, number], channelOrder: 'bgr' as const };
    warpQuadInto({ data, width: w, height: h }, box(0, 0, 40, 20), 40, 20, norm, { tensor, index: 0, batchWidth: 24, height: 8, width: 16 });
    const at = (x: number, y: number): number => tensor[y * 24 + x];
    expect(at(1, 4)).toBeCloseTo(-1, 5);
    expect(at(14, 4)).toBeCloseTo(1, 5);
    expect(at(20, 4)).toBe(0);
    // Turned by 180°, the crop reads white first.
    warpQuadInto({ data, width: w, height: h }, turn(box(0, 0, 40, 20), 2), 40, 20, norm, { tensor, index: 0, batchWidth: 24, height: 8, width: 16 });
    expect(at(1, 4)).toBeCloseTo(1, 5);
  });

  it('samples a perspective quad where applyHomography maps each sample (the crop inlines it)', () => {
    // A rectangle's homography is affine (no perspective terms), so the test above cannot tell a
    // mistake in the inlined perspective division. A skewed quad, 2 × 2 samples a pixel.
    const w = 64, h = 48;
    const data = new Uint8Array(w * h * 3);
    for (let i = 0; i < data.length; i++) data[i] = (i * 37 + ((i / 3) | 0) * 11) % 256;
    const quad: Quad = [[5.5, 3], [58, 9.25], [50.5, 41], [2, 33.75]];
    const cropW = 56, cropH = 24;
    const out = { width: 28, height: 12, batchWidth: 30 };
    const norm = { mean: [0.485, 0.456, 0.406] as [number, number, number], std: [0.229, 0.224, 0.225] as [number, number, number], channelOrder: 'bgr' as const };
    const tensor = new Float32Array(3 * out.height * out.batchWidth);
    warpQuadInto({ data, width: w, height: h }, quad, cropW, cropH, norm, { tensor, index: 0, ...out });
    const m = rectToQuadHomography(cropW, cropH, quad);
    const bilinear = (px: number, py: number, ch: number): number => {
      const x = Math.min(w - 1, Math.max(0, px)), y = Math.min(h - 1, Math.max(0, py));
      const x0 = Math.floor(x), y0 = Math.floor(y), x1 = Math.min(w - 1, x0 + 1), y1 = Math.min(h - 1, y0 + 1);
      const p = (xx: number, yy: number): number => data[(yy * w + xx) * 3 + ch];
      const top = p(x0, y0) + (p(x1, y0) - p(x0, y0)) * (x - x0);
      const bottom = p(x0, y1) + (p(x1, y1) - p(x0, y1)) * (x - x0);
      return top + (bottom - top) * (y - y0);
    };
    let checked = 0;
    for (let v = 0; v < out.height; v++) {
      for (let u = 0; u < out.width; u++) {
        for (let c = 0; c < 3; c++) {
          const rgb = 2 - c; // BGR planes
          let sum = 0;
          for (const [j, i] of [[0, 0], [0, 1], [1, 0], [1, 1]]) {
            const [px, py] = applyHomography(m, (u + (i + 0.5) / 2) * 2 - 0.5, (v + (j + 0.5) / 2) * 2 - 0.5);
            sum += bilinear(px, py, rgb);
          }
          expect(tensor[c * out.height * out.batchWidth + v * out.batchWidth + u]).toBeCloseTo((sum / 4 / 255 - norm.mean[c]) / norm.std[c], 4);
          checked++;
        }
      }
    }
    expect(checked).toBe(3 * 28 * 12);
  });
});
