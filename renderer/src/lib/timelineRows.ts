/**
 * The timeline's rows, computed from the month counts alone (no photo needs to be loaded to know
 * how tall the timeline is, so the scrollbar is right at 100k photos and dragging it to 2019
 * loads only 2019): an optional header, then per month its heading and its rows of photos.
 * Pure, unit-tested.
 */

export type TimelineRow =
  | { kind: 'header' }
  | { kind: 'month'; month: number }
  /** Photos `first` … `first + columns - 1` of month `month` (fewer on its last row). */
  | { kind: 'photos'; month: number; first: number };

export function timelineRows(months: readonly { photos: number }[], columns: number, header: boolean): TimelineRow[] {
  const cols = Math.max(1, columns);
  const rows: TimelineRow[] = header ? [{ kind: 'header' }] : [];
  months.forEach((m, month) => {
    if (m.photos <= 0) return;
    rows.push({ kind: 'month', month });
    for (let first = 0; first < m.photos; first += cols) rows.push({ kind: 'photos', month, first });
  });
  return rows;
}

/** For each month in view, how many of its photos must be loaded to fill the rows in view. */
export function neededPerMonth(rows: readonly TimelineRow[], visible: readonly number[], columns: number, counts: readonly number[]): Map<number, number> {
  const need = new Map<number, number>();
  for (const i of visible) {
    const r = rows[i];
    if (r?.kind !== 'photos') continue;
    const upTo = Math.min(counts[r.month] ?? 0, r.first + columns);
    need.set(r.month, Math.max(need.get(r.month) ?? 0, upTo));
  }
  return need;
}
