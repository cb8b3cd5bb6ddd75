/** The full-size detection cut down to the part of the photo where the gate found text (det-plan.ts regionPlan). */
import { describe, expect, it } from 'vitest';
import { DEFAULT_DET_PLAN, planDetection, regionPlan } from '../../electron/engine/ml/ocr/det-plan.ts';

describe('detection around the text the gate found', () => {
  const plan = planDetection(4032, 3024, DEFAULT_DET_PLAN); // a 12 MP photo: one 1600 × 1216 piece

  it('makes one piece on the stride grid that holds the region, answering for all of itself', () => {
    const r = regionPlan(plan, { x0: 1000, y0: 800, x1: 2000, y1: 1500 }, 0.7, 32)!;
    expect(r.width).toBe(plan.width);
    expect(r.height).toBe(plan.height);
    expect(r.tiles).toHaveLength(1);
    const t = r.tiles[0];
    for (const v of [t.x, t.y, t.width, t.height]) expect(v % 32).toBe(0);
    expect(t.x).toBeLessThanOrEqual(1000 * plan.scaleX);
    expect(t.y).toBeLessThanOrEqual(800 * plan.scaleY);
    expect(t.x + t.width).toBeGreaterThanOrEqual(2000 * plan.scaleX);
    expect(t.y + t.height).toBeGreaterThanOrEqual(1500 * plan.scaleY);
    expect(t.core).toEqual({ x0: t.x, y0: t.y, x1: t.x + t.width, y1: t.y + t.height });
    expect(t.width * t.height).toBeLessThan(0.3 * plan.width * plan.height);
  });

  it('clamps a region that runs past the photo to the photo', () => {
    const t = regionPlan(plan, { x0: -500, y0: -500, x1: 900, y1: 700 }, 0.7, 32)!.tiles[0];
    expect(t.x).toBe(0);
    expect(t.y).toBe(0);
    expect(t.x + t.width).toBeLessThanOrEqual(plan.width);
  });

  it('keeps the whole image when the region is most of it, and for photos in several pieces or with a margin', () => {
    expect(regionPlan(plan, { x0: 100, y0: 100, x1: 3900, y1: 2900 }, 0.7, 32)).toBeNull();
    const tall = planDetection(1170, 5200, DEFAULT_DET_PLAN);
    expect(tall.tiles.length).toBeGreaterThan(1);
    expect(regionPlan(tall, { x0: 0, y0: 0, x1: 100, y1: 100 }, 0.7, 32)).toBeNull();
    const padded = planDetection(73, 28, { ...DEFAULT_DET_PLAN, smallSide: 64, margin: 0.3 });
    expect(regionPlan(padded, { x0: 0, y0: 0, x1: 10, y1: 10 }, 0.7, 32)).toBeNull();
  });
});
