/** Geometry and keyboard movement for the virtualised thumbnail grid. Pure, unit-tested. */

export interface GridLayout {
  columns: number;
  /** Width (= height) of one square thumbnail cell, px. */
  cellSize: number;
  /** cellSize + gap: the virtualiser's row pitch. */
  rowHeight: number;
}

/** As many columns as fit at >= minCell px each; cells then stretch to fill the width exactly. */
export function computeGridLayout(width: number, minCell = 180, gap = 8): GridLayout {
  const w = Math.max(0, width);
  const columns = Math.max(1, Math.floor((w + gap) / (minCell + gap)));
  const cellSize = Math.max(1, Math.floor((w - gap * (columns - 1)) / columns));
  return { columns, cellSize, rowHeight: cellSize + gap };
}

export function rowCount(items: number, columns: number): number {
  return Math.ceil(items / Math.max(1, columns));
}

/**
 * Where a key moves the focus in a grid of `count` items laid out `columns` wide; null when the
 * key is not a grid key (so the event is left alone). Moves clamp at the edges instead of wrapping.
 */
export function moveInGrid(key: string, index: number, count: number, columns: number, pageRows: number): number | null {
  if (count === 0) return null;
  const last = count - 1;
  const clamp = (i: number) => Math.max(0, Math.min(last, i));
  switch (key) {
    case 'ArrowRight':
      return clamp(index + 1);
    case 'ArrowLeft':
      return clamp(index - 1);
    case 'ArrowDown':
      return index + columns <= last ? index + columns : index;
    case 'ArrowUp':
      return index - columns >= 0 ? index - columns : index;
    case 'Home':
      return 0;
    case 'End':
      return last;
    case 'PageDown':
      return clamp(index + columns * Math.max(1, pageRows));
    case 'PageUp':
      return clamp(index - columns * Math.max(1, pageRows));
    default:
      return null;
  }
}
