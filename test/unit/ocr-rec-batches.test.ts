/** Recognition batched by line width (ml/ocr/rec-batches.ts): what each run of the recogniser holds and costs. */
import { describe, expect, it } from 'vitest';
import { recognitionBatches } from '../../electron/engine/ml/ocr/rec-batches.ts';

const P = { height: 48, minWidth: 320, batch: 6 };

describe('recognition batches', () => {
  it('reads lines narrowest first, at most `batch` a run, each run as wide as its widest line', () => {
    const ratios = [10, 1, 3, 20, 2, 5, 4, 1.5];
    const b = recognitionBatches(ratios, P);
    expect(b.map((x) => x.lines)).toEqual([
      [1, 7, 4, 2, 6, 5],
      [0, 3],
    ]);
    expect(b[0].width).toBe(320); // 5:1 × 48 = 240, padded to the minimum
    expect(b[1].width).toBe(20 * 48);
    expect(b.flatMap((x) => x.lines).sort()).toEqual(ratios.map((_, i) => i).sort());
  });

  it('pads short lines to minWidth only: a lower minimum makes a batch of short words narrower', () => {
    const words = [1, 1.5, 2, 2, 1.2, 1.8];
    expect(recognitionBatches(words, P)[0].width).toBe(320);
    expect(recognitionBatches(words, { ...P, minWidth: 96 })[0].width).toBe(96);
    expect(recognitionBatches(words, { ...P, minWidth: 48 })[0].width).toBe(96); // the widest word, 2:1
  });

  it('bounds the padded pixels of a run: a very long line runs alone instead of widening its neighbours', () => {
    const ratios = [2, 2, 2, 40];
    const unbounded = recognitionBatches(ratios, P);
    expect(unbounded).toHaveLength(1);
    expect(unbounded[0].width).toBe(40 * 48);
    const bounded = recognitionBatches(ratios, { ...P, batchWidth: 6 * 320 });
    expect(bounded.map((x) => x.lines)).toEqual([[0, 1, 2], [3]]);
    expect(bounded.map((x) => x.width)).toEqual([320, 40 * 48]);
  });

  it('gives nothing for no lines, and one run for one line', () => {
    expect(recognitionBatches([], P)).toEqual([]);
    expect(recognitionBatches([7], P)).toEqual([{ lines: [0], width: 7 * 48 }]);
  });
});
