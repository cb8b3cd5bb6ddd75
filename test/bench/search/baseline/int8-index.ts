/**
 * BENCHMARK BASELINE ONLY — the in-memory int8 index that search used before the codes index
 * (electron/engine/search/vector-index/), moved here unchanged with its hand-assembled kernel
 * (int8-kernel.ts, wasm-asm.ts) so that the index-candidates benchmark can still measure it side
 * by side. Nothing in electron/ imports it.
 *
 * In-memory candidate index for one vector table, owned by a VectorSearch (vector-search.ts).
 *
 * Each vector is L2-normalised and quantised to int8 with one float scale per vector (dim + 4
 * bytes a photo: ~51 MB per 100k at 512-d), next to Int32 ids, Float64 taken_at and Int32
 * folder_id. A query is quantised to int16 and scored against a row list (the filtered rows,
 * chosen BEFORE scoring) by a WebAssembly SIMD kernel (i8 -> i16 widening, i32x4.dot_i16x8_s),
 * or plain JS where WebAssembly SIMD is missing. VectorSearch then re-ranks the best candidates
 * exactly with their float32 vectors from the vec0 table, so scores and order are sqlite-vec's.
 *
 * Staleness: vectors change only through VectorRepository, which reports every write, and every
 * store code path that changes a photo row in a way the vec0 triggers copy (delete, skip,
 * taken_at, folder_id, folder cascade, table drop) reports it through the store's change feed.
 * Reported ids are only marked dirty and re-read from SQLite before the next search, so a change
 * rolled back after being reported costs a re-read, never a wrong entry.
 */
import { createBackend, roundUp, ROW_ALIGN, type Backend, type IndexKernel } from './int8-kernel.ts';

export type { IndexKernel } from './int8-kernel.ts';

/** Which rows a query may see; every condition must hold. */
export interface IndexSelection {
  /** Inclusive lower bound on taken_at (integer ms; unknown dates are the smallest integer). */
  after?: number;
  /** Exclusive upper bound on taken_at. */
  before?: number;
  /** folder_id must be one of these. */
  folderIds?: readonly number[];
  /** Photo-id allow-lists (each one must contain the photo). */
  allow?: readonly (readonly number[] | ReadonlySet<number>)[];
}

export interface Candidates {
  /** Best possible exact score first (approx + margin, descending). */
  ids: Int32Array;
  /** Approximate cosine of each candidate. */
  approx: Float32Array;
  /** Upper bound used for ordering: approx + margin. */
  upper: Float32Array;
  /** Rows that passed the filters. */
  filtered: number;
}

/**
 * Width of the band around an approximate score that the exact score is assumed to lie in, in
 * standard deviations of the int8 rounding error (uniform ±scale/2 per component, so the error of
 * a dot with a unit query has σ = scale/√12). At 8σ a miss is a ~1e-15 event per candidate.
 */
export const MARGIN_SIGMAS = 8;

export class VectorIndex {
  readonly rowBytes: number;
  private readonly backend: Backend;
  private cap = 0;
  private n = 0;
  private ids = new Int32Array(0);
  private scales = new Float32Array(0);
  private takenAt = new Float64Array(0);
  private folders = new Int32Array(0);
  private readonly slotOf = new Map<number, number>();
  /** Per-slot scratch for intersecting allow-lists: values above stampBase belong to the current search. */
  private stamps = new Int32Array(0);
  private stampBase = 0;

  constructor(
    readonly dim: number,
    kernel: IndexKernel = 'wasm',
  ) {
    this.rowBytes = roundUp(dim, ROW_ALIGN);
    this.backend = createBackend(kernel, this.rowBytes);
  }

  get kernel(): IndexKernel {
    return this.backend.kind;
  }

  get size(): number {
    return this.n;
  }

  /** Bytes held: the int8 rows (with kernel scratch) plus the per-row arrays and id map estimate. */
  get memoryBytes(): number {
    return this.backend.bytes() + this.cap * (4 + 4 + 8 + 4 + 4) + this.slotOf.size * 40;
  }

  has(id: number): boolean {
    return this.slotOf.has(id);
  }

  reserve(count: number): void {
    if (count <= this.cap) return;
    const cap = Math.max(count, Math.ceil(this.cap * 1.25) + 1024);
    this.backend.reserve(cap);
    const grow = <T extends Int32Array | Float32Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    this.ids = grow(this.ids, (c) => new Int32Array(c));
    this.scales = grow(this.scales, (c) => new Float32Array(c));
    this.takenAt = grow(this.takenAt, (c) => new Float64Array(c));
    this.folders = grow(this.folders, (c) => new Int32Array(c));
    this.stamps = grow(this.stamps, (c) => new Int32Array(c));
    this.cap = cap;
  }

  /** Inserts or replaces a vector with its metadata. */
  set(id: number, vec: Float32Array, takenAt: number, folderId: number): void {
    if (vec.length !== this.dim) throw new Error(`vector has ${vec.length} dimensions; index uses ${this.dim}`);
    let slot = this.slotOf.get(id);
    if (slot === undefined) {
      this.reserve(this.n + 1);
      slot = this.n++;
      this.slotOf.set(id, slot);
      this.ids[slot] = id;
    }
    let norm = 0;
    let max = 0;
    for (let i = 0; i < vec.length; i++) {
      const x = vec[i]!;
      norm += x * x;
      const a = Math.abs(x);
      if (a > max) max = a;
    }
    const row = this.backend.vecs().subarray(slot * this.rowBytes, (slot + 1) * this.rowBytes);
    row.fill(0);
    if (norm > 0 && max > 0) {
      const inv = 127 / max;
      for (let i = 0; i < vec.length; i++) row[i] = Math.round(vec[i]! * inv);
      this.scales[slot] = max / Math.sqrt(norm) / 127; // approx cosine = scale * Σ row·q̂
    } else {
      this.scales[slot] = 0;
    }
    this.takenAt[slot] = takenAt;
    this.folders[slot] = folderId;
  }

  setMeta(id: number, takenAt: number, folderId: number): void {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return;
    this.takenAt[slot] = takenAt;
    this.folders[slot] = folderId;
  }

  /** Swap-remove: the last row moves into the freed slot. */
  remove(id: number): boolean {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return false;
    this.slotOf.delete(id);
    const last = --this.n;
    if (slot !== last) {
      const lastId = this.ids[last]!;
      this.ids[slot] = lastId;
      this.scales[slot] = this.scales[last]!;
      this.takenAt[slot] = this.takenAt[last]!;
      this.folders[slot] = this.folders[last]!;
      this.backend.vecs().copyWithin(slot * this.rowBytes, last * this.rowBytes, (last + 1) * this.rowBytes);
      this.slotOf.set(lastId, slot);
    }
    return true;
  }

  clear(): void {
    this.n = 0;
    this.slotOf.clear();
  }

  /** Ids of rows whose folder_id is one of these (for a folder cascade). */
  idsInFolder(folderId: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.n; i++) if (this.folders[i] === folderId) out.push(this.ids[i]!);
    return out;
  }

  /**
   * The `limit` rows with the best approximate cosine among those passing `sel`, ordered by
   * approx + margin (descending): the order in which to re-rank them exactly.
   */
  candidates(query: Float32Array, limit: number, sel: IndexSelection): Candidates {
    const rows = this.backend.rows();
    const nRows = this.selectRows(rows, sel);
    const r = Math.min(limit, nRows);
    const empty = { ids: new Int32Array(0), approx: new Float32Array(0), upper: new Float32Array(0), filtered: nRows };
    if (r <= 0) return empty;

    // Query: unit length, int16 with a scale that keeps dim × 127 × qmax inside int32.
    let norm = 0;
    let max = 0;
    for (let i = 0; i < this.dim; i++) {
      const x = query[i]!;
      norm += x * x;
      if (Math.abs(x) > max) max = Math.abs(x);
    }
    if (!(norm > 0)) return empty;
    const qmax = Math.min(32767, Math.floor((2 ** 31 - 1) / (127 * this.rowBytes)));
    const qInv = qmax / max;
    const q = this.backend.query();
    q.fill(0);
    for (let i = 0; i < this.dim; i++) q[i] = Math.round(query[i]! * qInv);
    const qScale = max / Math.sqrt(norm) / qmax;

    // Dense selections: score every row in order, then read only the selected ones' scores.
    const dense = nRows * 4 > this.n * 3;
    this.backend.run(dense ? this.n : nRows, dense);
    const out = this.backend.out();
    const rowsAfter = this.backend.rows(); // same memory; views may have been re-made
    const scales = this.scales;

    // Top r by approximate score: a min-heap of (score, row).
    const hs = new Float64Array(r);
    const hr = new Int32Array(r);
    let size = 0;
    for (let i = 0; i < nRows; i++) {
      const row = rowsAfter[i]!;
      const s = out[dense ? row : i]! * scales[row]!;
      if (size < r) {
        let c = size++;
        while (c > 0) {
          const p = (c - 1) >> 1;
          if (hs[p]! <= s) break;
          hs[c] = hs[p]!;
          hr[c] = hr[p]!;
          c = p;
        }
        hs[c] = s;
        hr[c] = row;
      } else if (s > hs[0]!) {
        let c = 0;
        for (;;) {
          const l = 2 * c + 1;
          if (l >= r) break;
          const m = l + 1 < r && hs[l + 1]! < hs[l]! ? l + 1 : l;
          if (hs[m]! >= s) break;
          hs[c] = hs[m]!;
          hr[c] = hr[m]!;
          c = m;
        }
        hs[c] = s;
        hr[c] = row;
      }
    }

    const qs2 = qScale * qScale;
    const order = Array.from({ length: size }, (_, i) => i);
    const approx = new Float32Array(size);
    const upper = new Float32Array(size);
    const up = new Float64Array(size);
    for (let i = 0; i < size; i++) {
      const row = hr[i]!;
      const a = hs[i]! * qScale;
      // Rounding errors of both unit vectors: uniform ±scale/2 per component, so their dot with
      // the other vector has σ² = (scale_v² + scale_q²) / 12; plus float slack.
      const sv = scales[row]!;
      up[i] = a + MARGIN_SIGMAS * Math.sqrt((sv * sv + qs2) / 12) + 1e-6;
    }
    order.sort((x, y) => up[y]! - up[x]!);
    const ids = new Int32Array(size);
    order.forEach((i, j) => {
      ids[j] = this.ids[hr[i]!]!;
      approx[j] = hs[i]! * qScale;
      upper[j] = up[i]!;
    });
    return { ids, approx, upper, filtered: nRows };
  }

  /** Fills `rows` with the slots passing the selection; returns how many. */
  private selectRows(rows: Int32Array, sel: IndexSelection): number {
    const lo = sel.after ?? -Infinity;
    const hi = sel.before ?? Infinity;
    const dated = sel.after !== undefined || sel.before !== undefined;
    const folderSet = sel.folderIds ? new Set(sel.folderIds) : undefined;
    const single = sel.folderIds?.length === 1 ? sel.folderIds[0]! : undefined;
    const { takenAt, folders } = this;
    const ok = (slot: number): boolean => {
      if (dated) {
        const t = takenAt[slot]!;
        if (!(t >= lo && t < hi)) return false;
      }
      if (folderSet) {
        const f = folders[slot]!;
        if (single !== undefined ? f !== single : !folderSet.has(f)) return false;
      }
      return true;
    };
    let n = 0;
    if (sel.allow && sel.allow.length > 0) {
      // A slot passes list j when stamped by all lists before it; dedupes repeated ids too.
      const lists = [...sel.allow].sort((a, b) => sizeOf(a) - sizeOf(b));
      const m = lists.length;
      if (this.stampBase > 2 ** 30) {
        this.stamps.fill(0);
        this.stampBase = 0;
      }
      const base = this.stampBase;
      this.stampBase += m + 1;
      const stamps = this.stamps;
      const slotOf = this.slotOf;
      for (let j = 0; j < m; j++) {
        const want = base + j; // stamp a slot must carry to count here (base: never stamped this search)
        const last = j === m - 1;
        for (const id of lists[j]!) {
          const slot = slotOf.get(id);
          if (slot === undefined) continue;
          if (j === 0 ? stamps[slot]! > base : stamps[slot] !== want) continue;
          stamps[slot] = want + 1;
          if (last && ok(slot)) rows[n++] = slot;
        }
      }
      return n;
    }
    if (!dated && !folderSet) {
      for (let i = 0; i < this.n; i++) rows[i] = i;
      return this.n;
    }
    for (let i = 0; i < this.n; i++) if (ok(i)) rows[n++] = i;
    return n;
  }
}

const sizeOf = (l: readonly number[] | ReadonlySet<number>): number => (l instanceof Set ? l.size : (l as readonly number[]).length);
