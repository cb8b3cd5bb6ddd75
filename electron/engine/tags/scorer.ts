/**
 * Cosines of many photo vectors against a fixed set of tag vectors: a blocked matrix product.
 * The tag matrix is copied once into WebAssembly memory (padded to the kernel's block sizes);
 * each call copies one page of photos in and returns a view of the products. Vectors are
 * L2-normalised on both sides, so a dot product is the cosine.
 */
import { logPartition } from './classify.ts';
import { instantiateKernels, PHOTO_BLOCK, TAG_BLOCK, type KernelInstance } from './wasm-kernels.ts';

/** Photos per kernel call: 1024 × 512 floats = 2 MiB, which keeps the working set in cache. */
const PAGE = 1024;
const WASM_PAGE_BYTES = 65536;

const roundUp = (n: number, m: number): number => Math.ceil(n / m) * m;

export type Kernel = 'wasm' | 'js';

export interface Scores {
  /** Row i of the page is values[i*stride .. i*stride + tagCount). Valid until the next call. */
  values: Float32Array;
  stride: number;
  rows: number;
}

export class TagScorer {
  /** The most rows one score() call takes. */
  static readonly pageRows = PAGE;
  readonly tagCount: number;
  readonly stride: number;
  private readonly paddedDim: number;
  private readonly wasm: KernelInstance | null;
  private readonly jsTags: Float32Array | null;
  private readonly jsOut: Float32Array | null;
  private readonly layout = { tags: 0, photos: 0, out: 0, stats: 0 };

  /** tagVectors: tagCount × dim, row-major, each row L2-normalised. */
  constructor(
    tagVectors: Float32Array,
    readonly dim: number,
    kernel: Kernel = 'wasm',
  ) {
    if (dim <= 0 || tagVectors.length % dim !== 0) throw new Error(`tag matrix of ${tagVectors.length} floats is not a multiple of dim ${dim}`);
    this.tagCount = tagVectors.length / dim;
    this.paddedDim = roundUp(dim, 4);
    this.stride = roundUp(Math.max(this.tagCount, 1), TAG_BLOCK);
    this.wasm = kernel === 'wasm' ? tryInstantiate() : null;
    if (this.wasm) {
      this.jsTags = this.jsOut = null;
      this.prepareWasm(tagVectors);
    } else {
      this.jsTags = tagVectors;
      this.jsOut = new Float32Array(PAGE * this.stride);
    }
  }

  get kernel(): Kernel {
    return this.wasm ? 'wasm' : 'js';
  }

  private prepareWasm(tagVectors: Float32Array): void {
    const rowBytes = this.paddedDim * 4;
    this.layout.tags = 0;
    this.layout.photos = this.stride * rowBytes;
    this.layout.out = this.layout.photos + PAGE * rowBytes;
    this.layout.stats = this.layout.out + PAGE * this.stride * 4;
    const needed = this.layout.stats + PAGE * 2 * 4;
    const mem = this.wasm!.memory;
    if (mem.buffer.byteLength < needed) mem.grow(Math.ceil((needed - mem.buffer.byteLength) / WASM_PAGE_BYTES));
    const heap = new Float32Array(mem.buffer);
    heap.fill(0, 0, needed / 4);
    for (let t = 0; t < this.tagCount; t++) heap.set(tagVectors.subarray(t * this.dim, (t + 1) * this.dim), t * this.paddedDim);
  }

  /**
   * Cosines for up to PAGE photos starting at row `from` of a row-major batch. Callers loop
   * with `pageRows` to walk a batch of any size.
   */
  score(vectors: Float32Array, from: number, rows: number): Scores {
    if (rows > PAGE) throw new Error(`at most ${PAGE} rows per call`);
    return this.wasm ? this.scoreWasm(vectors, from, rows) : this.scoreJs(vectors, from, rows);
  }

  /**
   * log Σ_j exp(logitScale · c_j) over the first `taxonomyCount` columns of each row of the page
   * last returned by score(): the softmax denominator, per photo, into out[0..rows).
   */
  logPartitions(scores: Scores, taxonomyCount: number, logitScale: number, out: Float64Array): void {
    const aligned = taxonomyCount & ~3;
    if (!this.wasm || aligned === 0) {
      for (let r = 0; r < scores.rows; r++) out[r] = logPartition(scores.values, r * scores.stride, taxonomyCount, logitScale);
      return;
    }
    const { stride } = this;
    this.wasm.rowStats(this.layout.out, scores.rows, stride * 4, aligned, logitScale, this.layout.stats);
    const stats = new Float32Array(this.wasm.memory.buffer, this.layout.stats, scores.rows * 2);
    const v = scores.values;
    for (let r = 0; r < scores.rows; r++) {
      // Fold in the 0–3 columns past the last multiple of 4, re-centring on a larger max if needed.
      let max = stats[2 * r];
      let z = stats[2 * r + 1];
      for (let j = aligned; j < taxonomyCount; j++) {
        const c = v[r * stride + j];
        if (c > max) {
          z = z * Math.exp(logitScale * (max - c)) + 1;
          max = c;
        } else z += Math.exp(logitScale * (c - max));
      }
      out[r] = logitScale * max + Math.log(z);
    }
  }

  private scoreWasm(vectors: Float32Array, from: number, rows: number): Scores {
    const { dim, paddedDim, stride } = this;
    const heap = new Float32Array(this.wasm!.memory.buffer);
    const base = this.layout.photos / 4;
    const paddedRows = roundUp(rows, PHOTO_BLOCK);
    if (paddedDim === dim) {
      heap.set(vectors.subarray(from * dim, (from + rows) * dim), base);
    } else {
      for (let r = 0; r < rows; r++) heap.set(vectors.subarray((from + r) * dim, (from + r + 1) * dim), base + r * paddedDim);
    }
    // Rows past the end of this page must be zero: they may hold the previous page's photos.
    heap.fill(0, base + rows * paddedDim, base + paddedRows * paddedDim);
    this.wasm!.dots(this.layout.tags, stride, this.layout.photos, paddedRows, paddedDim * 4, this.layout.out, stride * 4);
    return { values: heap.subarray(this.layout.out / 4, this.layout.out / 4 + rows * stride), stride, rows };
  }

  private scoreJs(vectors: Float32Array, from: number, rows: number): Scores {
    const { dim, stride, tagCount } = this;
    const tags = this.jsTags!;
    const out = this.jsOut!;
    for (let r = 0; r < rows; r++) {
      const p = (from + r) * dim;
      for (let t = 0; t < tagCount; t++) {
        const q = t * dim;
        let s = 0;
        for (let k = 0; k < dim; k++) s += vectors[p + k] * tags[q + k];
        out[r * stride + t] = s;
      }
    }
    return { values: out.subarray(0, rows * stride), stride, rows };
  }
}

function tryInstantiate(): KernelInstance | null {
  try {
    return instantiateKernels();
  } catch {
    // A runtime without WebAssembly SIMD: correct but several times slower.
    return null;
  }
}
