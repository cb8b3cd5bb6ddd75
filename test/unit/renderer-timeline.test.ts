/** The timeline's rows from month counts alone, and which photos the rows in view need (renderer/src/lib/timelineRows.ts). */
import { describe, expect, it } from 'vitest';
import { neededPerMonth, timelineRows } from '../../renderer/src/lib/timelineRows.ts';

describe('timeline rows', () => {
  it('a header, then per month its heading and ceil(photos / columns) rows; empty months are left out', () => {
    const rows = timelineRows([{ photos: 7 }, { photos: 0 }, { photos: 3 }], 3, true);
    expect(rows).toEqual([
      { kind: 'header' },
      { kind: 'month', month: 0 },
      { kind: 'photos', month: 0, first: 0 },
      { kind: 'photos', month: 0, first: 3 },
      { kind: 'photos', month: 0, first: 6 },
      { kind: 'month', month: 2 },
      { kind: 'photos', month: 2, first: 0 },
    ]);
  });

  it('100k photos over 20 years: rows known up front; the rows in view ask for their months only', () => {
    const months = Array.from({ length: 240 }, () => ({ photos: 417 }));
    const rows = timelineRows(months, 8, false);
    expect(rows).toHaveLength(240 * (1 + Math.ceil(417 / 8)));
    const mid = rows.findIndex((r) => r.kind === 'photos' && r.month === 120 && r.first === 400);
    const need = neededPerMonth(rows, [mid, mid + 1, mid + 2, mid + 3, mid + 4], 8, months.map((m) => m.photos));
    expect([...need]).toEqual([
      [120, 417],
      [121, 8],
    ]);
  });
});
