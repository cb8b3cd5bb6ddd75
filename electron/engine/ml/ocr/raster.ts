/**
 * Pixel work between decoded photos and the OCR graphs: the detector's input tensor and the
 * perspective crop of one text box straight into the recogniser's (or classifier's) input.
 * Pure TypeScript on interleaved RGB: the decoding and resizing of photos belongs to media/.
 */
import { rectToQuadHomography, type Quad } from './geometry.ts';

/** Interleaved 8-bit RGB. */
export interface RgbRaster {
  data: Uint8Array;
  width: number;
  height: number;
}

/** How a graph wants its pixels: per-channel (v / 255 − mean) / std, in this channel order. */
export interface PixelNorm {
  mean: [number, number, number];
  std: [number, number, number];
  /** PP-OCR models were trained on OpenCV's BGR arrays. */
  channelOrder: 'rgb' | 'bgr';
}

function channelMap(norm: PixelNorm): { src: [number, number, number]; scale: number[]; bias: number[] } {
  // Output channel c reads input channel src[c]; mean/std are given in output channel order.
  const src: [number, number, number] = norm.channelOrder === 'bgr' ? [2, 1, 0] : [0, 1, 2];
  const scale = [0, 1, 2].map((c) => 1 / (255 * norm.std[c]));
  const bias = [0, 1, 2].map((c) => -norm.mean[c] / norm.std[c]);
  return { src, scale, bias };
}

/** Mean colour of the raster's outermost rows and columns: the background a tight crop sits on. */
export function borderColour(r: RgbRaster): [number, number, number] {
  const sum = [0, 0, 0];
  let n = 0;
  const add = (x: number, y: number): void => {
    const i = (y * r.width + x) * 3;
    sum[0] += r.data[i];
    sum[1] += r.data[i + 1];
    sum[2] += r.data[i + 2];
    n++;
  };
  for (let x = 0; x < r.width; x++) {
    add(x, 0);
    add(x, r.height - 1);
  }
  for (let y = 1; y < r.height - 1; y++) {
    add(0, y);
    add(r.width - 1, y);
  }
  return [sum[0] / n, sum[1] / n, sum[2] / n];
}

export interface InputPad {
  left: number;
  top: number;
  right: number;
  bottom: number;
  /** RGB 0..255 of the filler. */
  fill: [number, number, number];
}

/**
 * A rectangle of the raster as a 1 × 3 × h × w tensor, optionally surrounded by `pad` pixels of
 * a flat colour (the tensor is then (h + top + bottom) × (w + left + right)); written into the
 * array `into` gives, when given.
 */
export function detectorInput(r: RgbRaster, rect: { x: number; y: number; width: number; height: number }, norm: PixelNorm, pad?: InputPad, into?: (n: number) => Float32Array): Float32Array {
  const { x, y, width: w, height: h } = rect;
  if (x < 0 || y < 0 || x + w > r.width || y + h > r.height) throw new RangeError('tile outside the raster');
  const { src, scale, bias } = channelMap(norm);
  const ow = w + (pad ? pad.left + pad.right : 0);
  const oh = h + (pad ? pad.top + pad.bottom : 0);
  // Every element is written below: the margin with its fill, the rest from the raster.
  const out = into ? into(3 * ow * oh) : new Float32Array(3 * ow * oh);
  const plane = ow * oh;
  if (pad) for (let c = 0; c < 3; c++) out.fill(pad.fill[src[c]] * scale[c] + bias[c], c * plane, (c + 1) * plane);
  const dx = pad?.left ?? 0;
  const dy = pad?.top ?? 0;
  for (let row = 0; row < h; row++) {
    let si = ((y + row) * r.width + x) * 3;
    let di = (row + dy) * ow + dx;
    for (let col = 0; col < w; col++, si += 3, di++) {
      out[di] = r.data[si + src[0]] * scale[0] + bias[0];
      out[plane + di] = r.data[si + src[1]] * scale[1] + bias[1];
      out[2 * plane + di] = r.data[si + src[2]] * scale[2] + bias[2];
    }
  }
  return out;
}

export interface CropTarget {
  /** The batch tensor (N × 3 × H × batchWidth), already filled with the padding value. */
  tensor: Float32Array;
  /** Index of this crop in the batch. */
  index: number;
  batchWidth: number;
  height: number;
  /** Width the crop itself is scaled to (≤ batchWidth); the rest stays padding. */
  width: number;
}

/**
 * Sample the quad (corners in reading order) of the raster into `target`, as if PP-OCR cut the
 * box out with a perspective warp and then resized it to `width × height`: in one pass, with
 * bilinear taps and up to 4 × 4 supersampling where the crop shrinks (a 200 px tall sign line
 * brought down to 48 px would otherwise alias).
 */
export function warpQuadInto(r: RgbRaster, quad: Quad, cropW: number, cropH: number, norm: PixelNorm, t: CropTarget): void {
  // The recogniser's crops are this pass's hottest JS (every line of every photo): the homography
  // is applied inline and the sums kept in a typed array, with no array made per sample — the
  // same arithmetic in the same order as applyHomography, so the same tensor to the last bit.
  const [m0, m1, m2, m3, m4, m5, m6, m7, m8] = rectToQuadHomography(cropW, cropH, quad) as [number, number, number, number, number, number, number, number, number];
  const sx = cropW / t.width;
  const sy = cropH / t.height;
  const k = Math.min(4, Math.max(1, Math.ceil(Math.max(sx, sy) - 1e-6)));
  const { src, scale, bias } = channelMap(norm);
  const plane = t.height * t.batchWidth;
  const base = t.index * 3 * plane;
  const acc = new Float64Array(3);
  const data = r.data;
  const rw = r.width;
  const maxX = rw - 1;
  const maxY = r.height - 1;
  const n = k * k;
  for (let v = 0; v < t.height; v++) {
    for (let u = 0; u < t.width; u++) {
      acc[0] = acc[1] = acc[2] = 0;
      for (let j = 0; j < k; j++) {
        const cy = (v + (j + 0.5) / k) * sy - 0.5;
        for (let i = 0; i < k; i++) {
          const cx = (u + (i + 0.5) / k) * sx - 0.5;
          const z = m6 * cx + m7 * cy + m8;
          const px = (m0 * cx + m1 * cy + m2) / z;
          const py = (m3 * cx + m4 * cy + m5) / z;
          // Bilinear with edge replication (OpenCV's BORDER_REPLICATE in PP-OCR's crop).
          const x = Math.min(maxX, Math.max(0, px));
          const y = Math.min(maxY, Math.max(0, py));
          const x0 = Math.floor(x), y0 = Math.floor(y);
          const x1 = Math.min(maxX, x0 + 1), y1 = Math.min(maxY, y0 + 1);
          const fx = x - x0, fy = y - y0;
          const i00 = (y0 * rw + x0) * 3, i01 = (y0 * rw + x1) * 3;
          const i10 = (y1 * rw + x0) * 3, i11 = (y1 * rw + x1) * 3;
          for (let c = 0; c < 3; c++) {
            const top = data[i00 + c]! + (data[i01 + c]! - data[i00 + c]!) * fx;
            const bottom = data[i10 + c]! + (data[i11 + c]! - data[i10 + c]!) * fx;
            acc[c] += top + (bottom - top) * fy;
          }
        }
      }
      const di = base + v * t.batchWidth + u;
      for (let c = 0; c < 3; c++) t.tensor[di + c * plane] = (acc[src[c]]! / n) * scale[c]! + bias[c]!;
    }
  }
}
