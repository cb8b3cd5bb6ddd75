/**
 * In-memory candidate index for one vector table, owned by its VectorRepository.
 *
 * Each vector is L2-normalised and quantised to int8 with one float scale per vector (dim + 4
 * bytes a photo: ~51 MB per 100k at 512-d), next to Int32 ids, Float64 taken_at and Int32
 * folder_id. A query is quantised to int16 and scored against a row list (the filtered rows,
 * chosen BEFORE scoring) by a WebAssembly SIMD kernel (i8 -> i16 widening, i32x4.dot_i16x8_s),
 * or plain JS where WebAssembly SIMD is missing. The repository then re-ranks the best candidates
 * exactly with their float32 vectors from the vec0 table, so scores and order are sqlite-vec's.
 *
 * Staleness: vectors change only through VectorRepository (which patches this index), and every
 * store code path that changes a photo row in a way the vec0 triggers copy (delete, skip,
 * taken_at, folder_id, folder cascade, table drop) reports it through `vectorIndexEvents(db)`.
 * Reported ids are only marked dirty and re-read from SQLite before the next search, so a change
 * rolled back after being reported costs a re-read, never a wrong entry.
 */
import type { Database } from './database.ts';
import { assembleModule, compileModule, FunctionBuilder, get, I32, i32c, instantiateModule, mem, op, set, simdOp, simd, tee, V128, type WasmMemory } from '../tags/wasm-asm.ts';

export type IndexKernel = 'wasm' | 'js';

/** Rows per vector are padded to this many bytes (the kernel's unrolled step). */
const ROW_ALIGN = 32;
const WASM_PAGE = 65536;
const roundUp = (n: number, m: number): number => Math.ceil(n / m) * m;

// ---------------------------------------------------------------------------------------------
// Kernel: out[i] = Σ_k vec[rows[i]][k] (int8) * query[k] (int16), i32 accumulation.

const OP = { i32Load: 0x28, i32Store: 0x36 } as const;
const SIMD = { i16x8ExtendLowI8x16S: 0x87, i16x8ExtendHighI8x16S: 0x88, i32x4ExtractLane: 0x1b, i32x4DotI16x8S: 0xba } as const;
const zeroV128 = (): number[] => simdOp(simd.const, ...new Array<number>(16).fill(0));
const v128Load = (offset = 0): number[] => simdOp(simd.load, ...mem(0, offset));

/**
 * indexed: scoreRows(vecs, rowBytes, rows, nRows, query, out) scores the rows listed in `rows`;
 * else scoreAll(vecs, rowBytes, _, nRows, query, out) scores rows 0..nRows in order, which streams
 * memory ~3x faster than a gather over a dense list (measured at 90% of 100k rows).
 */
function scoreRowsFn(indexed: boolean): FunctionBuilder {
  const f = new FunctionBuilder([I32, I32, I32, I32, I32, I32]);
  const [vecs, rowBytes, rows, nRows, query, out] = [0, 1, 2, 3, 4, 5];
  const [rowsEnd, base, k, q] = f.local(I32, 4);
  const acc = f.local(V128, 4);
  const [v] = f.local(V128);
  const add = (a: number, extend: number, qOffset: number): number[] => [
    ...get(a),
    ...get(v!),
    ...simdOp(extend),
    ...get(q!),
    ...v128Load(qOffset),
    ...simdOp(SIMD.i32x4DotI16x8S),
    ...simdOp(simd.i32x4Add),
    ...set(a),
  ];
  // The loop runs a cursor over `rows` (indexed) or over the vectors themselves.
  if (indexed) f.emit(get(rows), get(nRows), i32c(4), op.i32Mul, op.i32Add, set(rowsEnd!));
  else f.emit(get(vecs), set(rows), get(vecs), get(nRows), get(rowBytes), op.i32Mul, op.i32Add, set(rowsEnd!));
  f.emit(op.block, op.void, op.loop, op.void, get(rows), get(rowsEnd!), op.i32GeU, op.brIf, 1);
  // base = vecs + rows[i] * rowBytes, or the cursor itself
  if (indexed) f.emit(get(vecs), get(rows), OP.i32Load, mem(2, 0), get(rowBytes), op.i32Mul, op.i32Add, set(base!));
  else f.emit(get(rows), set(base!));
  for (const a of acc) f.emit(zeroV128(), set(a));
  f.emit(i32c(0), set(k!), get(query), set(q!));
  f.emit(op.loop, op.void);
  for (let half = 0; half < 2; half++) {
    f.emit(get(base!), get(k!), op.i32Add, v128Load(half * 16), set(v!));
    f.emit(add(acc[half * 2]!, SIMD.i16x8ExtendLowI8x16S, half * 32));
    f.emit(add(acc[half * 2 + 1]!, SIMD.i16x8ExtendHighI8x16S, half * 32 + 16));
  }
  f.emit(get(q!), i32c(64), op.i32Add, set(q!));
  f.emit(get(k!), i32c(32), op.i32Add, tee(k!), get(rowBytes), op.i32LtU, op.brIf, 0, op.end);
  // out[i] = horizontal sum
  f.emit(get(acc[0]!), get(acc[1]!), simdOp(simd.i32x4Add), get(acc[2]!), get(acc[3]!), simdOp(simd.i32x4Add), simdOp(simd.i32x4Add), set(v!));
  f.emit(get(out));
  for (let l = 0; l < 4; l++) {
    f.emit(get(v!), simdOp(SIMD.i32x4ExtractLane, l));
    if (l > 0) f.emit(op.i32Add);
  }
  f.emit(OP.i32Store, mem(2, 0));
  f.emit(get(out), i32c(4), op.i32Add, set(out), get(rows));
  f.emit(indexed ? i32c(4) : get(rowBytes), op.i32Add, set(rows));
  f.emit(op.br, 0, op.end, op.end);
  return f;
}

let compiledKernel: object | null | undefined;

interface Int8Kernel {
  memory: WasmMemory;
  scoreRows(vecs: number, rowBytes: number, rows: number, nRows: number, query: number, out: number): void;
  scoreAll(vecs: number, rowBytes: number, unused: number, nRows: number, query: number, out: number): void;
}

function instantiateInt8Kernel(): Int8Kernel | null {
  try {
    if (compiledKernel === undefined) {
      compiledKernel = compileModule(
        assembleModule([
          { name: 'scoreRows', builder: scoreRowsFn(true) },
          { name: 'scoreAll', builder: scoreRowsFn(false) },
        ]),
      );
    }
    if (!compiledKernel) return null;
    const e = instantiateModule(compiledKernel) as unknown as Int8Kernel & { mem: WasmMemory };
    return { memory: e.mem, scoreRows: e.scoreRows, scoreAll: e.scoreAll };
  } catch {
    compiledKernel = null; // no WebAssembly SIMD here: the JS loop below
    return null;
  }
}

/**
 * Where the int8 rows and the kernel's scratch live: WebAssembly memory laid out as
 * [query int16 | vectors cap × rowBytes | rows cap × i32 | out cap × i32], or plain arrays.
 */
interface Backend {
  readonly kind: IndexKernel;
  reserve(cap: number): void;
  vecs(): Int8Array;
  query(): Int16Array;
  rows(): Int32Array;
  out(): Int32Array;
  /** out[i] = score of row rows[i], or (dense) of row i, for i < nRows. */
  run(nRows: number, dense: boolean): void;
  bytes(): number;
}

class WasmBackend implements Backend {
  readonly kind = 'wasm';
  private cap = 0;
  private qOff = 0;
  private vOff: number;
  private rOff = 0;
  private oOff = 0;
  constructor(
    private readonly k: Int8Kernel,
    private readonly rowBytes: number,
  ) {
    this.vOff = rowBytes * 2;
  }
  reserve(cap: number): void {
    if (cap <= this.cap) return;
    this.rOff = this.vOff + cap * this.rowBytes;
    this.oOff = this.rOff + cap * 4;
    const need = this.oOff + cap * 4;
    const have = this.k.memory.buffer.byteLength;
    if (need > have) this.k.memory.grow(Math.ceil((need - have) / WASM_PAGE));
    this.cap = cap;
  }
  vecs(): Int8Array {
    return new Int8Array(this.k.memory.buffer, this.vOff, this.cap * this.rowBytes);
  }
  query(): Int16Array {
    return new Int16Array(this.k.memory.buffer, this.qOff, this.rowBytes);
  }
  rows(): Int32Array {
    return new Int32Array(this.k.memory.buffer, this.rOff, this.cap);
  }
  out(): Int32Array {
    return new Int32Array(this.k.memory.buffer, this.oOff, this.cap);
  }
  run(nRows: number, dense: boolean): void {
    (dense ? this.k.scoreAll : this.k.scoreRows)(this.vOff, this.rowBytes, this.rOff, nRows, this.qOff, this.oOff);
  }
  bytes(): number {
    return this.k.memory.buffer.byteLength;
  }
}

class JsBackend implements Backend {
  readonly kind = 'js';
  private v = new Int8Array(0);
  private r = new Int32Array(0);
  private o = new Int32Array(0);
  private readonly q: Int16Array;
  constructor(private readonly rowBytes: number) {
    this.q = new Int16Array(rowBytes);
  }
  reserve(cap: number): void {
    if (cap * this.rowBytes <= this.v.length) return;
    const v = new Int8Array(cap * this.rowBytes);
    v.set(this.v);
    this.v = v;
    this.r = new Int32Array(cap);
    this.o = new Int32Array(cap);
  }
  vecs(): Int8Array {
    return this.v;
  }
  query(): Int16Array {
    return this.q;
  }
  rows(): Int32Array {
    return this.r;
  }
  out(): Int32Array {
    return this.o;
  }
  run(nRows: number, dense: boolean): void {
    const { v, r, o, q, rowBytes } = this;
    for (let i = 0; i < nRows; i++) {
      const base = (dense ? i : r[i]!) * rowBytes;
      let s = 0;
      for (let k = 0; k < rowBytes; k++) s += v[base + k]! * q[k]!;
      o[i] = s;
    }
  }
  bytes(): number {
    return this.v.byteLength + this.r.byteLength + this.o.byteLength;
  }
}

// ---------------------------------------------------------------------------------------------

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
    const k = kernel === 'wasm' ? instantiateInt8Kernel() : null;
    this.backend = k ? new WasmBackend(k, this.rowBytes) : new JsBackend(this.rowBytes);
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

// ---------------------------------------------------------------------------------------------
// Change reports from the store's write paths.

/** What a subscribed index hears about changes it did not make itself. */
export interface VectorIndexListener {
  /** The photo row changed in a way the vec0 triggers copy (deleted, skipped, taken_at, folder_id). */
  photoChanged(photoId: number): void;
  /** A watched root was removed: its photos are gone (cascade). */
  folderRemoved(folderId: number): void;
  /** A vector table was dropped (model retired). */
  tableDropped(table: string): void;
}

export class VectorIndexEvents {
  private readonly listeners = new Set<WeakRef<VectorIndexListener>>();

  subscribe(l: VectorIndexListener): void {
    this.listeners.add(new WeakRef(l));
  }

  unsubscribe(l: VectorIndexListener): void {
    for (const ref of this.listeners) if (ref.deref() === l) this.listeners.delete(ref);
  }

  photoChanged(photoId: number | bigint): void {
    this.each((l) => l.photoChanged(Number(photoId)));
  }

  folderRemoved(folderId: number): void {
    this.each((l) => l.folderRemoved(folderId));
  }

  tableDropped(table: string): void {
    this.each((l) => l.tableDropped(table));
  }

  private each(fn: (l: VectorIndexListener) => void): void {
    for (const ref of this.listeners) {
      const l = ref.deref();
      if (l) fn(l);
      else this.listeners.delete(ref);
    }
  }
}

const eventsByDb = new WeakMap<Database, VectorIndexEvents>();

/** The change feed shared by every repository on this database handle. */
export function vectorIndexEvents(db: Database): VectorIndexEvents {
  let e = eventsByDb.get(db);
  if (!e) eventsByDb.set(db, (e = new VectorIndexEvents()));
  return e;
}
