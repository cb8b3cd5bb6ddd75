/**
 * Rasterises polygons (GeoJSON, WGS-84 degrees) onto a global grid and run-length encodes each row.
 * A cell belongs to the polygon that contains its centre (even-odd rule, so holes work). Polygons
 * too small to contain any cell centre get the cell under their label point, so every region can
 * still be found (a Hong Kong district is smaller than a cell).
 */
import { SEA } from '../../electron/engine/places/gazetteer-format.ts';

type Ring = number[][];
export type Geometry = { type: 'Polygon'; coordinates: Ring[] } | { type: 'MultiPolygon'; coordinates: Ring[][] };

export interface RasterRegion {
  geometry: Geometry;
  /** Where to put the region if no cell centre falls inside it: [lon, lat]. */
  labelPoint: [number, number];
}

export interface Raster {
  cellsPerDegree: number;
  rows: number;
  cols: number;
  cells: Uint16Array;
}

function ringsOf(g: Geometry): Ring[] {
  return g.type === 'Polygon' ? g.coordinates : g.coordinates.flat();
}

export function rasterise(regions: RasterRegion[], cellsPerDegree: number): Raster {
  const rows = 180 * cellsPerDegree;
  const cols = 360 * cellsPerDegree;
  const cells = new Uint16Array(rows * cols).fill(SEA);
  const painted = new Uint32Array(regions.length);
  regions.forEach((region, index) => {
    const rings = ringsOf(region.geometry);
    let minLat = 90;
    let maxLat = -90;
    for (const ring of rings) for (const [, lat] of ring) {
      if (lat < minLat) minLat = lat;
      if (lat > maxLat) maxLat = lat;
    }
    const rFirst = Math.max(0, Math.ceil((90 - maxLat) * cellsPerDegree - 0.5));
    const rLast = Math.min(rows - 1, Math.floor((90 - minLat) * cellsPerDegree - 0.5));
    // Edges bucketed by the rows they span, so each row only looks at its own edges.
    const byRow: number[][] = Array.from({ length: rLast - rFirst + 1 }, () => []);
    const edges: number[] = [];
    for (const ring of rings) {
      for (let i = 0; i + 1 < ring.length; i++) {
        const [x0, y0] = ring[i];
        const [x1, y1] = ring[i + 1];
        if (y0 === y1) continue;
        const e = edges.length;
        edges.push(x0, y0, x1, y1);
        const lo = Math.max(rFirst, Math.ceil((90 - Math.max(y0, y1)) * cellsPerDegree - 0.5));
        const hi = Math.min(rLast, Math.floor((90 - Math.min(y0, y1)) * cellsPerDegree - 0.5));
        for (let r = lo; r <= hi; r++) byRow[r - rFirst].push(e);
      }
    }
    const xs: number[] = [];
    for (let r = rFirst; r <= rLast; r++) {
      const y = 90 - (r + 0.5) / cellsPerDegree;
      xs.length = 0;
      for (const e of byRow[r - rFirst]) {
        const x0 = edges[e];
        const y0 = edges[e + 1];
        const x1 = edges[e + 2];
        const y1 = edges[e + 3];
        // Half-open in y so a vertex on the scan line counts once.
        if ((y0 <= y && y < y1) || (y1 <= y && y < y0)) xs.push(x0 + ((y - y0) * (x1 - x0)) / (y1 - y0));
      }
      xs.sort((a, b) => a - b);
      for (let k = 0; k + 1 < xs.length; k += 2) {
        const cFirst = Math.max(0, Math.ceil((xs[k] + 180) * cellsPerDegree - 0.5));
        const cLast = Math.min(cols - 1, Math.floor((xs[k + 1] + 180) * cellsPerDegree - 0.5));
        for (let c = cFirst; c <= cLast; c++) cells[r * cols + c] = index;
        if (cLast >= cFirst) painted[index] += cLast - cFirst + 1;
      }
    }
  });
  regions.forEach((region, index) => {
    if (painted[index] > 0) return;
    const [lon, lat] = region.labelPoint;
    const r = Math.min(rows - 1, Math.max(0, Math.floor((90 - lat) * cellsPerDegree)));
    const c = Math.min(cols - 1, Math.max(0, Math.floor((lon + 180) * cellsPerDegree)));
    cells[r * cols + c] = index;
  });
  return { cellsPerDegree, rows, cols, cells };
}

/** Row-wise run-length encoding: rowStart (rows + 1 entries), then each run's first column and value. */
export function encodeRuns(raster: Raster): { rowStart: Uint32Array; runCol: Uint16Array; runRegion: Uint16Array } {
  const { rows, cols, cells } = raster;
  const rowStart = new Uint32Array(rows + 1);
  const runCol: number[] = [];
  const runRegion: number[] = [];
  for (let r = 0; r < rows; r++) {
    rowStart[r] = runCol.length;
    let prev = -1;
    for (let c = 0; c < cols; c++) {
      const v = cells[r * cols + c];
      if (v !== prev) {
        runCol.push(c);
        runRegion.push(v);
        prev = v;
      }
    }
  }
  rowStart[rows] = runCol.length;
  return { rowStart, runCol: Uint16Array.from(runCol), runRegion: Uint16Array.from(runRegion) };
}
