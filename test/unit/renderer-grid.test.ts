import { describe, expect, it } from 'vitest';
import { computeGridLayout, moveInGrid, rowCount } from '../../renderer/src/lib/gridLayout.ts';

describe('grid layout', () => {
  it('fits as many columns as the minimum cell allows and fills the width', () => {
    const l = computeGridLayout(1000, 180, 10);
    expect(l.columns).toBe(5);
    expect(l.cellSize * l.columns + 10 * (l.columns - 1)).toBeLessThanOrEqual(1000);
    expect(l.cellSize).toBeGreaterThanOrEqual(180);
    expect(l.rowHeight).toBe(l.cellSize + 10);
  });

  it('never drops below one column, even at zero width', () => {
    expect(computeGridLayout(0).columns).toBe(1);
    expect(computeGridLayout(100, 180).columns).toBe(1);
  });

  it('counts rows for a partial last row', () => {
    expect(rowCount(100_000, 6)).toBe(16_667);
    expect(rowCount(0, 6)).toBe(0);
  });
});

describe('grid keyboard movement', () => {
  // 10 items in 4 columns:  0 1 2 3 / 4 5 6 7 / 8 9
  it('moves by one and by a row, clamping at the edges', () => {
    expect(moveInGrid('ArrowRight', 3, 10, 4, 2)).toBe(4);
    expect(moveInGrid('ArrowLeft', 0, 10, 4, 2)).toBe(0);
    expect(moveInGrid('ArrowDown', 1, 10, 4, 2)).toBe(5);
    expect(moveInGrid('ArrowDown', 7, 10, 4, 2)).toBe(7); // no item below 7
    expect(moveInGrid('ArrowUp', 9, 10, 4, 2)).toBe(5);
    expect(moveInGrid('ArrowUp', 2, 10, 4, 2)).toBe(2);
    expect(moveInGrid('ArrowRight', 9, 10, 4, 2)).toBe(9);
  });

  it('supports Home, End and paging', () => {
    expect(moveInGrid('Home', 7, 10, 4, 2)).toBe(0);
    expect(moveInGrid('End', 0, 10, 4, 2)).toBe(9);
    expect(moveInGrid('PageDown', 0, 10, 4, 2)).toBe(8);
    expect(moveInGrid('PageUp', 9, 10, 4, 2)).toBe(1);
  });

  it('leaves other keys alone', () => {
    expect(moveInGrid('Enter', 0, 10, 4, 2)).toBeNull();
    expect(moveInGrid('ArrowRight', 0, 0, 4, 2)).toBeNull();
  });
});
