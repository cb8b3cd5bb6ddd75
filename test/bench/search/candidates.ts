/**
 * The contenders of the index-candidates benchmark, behind one interface: each builds itself from
 * the dataset, answers page p (0-based, PAGE hits each) of a query under a filter, and reports
 * memory, persistence and incremental-update costs. Filters are resolved the way the app resolves
 * them (StoreVectorSource.resolveFilter: tags and subfolders become id lists from SQL) and that
 * cost is inside every timing except sqlite-vec's, which filters in its own query.
 *
 * Libraries that are not dependencies of the app are loaded only if installed:
 *   npm install --no-save usearch@2.25.3 hnswlib-node@3.0.0
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { VectorIndex, type IndexSelection } from './baseline/int8-index.ts';
import { cosineDistance, ExactVectors } from '../../../electron/engine/search/vector-index/exact-vectors.ts';
import { VectorSearch, type PageCursor } from '../../../electron/engine/search/vector-search.ts';
import type { FilterSelection as ResolvedFilter } from '../../../electron/engine/store/index.ts';
import type { BenchFilter, Dataset } from './dataset.ts';

export interface Persisted {
  saveMs: number;
  loadMs: number;
  fileMiB: number;
  note?: string;
}

export interface Candidate {
  readonly name: string;
  build(): Promise<{ seconds: number; note?: string }>;
  memoryMiB(): number;
  persist(): Promise<Persisted | { note: string }>;
  /** Photo ids of page p (0-based) of the query under the filter. */
  page(q: Float32Array, p: number, f: BenchFilter): number[];
  /** Cost of one incremental add and one remove, ms (averaged over a few). */
  update(): { addMs: number; removeMs: number; note?: string };
  close(): Promise<void>;
}

export const PAGE = 500;
const require = createRequire(import.meta.url);
const rssMiB = (): number => process.memoryUsage().rss / 2 ** 20;
const r2 = (x: number): number => Math.round(x * 100) / 100;
const timed = <T>(fn: () => T): [T, number] => {
  const t = performance.now();
  const v = fn();
  return [v, performance.now() - t];
};

/** Mask of the dataset rows a resolved filter lets through (for the libraries without filters). */
function maskOf(d: Dataset, r: ResolvedFilter | null): { pass: Uint8Array; count: number } {
  const pass = new Uint8Array(d.n);
  if (!r) return { pass, count: 0 };
  const folders = r.folderIds ? new Set(r.folderIds) : undefined;
  const lo = r.after ?? -Infinity;
  const hi = r.before ?? Infinity;
  let count = 0;
  for (let i = 0; i < d.n; i++) {
    const t = d.takenAt[i]!;
    if (t < lo || t >= hi) continue;
    if (folders && !folders.has(d.root[i]! + 1)) continue; // folder ids are 1..10 in root order
    pass[i] = 1;
  }
  for (const list of r.allow ?? []) {
    const keep = new Uint8Array(d.n);
    for (const id of list) if (pass[id - 1]) keep[id - 1] = 1;
    pass.set(keep);
  }
  for (let i = 0; i < d.n; i++) count += pass[i]!;
  return { pass, count };
}

/** Exact (distance, id) order of the given ids, through the exact-vectors file. */
function rerank(exact: ExactVectors, q: Float32Array, ids: Iterable<number>): number[] {
  const scored: [number, number][] = [];
  for (const id of ids) scored.push([cosineDistance(q, exact.read(id)), id]);
  scored.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return scored.map((s) => s[1]);
}

function writeExact(d: Dataset, file: string): ExactVectors {
  const exact = ExactVectors.open(file, d.dim, { truncate: true });
  exact.writeRun(1, d.vectors);
  return exact;
}

/** sqlite-vec's brute-force KNN: the SQL path the app takes today for k > 256. */
export class SqliteVecCandidate implements Candidate {
  readonly name = 'sqlite-vec scan';
  constructor(private readonly d: Dataset) {}
  async build() {
    return { seconds: this.d.writeSeconds, note: 'it is the database: the figure is writing the library (0 when cached)' };
  }
  memoryMiB() {
    return 0;
  }
  async persist() {
    return { note: 'nothing to persist: it scans the database' };
  }
  page(q: Float32Array, p: number, f: BenchFilter): number[] {
    const hits = this.d.repo.knn(q, (p + 1) * PAGE, f.filter);
    return hits
      .map((h) => ({ id: h.photoId, d: Math.fround(1 - h.score) }))
      .sort((a, b) => a.d - b.d || a.id - b.id)
      .slice(p * PAGE)
      .map((h) => h.id);
  }
  update() {
    const v = this.d.vectors.subarray(0, this.d.dim);
    const [, add] = timed(() => {
      for (let i = 0; i < 20; i++) this.d.repo.upsert(1 + i, v);
    });
    // Put the original vectors back.
    for (let i = 0; i < 20; i++) this.d.repo.upsert(1 + i, this.d.vectors.subarray(i * this.d.dim, (i + 1) * this.d.dim));
    return { addMs: r2(add / 20), removeMs: NaN, note: 'add = replace one vector (delete + insert in vec0, logged); remove not measured (it would delete bench rows)' };
  }
  async close() {}
}

/** Today's in-memory int8 index (store/vector-index.ts) with the repository's exact re-rank from vec0. */
export class TodayInt8Candidate implements Candidate {
  readonly name = 'int8 index before (test/bench/search/baseline)';
  private index!: VectorIndex;
  constructor(private readonly d: Dataset) {}
  async build() {
    const t0 = performance.now();
    const index = new VectorIndex(this.d.dim, 'wasm');
    index.reserve(this.d.n);
    for (const b of this.d.source.batches(4096)) {
      for (let i = 0; i < b.ids.length; i++) index.set(b.ids[i]!, b.vectors.subarray(i * this.d.dim, (i + 1) * this.d.dim), b.takenAt[i]!, b.folderIds[i]!);
    }
    this.index = index;
    return { seconds: (performance.now() - t0) / 1000, note: 'loaded from SQLite; it is not persisted, so this is also its cold start' };
  }
  memoryMiB() {
    return this.index.memoryBytes / 2 ** 20;
  }
  async persist() {
    return { note: 'not persisted: every process start reloads it from SQLite (see build)' };
  }
  page(q: Float32Array, p: number, f: BenchFilter): number[] {
    const k = (p + 1) * PAGE;
    const r = this.d.source.resolveFilter(f.filter);
    if (!r) return [];
    const sel: IndexSelection = { after: r.after, before: r.before, folderIds: r.folderIds, allow: r.allow };
    const c = this.index.candidates(q, Math.max(4 * k, 200), sel);
    // The repository's exact re-rank: best upper bound first, vectors from vec0, until none can enter.
    const hits: { id: number; dist: number }[] = [];
    let worst = Infinity;
    for (let j = 0; j < c.ids.length; j++) {
      if (hits.length === k && 1 - c.upper[j]! > worst) break;
      const id = c.ids[j]!;
      const dist = cosineDistance(q, this.d.repo.get(id)!);
      if (hits.length < k) {
        hits.push({ id, dist });
        if (hits.length === k) worst = Math.max(...hits.map((h) => h.dist));
      } else if (dist < worst) {
        let w = 0;
        for (let i = 1; i < hits.length; i++) if (hits[i]!.dist > hits[w]!.dist) w = i;
        hits[w] = { id, dist };
        worst = Math.max(...hits.map((h) => h.dist));
      }
    }
    hits.sort((a, b) => a.dist - b.dist || a.id - b.id);
    return hits.slice(p * PAGE).map((h) => h.id);
  }
  update() {
    const v = this.d.vectors.subarray(0, this.d.dim);
    const [, add] = timed(() => {
      for (let i = 0; i < 100; i++) this.index.set(this.d.n + 1 + i, v, 0, 1);
    });
    const [, remove] = timed(() => {
      for (let i = 0; i < 100; i++) this.index.remove(this.d.n + 1 + i);
    });
    return { addMs: r2(add / 100), removeMs: r2(remove / 100), note: 'in memory only (plus the SQLite write every candidate shares)' };
  }
  async close() {}
}

/** The chosen index: search/vector-index (sign codes → int8 → exact), through VectorSearch as the app uses it. */
export class CodesCandidate implements Candidate {
  readonly name = 'codes index (search/vector-index)';
  private search!: VectorSearch;
  private readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-bench-codes-'));
  private cursor: PageCursor | null = null;
  constructor(private readonly d: Dataset) {}
  async build() {
    const t0 = performance.now();
    this.search = new VectorSearch(this.d.repo, this.d.lib.vectorLog, { dir: this.dir, syncBuild: 0 });
    this.search.open();
    await this.search.whenIdle();
    return { seconds: (performance.now() - t0) / 1000, note: 'rebuilt from SQLite (the background rebuild), snapshot saved at the end' };
  }
  memoryMiB() {
    return this.search.indexStats().bytes / 2 ** 20;
  }
  async persist() {
    const [, saveMs] = timed(() => this.search.save());
    const fileMiB = fs.statSync(path.join(this.dir, 'index.bin')).size / 2 ** 20;
    const other = new VectorSearch(this.d.repo, this.d.lib.vectorLog, { dir: this.dir });
    const [, loadMs] = timed(() => other.open());
    if (other.state !== 'ready') throw new Error('the snapshot did not load');
    await other.close({ save: false });
    return { saveMs: r2(saveMs), loadMs: r2(loadMs), fileMiB: r2(fileMiB), note: 'load = open(): snapshot read + log check; exact vectors stay in their file (page cache)' };
  }
  page(q: Float32Array, p: number, f: BenchFilter): number[] {
    if (p === 0) this.cursor = null;
    const page = this.search.page(q, PAGE, f.filter, this.cursor ?? undefined);
    if (page.path !== 'index') throw new Error(`answered from ${page.path}`);
    this.cursor = page.next;
    return page.hits.map((h) => h.photoId);
  }
  update() {
    const q = this.d.queries[0]!;
    const [, add] = timed(() => {
      for (let i = 0; i < 20; i++) {
        this.d.repo.upsert(1 + i, this.d.vectors.subarray((i + 1) * this.d.dim, (i + 2) * this.d.dim));
        this.search.page(q, 1); // the index catches up from the log before it answers
      }
    });
    for (let i = 0; i < 20; i++) this.d.repo.upsert(1 + i, this.d.vectors.subarray(i * this.d.dim, (i + 1) * this.d.dim));
    this.search.page(q, 1);
    return { addMs: r2(add / 20), removeMs: NaN, note: 'add = replace a vector in SQLite + the next query catching up from the log (includes that query); remove is the same path' };
  }
  async close() {
    await this.search.close({ save: false });
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

interface UsearchModule {
  Index: new (cfg: object) => {
    add(keys: BigUint64Array, vectors: Float32Array, threads?: number): void;
    search(v: Float32Array, k: number, threads: number): { keys: BigUint64Array; distances: Float32Array };
    remove(key: bigint): number;
    save(p: string): void;
    load(p: string): void;
    view(p: string): void;
    size(): number;
  };
}

/** usearch's HNSW (i8), re-ranked exactly; filters by over-fetching (its JS binding has no predicate), exact scan when ≤ 20k rows pass. */
export class UsearchCandidate implements Candidate {
  readonly name = 'usearch HNSW (i8, M=16) + exact re-rank';
  private readonly mod: UsearchModule;
  private index!: InstanceType<UsearchModule['Index']>;
  private exact!: ExactVectors;
  private readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-bench-usearch-'));
  private memory = 0;
  private readonly cfg;
  constructor(
    private readonly d: Dataset,
    private readonly oversample = 2,
  ) {
    this.mod = require('usearch') as UsearchModule;
    this.cfg = { dimensions: d.dim, metric: 'cos', quantization: 'i8', connectivity: 16, expansion_add: 128, expansion_search: 64, multi: false };
  }
  async build() {
    const before = rssMiB();
    const t0 = performance.now();
    this.index = new this.mod.Index(this.cfg);
    const keys = new BigUint64Array(this.d.n);
    for (let i = 0; i < this.d.n; i++) keys[i] = BigInt(i + 1);
    this.index.add(keys, this.d.vectors, os.availableParallelism());
    const seconds = (performance.now() - t0) / 1000;
    this.memory = rssMiB() - before;
    this.exact = writeExact(this.d, path.join(this.dir, 'vectors.f32'));
    return { seconds, note: `from float32 in memory, ${os.availableParallelism()} threads; memory = RSS growth while building` };
  }
  memoryMiB() {
    return this.memory;
  }
  async persist() {
    const file = path.join(this.dir, 'hnsw.usearch');
    const [, saveMs] = timed(() => this.index.save(file));
    const [, loadMs] = timed(() => new this.mod.Index(this.cfg).load(file));
    const [, viewMs] = timed(() => new this.mod.Index(this.cfg).view(file));
    return { saveMs: r2(saveMs), loadMs: r2(loadMs), fileMiB: r2(fs.statSync(file).size / 2 ** 20), note: `view (memory-mapped) ${r2(viewMs)} ms` };
  }
  page(q: Float32Array, p: number, f: BenchFilter): number[] {
    const k = (p + 1) * PAGE;
    const r = this.d.source.resolveFilter(f.filter);
    const unfiltered = f.name === 'none';
    const { pass, count } = unfiltered ? { pass: undefined, count: this.d.n } : maskOf(this.d, r);
    if (count === 0) return [];
    if (pass && count <= 20_000) {
      const ids: number[] = [];
      for (let i = 0; i < this.d.n; i++) if (pass[i]) ids.push(i + 1);
      return rerank(this.exact, q, ids).slice(p * PAGE, k);
    }
    let want = Math.min(this.d.n, Math.ceil((k * this.oversample * this.d.n) / count));
    for (;;) {
      const m = this.index.search(q, want, 1);
      const ids: number[] = [];
      for (const key of m.keys) {
        const id = Number(key);
        if (id > 0 && (!pass || pass[id - 1])) ids.push(id);
      }
      if (ids.length >= k * this.oversample || want >= this.d.n) return rerank(this.exact, q, ids.slice(0, k * this.oversample)).slice(p * PAGE, k);
      want = Math.min(this.d.n, want * 2);
    }
  }
  update() {
    const v = this.d.vectors.subarray(0, this.d.dim);
    const [, add] = timed(() => {
      for (let i = 0; i < 100; i++) this.index.add(new BigUint64Array([BigInt(this.d.n + 1 + i)]), v, 1);
    });
    const [, remove] = timed(() => {
      for (let i = 0; i < 100; i++) this.index.remove(BigInt(this.d.n + 1 + i));
    });
    return { addMs: r2(add / 100), removeMs: r2(remove / 100) };
  }
  async close() {
    this.exact?.close();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

interface HnswlibModule {
  HierarchicalNSW: new (space: string, dim: number) => {
    initIndex(max: number, m: number, ef: number, seed: number): void;
    addPoint(v: number[], label: number): void;
    markDelete(label: number): void;
    setEf(ef: number): void;
    searchKnn(v: number[], k: number, filter?: (label: number) => boolean): { neighbors: number[]; distances: number[] };
    writeIndexSync(p: string): void;
    readIndexSync(p: string): void;
    resizeIndex(n: number): void;
  };
}

/** hnswlib-node's HNSW (float32, M=16); filters through its label predicate; its float32 distances are not re-ranked. */
export class HnswlibCandidate implements Candidate {
  readonly name = 'hnswlib-node HNSW (f32, M=16)';
  private readonly mod: HnswlibModule;
  private index!: InstanceType<HnswlibModule['HierarchicalNSW']>;
  private memory = 0;
  private readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-bench-hnswlib-'));
  constructor(private readonly d: Dataset) {
    this.mod = require('hnswlib-node') as HnswlibModule;
  }
  async build() {
    const before = rssMiB();
    const t0 = performance.now();
    this.index = new this.mod.HierarchicalNSW('cosine', this.d.dim);
    this.index.initIndex(this.d.n + 200, 16, 100, 100);
    for (let i = 0; i < this.d.n; i++) this.index.addPoint(Array.from(this.d.vectors.subarray(i * this.d.dim, (i + 1) * this.d.dim)), i + 1);
    this.memory = rssMiB() - before;
    return { seconds: (performance.now() - t0) / 1000, note: 'single-threaded addPoint from float32 in memory; memory = RSS growth' };
  }
  memoryMiB() {
    return this.memory;
  }
  async persist() {
    const file = path.join(this.dir, 'hnsw.bin');
    const [, saveMs] = timed(() => this.index.writeIndexSync(file));
    const [, loadMs] = timed(() => new this.mod.HierarchicalNSW('cosine', this.d.dim).readIndexSync(file));
    return { saveMs: r2(saveMs), loadMs: r2(loadMs), fileMiB: r2(fs.statSync(file).size / 2 ** 20) };
  }
  page(q: Float32Array, p: number, f: BenchFilter): number[] {
    const k = (p + 1) * PAGE;
    const r = this.d.source.resolveFilter(f.filter);
    const { pass, count } = f.name === 'none' ? { pass: undefined, count: this.d.n } : maskOf(this.d, r);
    if (count === 0) return [];
    this.index.setEf(Math.max(k, 64));
    const res = this.index.searchKnn(Array.from(q), Math.min(k, count), pass ? (label) => pass[label - 1] === 1 : undefined);
    return res.neighbors
      .map((id, i) => [res.distances[i]!, id] as const)
      .sort((a, b) => a[0] - b[0] || a[1] - b[1])
      .slice(p * PAGE)
      .map((x) => x[1]);
  }
  update() {
    this.index.resizeIndex(this.d.n + 400);
    const v = Array.from(this.d.vectors.subarray(0, this.d.dim));
    const [, add] = timed(() => {
      for (let i = 0; i < 100; i++) this.index.addPoint(v, this.d.n + 100 + i);
    });
    const [, remove] = timed(() => {
      for (let i = 0; i < 100; i++) this.index.markDelete(this.d.n + 100 + i);
    });
    return { addMs: r2(add / 100), removeMs: r2(remove / 100), note: 'remove = markDelete (the slot stays until replaced)' };
  }
  async close() {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
