/**
 * The steps taken from PaddleOCR's and RapidOCR's pipelines (docs/decisions/ocr.md): margins for
 * small and very wide inputs, the 2×2 dilation, pieces of tall images merged back into columns,
 * one orientation decision per page, reading order in the page's frame, the contrasting
 * background of transparent images.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it, vi } from 'vitest';
import { dilated } from '../../electron/engine/ml/ocr/db-postprocess.ts';
import { DEFAULT_DET_PLAN, planDetection, type DetPlanParams } from '../../electron/engine/ml/ocr/det-plan.ts';
import type { Quad } from '../../electron/engine/ml/ocr/geometry.ts';
import { decideFlips, linesToClassify } from '../../electron/engine/ml/ocr/orientation.ts';
import { borderColour, detectorInput } from '../../electron/engine/ml/ocr/raster.ts';
import { pageFrame, readingOrder } from '../../electron/engine/ml/ocr/reading-order.ts';
import { mergeTileBoxes } from '../../electron/engine/ml/ocr/tile-merge.ts';
import { OcrImage } from '../../electron/engine/media/ocr-image.ts';

const box = (x: number, y: number, w: number, h: number): Quad => [[x, y], [x + w, y], [x + w, y + h], [x, y + h]];
const PADDED: DetPlanParams = { ...DEFAULT_DET_PLAN, smallSide: 64, wideAspect: 8, margin: 0.3 };

describe('margins for small and very wide inputs', () => {
  it('scales a small crop up to the small side and surrounds it with a margin, the input a multiple of the stride', () => {
    const p = planDetection(73, 28, PADDED);
    expect(p.height).toBe(64);
    expect(p.width).toBe(Math.round((73 * 64) / 28));
    const pad = p.tiles[0].pad!;
    expect(pad.left).toBeGreaterThan(0);
    expect(pad.top).toBeGreaterThan(0);
    expect((p.width + pad.left + pad.right) % 32).toBe(0);
    expect((p.height + pad.top + pad.bottom) % 32).toBe(0);
  });

  it('letterboxes a very wide line to the wide aspect, without scaling it past the max side', () => {
    const p = planDetection(1167, 54, PADDED);
    const pad = p.tiles[0].pad!;
    const inW = p.width + pad.left + pad.right;
    const inH = p.height + pad.top + pad.bottom;
    expect(inW / inH).toBeLessThanOrEqual(8 + 1e-9);
    expect(Math.max(p.width, p.height)).toBeLessThanOrEqual(DEFAULT_DET_PLAN.maxSide);
  });

  it('leaves ordinary photos alone', () => {
    expect(planDetection(4032, 3024, PADDED)).toEqual(planDetection(4032, 3024));
    expect(planDetection(500, 375, PADDED).tiles[0].pad).toBeUndefined();
  });

  it('fills the margin of the detector input with the flat colour it is given', () => {
    const data = new Uint8Array([255, 255, 255]);
    const norm = { mean: [0.5, 0.5, 0.5] as [number, number, number], std: [0.5, 0.5, 0.5] as [number, number, number], channelOrder: 'rgb' as const };
    const t = detectorInput({ data, width: 1, height: 1 }, { x: 0, y: 0, width: 1, height: 1 }, norm, { left: 1, top: 0, right: 1, bottom: 0, fill: [0, 0, 0] });
    // 3 × 1 per channel: black, white, black.
    expect(Array.from(t.subarray(0, 3))).toEqual([-1, 1, -1]);
  });

  it('takes the margin colour from the border of the raster', () => {
    const data = new Uint8Array(3 * 3 * 3).fill(200);
    data.set([0, 0, 0], 4 * 3); // the centre pixel is text
    expect(borderColour({ data, width: 3, height: 3 })).toEqual([200, 200, 200]);
  });
});

describe('dilation', () => {
  it('grows the thresholded map by one pixel right and down, as OpenCV’s 2×2 kernel does', () => {
    const m = new Float32Array(9);
    m[4] = 0.9; // centre of 3 × 3
    expect(Array.from(dilated(m, 3, 3, 0.3))).toEqual([0, 0, 0, 0, 1, 1, 0, 1, 1]);
  });
});

describe('tall images cut into pieces', () => {
  it('merges a column seen in two pieces into one box, and keeps lines by the core rule', () => {
    const merged = mergeTileBoxes([
      { quad: box(100, 0, 60, 900), score: 0.8, tile: 0, inCore: true },
      { quad: box(102, 500, 58, 900), score: 0.9, tile: 1, inCore: true },
      { quad: box(300, 480, 400, 30), score: 0.7, tile: 0, inCore: false },
      { quad: box(300, 480, 400, 30), score: 0.7, tile: 1, inCore: true },
    ]);
    expect(merged).toHaveLength(2);
    const column = merged.find((b) => b.score === 0.9)!;
    const ys = column.quad.map((p) => p[1]);
    expect(Math.min(...ys)).toBeCloseTo(0, 0);
    expect(Math.max(...ys)).toBeCloseTo(1400, 0);
  });

  it('does not merge two columns side by side', () => {
    expect(mergeTileBoxes([
      { quad: box(100, 0, 60, 900), score: 0.8, tile: 0, inCore: true },
      { quad: box(200, 500, 60, 900), score: 0.8, tile: 1, inCore: true },
    ])).toHaveLength(2);
  });
});

describe('one orientation decision', () => {
  const flat = { rotation: 0 };
  const turned = { rotation: 90 };

  it('flips all of a page’s horizontal lines or none, by the confident majority of those asked', () => {
    expect(decideFlips([flat, flat, flat], [{ flipped: true }, { flipped: true }, null], false)).toEqual([true, true, true]);
    // Unsure lines count against flipping.
    expect(decideFlips([flat, flat, flat], [{ flipped: true }, { flipped: false }, { flipped: false }], false)).toEqual([false, false, false]);
  });

  it('lets vertical boxes on an upright page go their own way, and turns a sideways page as a whole', () => {
    expect(decideFlips([flat, turned, turned], [{ flipped: false }, { flipped: true }, { flipped: false }], false)).toEqual([false, true, false]);
    expect(decideFlips([turned, turned, turned], [{ flipped: true }, { flipped: true }, { flipped: false }], true)).toEqual([true, true, true]);
  });

  it('asks the classifier about a sample of each page group, preferring lines shaped like its input, and every vertical box of an upright page', () => {
    const items = [
      { w: 2000, h: 40, rotation: 0 }, // squeezed: last choice
      { w: 200, h: 50, rotation: 0 }, // aspect 4: first
      { w: 300, h: 50, rotation: 0 },
      { w: 400, h: 40, rotation: 90 },
    ];
    expect(linesToClassify(items, false, 2, 4)).toEqual([1, 2, 3]);
  });
});

describe('reading order in the page’s frame', () => {
  it('reads an upside-down page from its last row up', () => {
    const items = [box(10, 10, 100, 30), box(10, 100, 100, 30)].map((b, i) => ({ box: b, i }));
    expect(readingOrder(items, { rotation: 180, width: 200, height: 200 }).map((x) => x.i)).toEqual([1, 0]);
    expect(readingOrder(items).map((x) => x.i)).toEqual([0, 1]);
  });

  it('reads columns read turned by 90° right to left', () => {
    const items = [box(10, 10, 40, 300), box(110, 10, 40, 300), box(60, 10, 40, 300)].map((b, i) => ({ box: b, i }));
    const frame = pageFrame([{ text: '是非', rotation: 90 }, { text: '有評', rotation: 90 }, { text: '已', rotation: 0 }], 200, 400);
    expect(frame.rotation).toBe(90);
    expect(readingOrder(items, frame).map((x) => x.i)).toEqual([1, 2, 0]);
  });
});

describe('transparent images', () => {
  it('puts light text on black and dark text on white', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-alpha-'));
    try {
      // 20 × 10, transparent except a 6 × 4 block of text colour in the middle.
      const make = async (v: number): Promise<string> => {
        const px = Buffer.alloc(20 * 10 * 4);
        for (let y = 3; y < 7; y++) for (let x = 7; x < 13; x++) px.set([v, v, v, 255], (y * 20 + x) * 4);
        const f = path.join(dir, `${v}.png`);
        await sharp(px, { raw: { width: 20, height: 10, channels: 4 } }).png().toFile(f);
        return f;
      };
      for (const [text, background] of [[255, 0], [0, 255]]) {
        const img = await OcrImage.open(await make(text));
        const r = await img.raster(20, 10);
        expect(r.data[0]).toBe(background); // a transparent corner
        expect(r.data[(5 * 20 + 10) * 3]).toBe(text);
        // The last raster of an image is its kept decode itself, not a copy: the image keeps
        // nothing, decodes again if asked after all, and what it gave away is left alone.
        const decode = vi.spyOn(img as unknown as { decode: () => Promise<unknown> }, 'decode');
        const last = await img.raster(20, 10, { last: true });
        expect(decode).not.toHaveBeenCalled();
        last.data.fill(7);
        const again = await img.raster(20, 10);
        expect(decode).toHaveBeenCalledTimes(1);
        expect([again.data[0], again.data[(5 * 20 + 10) * 3]]).toEqual([background, text]);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
