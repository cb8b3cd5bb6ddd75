/**
 * In-memory codes of one model's vectors, by slot (0..size-1, swap-remove), with the metadata the
 * filters read. Two codes per vector, both in the kernel's WebAssembly memory (kernel.ts):
 *
 * - 1 bit a dimension: the sign of (vector − mean), dim / 8 bytes. Stage 1 scores every row with
 *   the float query against these signs (an asymmetric estimate of the dot product, better than
 *   Hamming distance between two sign codes) — 64 bytes a row at 512-d, ~5 ms per million rows.
 *   Too loose to choose a page's rows (see searcher.ts): no page uses it since pages are exact.
 * - int8 with one scale a row (rowBytes ≈ dim): stage 2 scores rows to within ~1e-3 of the exact
 *   cosine, with an error bound; the pager scores every filtered row this way and reads exactly
 *   only the rows whose bound reaches the page (searcher.ts).
 *
 * The mean is taken from the vectors themselves (CLIP embeddings sit in a narrow cone, so the raw
 * signs would be nearly constant); it is recomputed while the index is small and growing
 * (recenter), because the first photos of a new library say little about the rest.
 */
import { HIST_BUCKETS, KernelMemory } from './kernel.ts';
import { writeFilterMask } from './filter-mask.ts';
import type { CandidateList } from './candidates.ts';
import type { FilterSelection } from '../../store/photo-filter.ts';

export interface RowMeta {
  /** Integer ms; photos without a date carry the smallest safe integer (as the vec0 table does). */
  takenAt: number;
  folderId: number;
}

/** A filter as the index applies it: the store's selection (store/photo-filter.ts). */
export type IndexFilter = FilterSelection;

/** Rows are padded to this many bytes for the int8 kernel. */
const ROW_ALIGN = 32;
/** Error band of the int8 estimate in standard deviations: a miss is a ~1e-15 event per candidate. */
const MARGIN_SIGMAS = 8;
/** Recentre while the index is at most this large (beyond it the mean barely moves). */
const RECENTER_UNTIL = 300_000;
const MIN_RECENTER = 32;

export class CodesIndex {
  readonly codeBytes: number;
  readonly rowBytes: number;
  readonly mem: KernelMemory;
  private n = 0;
  private cap = 0;
  ids: Int32Array<ArrayBufferLike> = new Int32Array(0);
  takenAt: Float64Array<ArrayBufferLike> = new Float64Array(0);
  folders: Int32Array<ArrayBufferLike> = new Int32Array(0);
  /** photo id → slot + 1 (0: absent); ids are SQLite rowids, so this is 4 bytes per id ever used. */
  private slotOfId = new Int32Array(0);
  readonly mean: Float32Array;
  /** Size at the last recentre. */
  private centeredAt = 0;
  private bulk = false;
  /** Changes on every write: lets callers cache per-filter masks. */
  version = 0;
  private viewCache: { cap: number; vecs: Int8Array; codes: Uint8Array; scales: Float32Array } | undefined;

  constructor(readonly dim: number) {
    this.codeBytes = Math.ceil(dim / 8);
    this.rowBytes = Math.ceil(dim / ROW_ALIGN) * ROW_ALIGN;
    this.mem = new KernelMemory(dim, this.codeBytes, this.rowBytes);
    this.mean = new Float32Array(dim);
  }

  get size(): number {
    return this.n;
  }

  /** Bytes held: linear memory plus the per-row arrays and the id table. */
  get memoryBytes(): number {
    return this.mem.bytes + this.cap * (4 + 8 + 4) + this.slotOfId.byteLength;
  }

  /** Each int8 row's scale (a view of the kernel's memory: valid until the index grows). */
  get scales(): Float32Array {
    return this.views().scales;
  }

  has(id: number): boolean {
    return this.slotOf(id) >= 0;
  }

  slotOf(id: number): number {
    return id >= 0 && id < this.slotOfId.length ? this.slotOfId[id]! - 1 : -1;
  }

  reserve(count: number): void {
    if (count <= this.cap) return;
    const cap = Math.ceil(Math.max(count, this.cap * 1.25 + 1024) / 16) * 16;
    this.mem.reserve(cap);
    const grow = <T extends Int32Array<ArrayBufferLike> | Float64Array<ArrayBufferLike>>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a.subarray(0, this.n));
      return b;
    };
    this.ids = grow(this.ids, (c) => new Int32Array(c));
    this.takenAt = grow(this.takenAt, (c) => new Float64Array(c));
    this.folders = grow(this.folders, (c) => new Int32Array(c));
    this.cap = cap;
  }

  /** While loading many rows: skip the sign codes, derive them all once at endBulk(). */
  beginBulk(): void {
    this.bulk = true;
  }

  endBulk(): void {
    this.bulk = false;
    this.recenter();
  }

  /** Inserts or replaces a vector (any norm; it is normalised for the codes). */
  set(id: number, vec: Float32Array, meta: RowMeta): void {
    if (vec.length !== this.dim) throw new Error(`vector has ${vec.length} dimensions; the index uses ${this.dim}`);
    if (!Number.isInteger(id) || id < 0 || id >= 2 ** 31) throw new Error(`bad photo id ${id}`);
    let slot = this.slotOf(id);
    if (slot < 0) {
      this.reserve(this.n + 1);
      slot = this.n++;
      this.ids[slot] = id;
      if (id >= this.slotOfId.length) {
        const t = new Int32Array(Math.max(id + 1, Math.ceil(this.slotOfId.length * 1.5) + 1024));
        t.set(this.slotOfId);
        this.slotOfId = t;
      }
      this.slotOfId[id] = slot + 1;
    }
    this.writeInt8(slot, vec);
    this.takenAt[slot] = meta.takenAt;
    this.folders[slot] = meta.folderId;
    this.version++;
    if (this.bulk) return;
    if (this.n >= 2 * Math.max(this.centeredAt, MIN_RECENTER) && this.n <= RECENTER_UNTIL) this.recenter();
    else this.writeCode(slot);
  }

  setMeta(id: number, meta: RowMeta): boolean {
    const slot = this.slotOf(id);
    if (slot < 0) return false;
    this.takenAt[slot] = meta.takenAt;
    this.folders[slot] = meta.folderId;
    this.version++;
    return true;
  }

  /** Swap-remove: the last row moves into the freed slot. */
  remove(id: number): boolean {
    const slot = this.slotOf(id);
    if (slot < 0) return false;
    this.slotOfId[id] = 0;
    const last = --this.n;
    if (slot !== last) {
      const lastId = this.ids[last]!;
      this.ids[slot] = lastId;
      const scales = this.scales;
      scales[slot] = scales[last]!;
      this.takenAt[slot] = this.takenAt[last]!;
      this.folders[slot] = this.folders[last]!;
      const m = this.mem;
      new Uint8Array(m.memory.buffer).copyWithin(m.vecsOff + slot * this.rowBytes, m.vecsOff + last * this.rowBytes, m.vecsOff + (last + 1) * this.rowBytes);
      const codes = m.u8(m.codesOff, this.cap * this.codeBytes);
      const [fb, fl] = [slot >> 4, slot & 15];
      const [tb, tl] = [last >> 4, last & 15];
      for (let p = 0; p < this.codeBytes; p++) codes[(fb * this.codeBytes + p) * 16 + fl] = codes[(tb * this.codeBytes + p) * 16 + tl]!;
      this.slotOfId[lastId] = slot + 1;
    }
    this.version++;
    return true;
  }

  /** For persist.ts: byte views of everything a snapshot holds, in file order. */
  sections(): Uint8Array[] {
    const n = this.n;
    const m = this.mem;
    const bytes = (a: Int32Array | Float32Array | Float64Array, count: number): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, count * a.BYTES_PER_ELEMENT);
    return [
      bytes(this.mean, this.dim),
      bytes(this.ids, n),
      bytes(this.scales, n),
      bytes(this.takenAt, n),
      bytes(this.folders, n),
      m.u8(m.codesOff, Math.ceil(n / 16) * 16 * this.codeBytes),
      m.u8(m.vecsOff, n * this.rowBytes),
    ];
  }

  get centeredSize(): number {
    return this.centeredAt;
  }

  /** For persist.ts: room for n rows; fill sections() next, then call finishLoad(). */
  prepareLoad(n: number, centeredAt: number): void {
    this.reserve(n);
    this.n = n;
    this.centeredAt = centeredAt;
  }

  finishLoad(): void {
    let maxId = 0;
    for (let i = 0; i < this.n; i++) maxId = Math.max(maxId, this.ids[i]!);
    this.slotOfId = new Int32Array(maxId + 1024);
    for (let i = 0; i < this.n; i++) this.slotOfId[this.ids[i]!] = i + 1;
    this.version++;
  }

  /** Ids of the rows in a watched root (for a folder cascade). */
  idsInFolder(folderId: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.n; i++) if (this.folders[i] === folderId) out.push(this.ids[i]!);
    return out;
  }

  /** The mean of the (dequantised, normalised) rows becomes the centre; every sign code is rewritten. */
  recenter(): void {
    const { n, dim, rowBytes } = this;
    const sum = new Float64Array(dim);
    const { vecs, scales } = this.views();
    for (let r = 0; r < n; r++) {
      const s = scales[r]!;
      const o = r * rowBytes;
      for (let i = 0; i < dim; i++) sum[i]! += vecs[o + i]! * s;
    }
    for (let i = 0; i < dim; i++) this.mean[i] = n > 0 ? sum[i]! / n : 0;
    this.writeMean();
    this.mem.signCodes(0, n);
    this.centeredAt = n;
    this.version++;
  }

  /** Views of the kernel's int8 rows and codes (made again after the memory grows). */
  private views(): { vecs: Int8Array; codes: Uint8Array; scales: Float32Array } {
    const m = this.mem;
    if (!this.viewCache || this.viewCache.vecs.buffer !== m.memory.buffer || this.viewCache.cap !== this.cap) {
      this.viewCache = {
        cap: this.cap,
        vecs: m.i8(m.vecsOff, this.cap * this.rowBytes),
        codes: m.u8(m.codesOff, this.cap * this.codeBytes),
        scales: new Float32Array(m.memory.buffer, m.scalesOff, this.cap),
      };
    }
    return this.viewCache;
  }

  private writeInt8(slot: number, vec: Float32Array): void {
    const dim = this.dim;
    let norm = 0;
    let max = 0;
    for (let i = 0; i < dim; i++) {
      const x = vec[i]!;
      norm += x * x;
      const a = Math.abs(x);
      if (a > max) max = a;
    }
    const { vecs, scales } = this.views();
    const o = slot * this.rowBytes;
    if (norm > 0 && max > 0) {
      const inv = 127 / max;
      // Math.round, written as floor(x + 0.5) on a positive range: |x| <= 127, and V8 runs this
      // ten times faster than Math.round here (measured 0.4 vs 5 µs a 512-d row).
      for (let i = 0; i < dim; i++) vecs[o + i] = ((vec[i]! * inv + 128.5) | 0) - 128;
      scales[slot] = max / Math.sqrt(norm) / 127; // row[i] * scale ≈ vec[i] / |vec|
    } else {
      for (let i = 0; i < dim; i++) vecs[o + i] = 0;
      scales[slot] = 0;
    }
    for (let i = dim; i < this.rowBytes; i++) vecs[o + i] = 0;
  }

  /** Sign code of row `slot` (bit i: its dequantised row[i] lies above the mean), by the kernel. */
  private writeCode(slot: number): void {
    this.writeMean();
    this.mem.signCodes(slot, slot + 1);
  }

  private writeMean(): void {
    new Float32Array(this.mem.memory.buffer, this.mem.meanOff, this.dim).set(this.mean);
  }

  /**
   * Writes the filter into the kernel's mask (1 = passes) and returns how many rows pass;
   * masked = false when there is no filter (every row passes, the mask is not read).
   */
  applyFilter(filter: IndexFilter): { masked: boolean; count: number } {
    return writeFilterMask(this, filter);
  }

  /** Stage 1: sign-code scores of every row against the query, into the kernel's score array. */
  scan(query: Float32Array): void {
    const { codeBytes, dim } = this;
    const m = this.mem;
    const lut = m.u8(m.lutOff, codeBytes * 32);
    // Per nibble (4 dimensions): the query's dot product with each of the 16 sign patterns,
    // shifted to start at 0 and quantised on one scale so a byte holds two of them.
    const raw = new Float64Array(32);
    const mins = new Float64Array(codeBytes * 2);
    let maxRange = 0;
    for (let h = 0; h < codeBytes * 2; h++) {
      let absSum = 0;
      for (let b = 0; b < 4; b++) absSum += h * 4 + b < dim ? Math.abs(query[h * 4 + b]!) : 0;
      mins[h] = -absSum;
      if (2 * absSum > maxRange) maxRange = 2 * absSum;
    }
    const inv = maxRange > 0 ? 127 / maxRange : 0;
    for (let h = 0; h < codeBytes * 2; h++) {
      for (let e = 0; e < 16; e++) {
        let s = 0;
        for (let b = 0; b < 4; b++) {
          const i = h * 4 + b;
          if (i < dim) s += (e >> b) & 1 ? query[i]! : -query[i]!;
        }
        raw[e] = s;
      }
      // Byte position p = h >> 1 holds the low nibble's table, then the high nibble's.
      for (let e = 0; e < 16; e++) lut[h * 16 + e] = Math.min(127, Math.round((raw[e]! - mins[h]!) * inv));
    }
    m.scanCodes(Math.ceil(this.n / 16));
  }

  /** Histogram of the scan's scores over the rows passing the mask: counts per bucket, and the bucket → score shift. */
  scoreHistogram(masked: boolean): { hist: Uint32Array; shift: number } {
    const maxScore = 254 * this.codeBytes;
    let shift = 0;
    while (maxScore >> shift >= HIST_BUCKETS) shift++;
    return { hist: this.mem.histogram(this.n, masked, shift).slice(), shift };
  }

  /** Rows passing the mask with lo <= scan score < hi into the kernel's row list; returns how many. */
  collect(masked: boolean, lo: number, hi: number): number {
    return this.mem.collect(this.n, masked, lo, hi);
  }

  /** Every row passing the mask (or all rows) into the kernel's row list; returns how many. */
  allRows(masked: boolean): number {
    return this.rowsOf(masked ? this.mem.u8(this.mem.maskOff, this.cap) : null, 0, this.n);
  }

  /** A copy of the filter mask applyFilter wrote (rows 0..size), for work spread over several calls. */
  maskCopy(): Uint8Array {
    return this.mem.u8(this.mem.maskOff, this.n).slice();
  }

  /** The slots from..to that pass `mask` (every one when null) into the kernel's row list; returns how many. */
  rowsOf(mask: Uint8Array | null, from: number, to: number): number {
    const rows = this.mem.i32(this.mem.rowsOff, this.cap);
    let k = 0;
    if (!mask) for (let i = from; i < to; i++) rows[k++] = i;
    else for (let i = from; i < to; i++) if (mask[i]) rows[k++] = i;
    return k;
  }

  /**
   * Stage 2: int8 scores of the first nRows rows of the kernel's row list, appended to `into` as
   * (slot, approximate cosine, error margin).
   */
  stage2(query: Float32Array, nRows: number, into: CandidateList): void {
    const { dim, rowBytes } = this;
    const m = this.mem;
    let norm = 0;
    let max = 0;
    for (let i = 0; i < dim; i++) {
      const x = query[i]!;
      norm += x * x;
      if (Math.abs(x) > max) max = Math.abs(x);
    }
    if (!(norm > 0) || nRows === 0) return;
    // int16 query with a scale that keeps rowBytes × 127 × qmax inside int32.
    const qmax = Math.min(32767, Math.floor((2 ** 31 - 1) / (127 * rowBytes)));
    const qInv = qmax / max;
    const q = m.i16(m.queryOff, rowBytes);
    q.fill(0);
    for (let i = 0; i < dim; i++) q[i] = Math.round(query[i]! * qInv);
    const qScale = max / Math.sqrt(norm) / qmax;
    m.dotRows(nRows);
    const out = new Float32Array(m.memory.buffer, m.outOff, nRows);
    const outScale = new Float32Array(m.memory.buffer, m.outScaleOff, nRows);
    const rows = m.i32(m.rowsOff, nRows);
    const qs2 = qScale * qScale;
    into.reserve(into.size + nRows);
    const { slots, approx, margin } = into;
    let k = into.size;
    for (let j = 0; j < nRows; j++, k++) {
      const sv = outScale[j]!;
      slots[k] = rows[j]!;
      approx[k] = out[j]! * qScale;
      // Rounding errors of both unit vectors (uniform ±scale/2 a component) give their dot with
      // the other vector σ² = (scale_v² + scale_q²) / 12; plus float slack (out is float32).
      margin[k] = MARGIN_SIGMAS * Math.sqrt((sv * sv + qs2) / 12) + 1e-5 * Math.abs(approx[k]!) + 1e-6;
    }
    into.size = k;
  }
}
