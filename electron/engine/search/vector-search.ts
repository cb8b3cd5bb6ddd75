/**
 * Vector search for one model's vectors, with two paths that give the same results:
 * - 'index' (default in long-running processes): an in-memory int8 index (vector-index.ts), loaded
 *   on the first search and kept in step through the store's change feed, picks candidates among
 *   the photos passing the filters; they are re-ranked exactly with their float32 vectors from the
 *   vec0 table, computed the way sqlite-vec computes cosine distance, so ids, order and scores
 *   match the SQL path.
 * - 'sqlite': sqlite-vec's exact (brute-force) KNN with every filter applied inside the query
 *   (VectorRepository.knn). Used when chosen (one-shot CLI queries, SHIGUANG_VECTOR_INDEX=sqlite),
 *   for large k, inside a transaction, and whenever the index finds itself out of step (it then
 *   reloads).
 * Either way every filter is applied before ranking, so k results come back whenever k photos match.
 */
import type { VectorChangeListener } from '../store/change-feed.ts';
import type { VectorFilter, VectorHit, VectorRepository } from '../store/vector-repository.ts';
import { VectorIndex, type IndexKernel } from './vector-index.ts';

/**
 * 'index': in-memory index with exact re-rank (WebAssembly SIMD kernel, JS where unavailable);
 * 'index-js': the same with the plain-JS kernel; 'sqlite': sqlite-vec's KNN only.
 */
export type VectorSearchMode = 'index' | 'index-js' | 'sqlite';

/** Larger k goes to sqlite-vec: re-ranking max(4k, 200) candidates exactly would cost more than its scan. */
export const INDEX_MAX_K = 256;

/** Candidates re-ranked exactly at most. */
const rerankLimit = (k: number): number => Math.max(4 * k, 200);

/**
 * sqlite-vec's cosine distance, step for step: float32 accumulation of the dot product and both
 * squared norms, then 1 - dot / (sqrt(a) * sqrt(b)) in double, returned as float32.
 */
function cosineDistance(a: Float32Array, b: Float32Array): number {
  const f = Math.fround;
  let dot = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    dot = f(dot + f(x * y));
    aa = f(aa + f(x * x));
    bb = f(bb + f(y * y));
  }
  return f(1 - dot / (Math.sqrt(aa) * Math.sqrt(bb)));
}

export class VectorSearch {
  /** Which path search() takes. */
  mode: VectorSearchMode;
  /** The path the last search() took (for tests and benchmarks). */
  lastSearchPath: 'index' | 'sqlite' | undefined;
  private index: VectorIndex | undefined;
  private loaded = false;
  private dataVersion = -1;
  /** Ids to re-read from SQLite before the next index search; true = the vector too. */
  private readonly dirty = new Map<number, boolean>();
  /** Held here: the change feed keeps only a weak reference. */
  private readonly listener: VectorChangeListener;

  constructor(
    readonly vectors: VectorRepository,
    mode: VectorSearchMode = 'index',
  ) {
    this.mode = mode;
    const table = vectors.table;
    const markDirty = (id: number, vector: boolean): void => void this.dirty.set(id, vector || (this.dirty.get(id) ?? false));
    this.listener = {
      vectorsWritten: (t, items, inTransaction) => {
        if (t !== table || !this.loaded) return;
        // Inside a caller's transaction the write may still be rolled back: re-read it later.
        for (const { photoId } of items) markDirty(photoId, true);
        if (!inTransaction) this.refreshDirty();
      },
      vectorDeleted: (t, photoId, inTransaction) => {
        if (t !== table || !this.loaded) return;
        if (inTransaction) markDirty(photoId, true);
        else this.index!.remove(photoId);
      },
      photoChanged: (id) => {
        if (this.loaded && (this.index!.has(id) || this.dirty.has(id))) markDirty(id, false);
      },
      folderRemoved: (folderId) => {
        if (!this.loaded) return;
        for (const id of this.index!.idsInFolder(folderId)) markDirty(id, false);
      },
      tableDropped: (t) => {
        if (t === table) this.unload();
      },
    };
    vectors.subscribe(this.listener);
  }

  get dim(): number {
    return this.vectors.dim;
  }

  search(query: Float32Array, k: number, filter: VectorFilter = {}): VectorHit[] {
    const limit = Math.floor(k);
    if (!(limit > 0)) return [];
    if (filter.photoIds && filter.photoIds.length === 0) return [];
    // Inside a transaction the index would have to read uncommitted rows that may be rolled back.
    if (this.mode !== 'sqlite' && limit <= INDEX_MAX_K && !this.vectors.inTransaction) {
      const hits = this.searchIndex(query, limit, filter);
      if (hits) {
        this.lastSearchPath = 'index';
        return hits;
      }
    }
    this.lastSearchPath = 'sqlite';
    return this.vectors.knn(query, limit, filter);
  }

  /**
   * Loads the index now (it otherwise loads on the first search) and brings it up to date.
   * Returns false when search is set to the SQL path.
   */
  warmIndex(): boolean {
    if (this.mode === 'sqlite') return false;
    this.ensureIndex();
    return true;
  }

  /** Rows and bytes held by the index (0 before it is loaded). */
  indexStats(): { loaded: boolean; rows: number; bytes: number; kernel: IndexKernel | undefined } {
    return { loaded: this.loaded, rows: this.index?.size ?? 0, bytes: this.loaded ? this.index!.memoryBytes : 0, kernel: this.index?.kernel };
  }

  /** Drops the in-memory index; the next search reloads it. */
  unload(): void {
    this.index = undefined;
    this.loaded = false;
    this.dirty.clear();
  }

  /** undefined: the index is out of step with the table (it will reload); use the SQL path. */
  private searchIndex(query: Float32Array, limit: number, filter: VectorFilter): VectorHit[] | undefined {
    if (query.length !== this.dim) throw new Error(`vector has ${query.length} dimensions; model ${this.vectors.model.modelKey} uses ${this.dim}`);
    const index = this.ensureIndex();
    const c = index.candidates(query, rerankLimit(limit), this.vectors.selection(filter));
    // Exact re-rank, best upper bound first, until no remaining candidate can reach the top k.
    const hits: { id: number; dist: number }[] = [];
    let worst = Infinity; // largest distance among the kept hits, once there are `limit`
    for (let j = 0; j < c.ids.length; j++) {
      if (hits.length === limit && 1 - c.upper[j]! > worst) break;
      const id = c.ids[j]!;
      const vec = this.vectors.get(id);
      if (!vec) {
        this.unload(); // a stale entry: never answer from it
        return undefined;
      }
      const dist = cosineDistance(query, vec);
      if (hits.length < limit) {
        hits.push({ id, dist });
        if (hits.length === limit) worst = Math.max(...hits.map((h) => h.dist));
      } else if (dist < worst) {
        let w = 0;
        for (let i = 1; i < hits.length; i++) if (hits[i]!.dist > hits[w]!.dist) w = i;
        hits[w] = { id, dist };
        worst = Math.max(...hits.map((h) => h.dist));
      }
    }
    hits.sort((a, b) => a.dist - b.dist || a.id - b.id);
    return hits.map((h) => ({ photoId: h.id, score: 1 - h.dist }));
  }

  private ensureIndex(): VectorIndex {
    // Commits by another connection are invisible to the change feed: start over.
    const version = this.vectors.dataVersion();
    if (version !== this.dataVersion) {
      if (this.loaded) this.unload();
      this.dataVersion = version;
    }
    if (!this.loaded) this.load();
    else if (this.dirty.size > 0) this.refreshDirty();
    return this.index!;
  }

  private load(): void {
    const dim = this.dim;
    const index = new VectorIndex(dim, this.mode === 'index-js' ? 'js' : 'wasm');
    this.dirty.clear();
    index.reserve(this.vectors.count());
    for (const { ids, vectors } of this.vectors.iterate(4096)) {
      for (let i = 0; i < ids.length; i++) index.set(ids[i]!, vectors.subarray(i * dim, (i + 1) * dim), 0, 0);
    }
    for (const [id, takenAt, folderId] of this.vectors.allMeta()) index.setMeta(id, takenAt, folderId);
    this.index = index;
    this.loaded = true;
  }

  /** Re-reads the ids that changed since the last search from SQLite, the source of truth. */
  private refreshDirty(): void {
    const index = this.index!;
    const ids = [...this.dirty.keys()];
    for (let from = 0; from < ids.length; from += 2000) {
      const chunk = ids.slice(from, from + 2000);
      const found = new Map<number, [number, number]>();
      for (const [id, takenAt, folderId] of this.vectors.metaOf(chunk)) found.set(id, [takenAt, folderId]);
      for (const id of chunk) {
        const meta = found.get(id);
        if (!meta) index.remove(id);
        else if (this.dirty.get(id) || !index.has(id)) {
          const vec = this.vectors.get(id);
          if (vec) index.set(id, vec, meta[0], meta[1]);
          else index.remove(id);
        } else index.setMeta(id, meta[0], meta[1]);
      }
    }
    this.dirty.clear();
  }
}
