/**
 * One model's image vectors, in its vec0 table. Search has two paths with the same results:
 * - 'index' (default): an in-memory int8 index (vector-index.ts), loaded on the first search and
 *   kept in step with every write, picks candidates among the photos passing the filters; they
 *   are re-ranked exactly with their float32 vectors from the vec0 table, computed the way
 *   sqlite-vec computes cosine distance, so ids, order and scores match the SQL path.
 * - 'sqlite': sqlite-vec's exact (brute-force) KNN with every filter applied inside the query.
 *   Used when forced (env SHIGUANG_VECTOR_INDEX=sqlite), for large k, inside a transaction, and
 *   whenever the index finds itself out of step (it then reloads).
 * Either way every filter is applied before ranking, so k results come back whenever k photos match.
 */
import type { Database, Statement } from './database.ts';
import { fromBlob, toBlob } from './codec.ts';
import { subtreeRange } from './paths.ts';
import type { ModelRow } from './rows.ts';
import { UNKNOWN_TAKEN_AT, checkTableName, rowidsTable, vectorChunksTable } from './vec-table.ts';
import { VectorIndex, vectorIndexEvents, type IndexKernel, type IndexSelection, type VectorIndexListener } from './vector-index.ts';

export interface VectorFilter {
  /** Only photos whose directory is this folder or below it. */
  dirPrefix?: string;
  /** Unix ms, inclusive. */
  after?: number;
  /** Unix ms, exclusive. */
  before?: number;
  /** Only these photos (an empty list matches nothing). */
  photoIds?: readonly number[];
  /** Only photos carrying this tag. */
  tag?: string;
}

export interface VectorHit {
  photoId: number;
  /** Cosine similarity, 1 - cosine distance. */
  score: number;
}

export interface VectorBatch {
  ids: Int32Array;
  /** Row-major ids.length x dim. */
  vectors: Float32Array;
}

/**
 * @deprecated Accepted for source compatibility only and ignored: the vector table copies its
 * metadata from the photo row (and triggers keep it in step), and folder filters read photos.dir.
 */
export interface VectorMeta {
  dir?: string;
  takenAt?: number | null;
}

/** sqlite-vec refuses larger k. */
export const MAX_K = 4096;

/** Larger k goes to sqlite-vec: re-ranking max(4k, 200) candidates exactly would cost more than its scan. */
export const INDEX_MAX_K = 256;

/**
 * 'index': in-memory index with exact re-rank (WebAssembly SIMD kernel, JS where unavailable);
 * 'index-js': the same with the plain-JS kernel; 'sqlite': sqlite-vec's KNN only.
 */
export type VectorSearchMode = 'index' | 'index-js' | 'sqlite';

function modeFromEnv(): VectorSearchMode {
  const v = process.env.SHIGUANG_VECTOR_INDEX?.trim().toLowerCase();
  return v === 'sqlite' || v === 'off' || v === '0' ? 'sqlite' : v === 'js' || v === 'index-js' ? 'index-js' : 'index';
}

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

/** vec0 metadata and primary keys must be bound as SQLite INTEGERs; better-sqlite3 binds numbers as REAL. */
const int = (n: number): bigint => BigInt(Math.ceil(n));

/** memcmp order, as SQLite's BINARY collation compares TEXT. */
const byteCmp = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));
const within = (key: string, r: { lo: string; hi: string }): boolean => byteCmp(key, r.lo) >= 0 && byteCmp(key, r.hi) < 0;

type Statements = Record<
  'delete' | 'insert' | 'log' | 'get' | 'count' | 'page' | 'chunk' | 'coversAll' | 'roots' | 'dirIds' | 'tagIds' | 'allMeta' | 'metaIn' | 'photoMeta',
  Statement
>;

export class VectorRepository {
  readonly dim: number;
  private readonly table: string;
  private readonly s: Statements;
  private readonly searchStmts = new Map<string, Statement>();
  /** Which path search() takes; from SHIGUANG_VECTOR_INDEX unless set. */
  searchMode: VectorSearchMode = modeFromEnv();
  /** The path the last search() took (for tests and benchmarks). */
  lastSearchPath: 'index' | 'sqlite' | undefined;
  private index: VectorIndex | undefined;
  private loaded = false;
  private dataVersion = -1;
  /** Ids to re-read from SQLite before the next index search; true = the vector too. */
  private readonly dirty = new Map<number, boolean>();
  /** Held here: the change feed keeps only a weak reference. */
  private readonly listener: VectorIndexListener;

  constructor(
    private readonly db: Database,
    readonly model: ModelRow,
  ) {
    if (model.state === 'retired') throw new Error(`model ${model.modelKey} is retired; its vectors are gone`);
    this.dim = model.dim;
    const t = (this.table = checkTableName(model.vecTable));
    const sql = db.sql;
    this.s = {
      delete: sql.prepare(`DELETE FROM ${t} WHERE photo_id = ?`),
      // Metadata is copied from the photo row, the single source of truth; triggers keep it in step.
      insert: sql.prepare(
        `INSERT INTO ${t} (photo_id, embedding, taken_at, folder_id)
         SELECT id, ?, COALESCE(taken_at, ${UNKNOWN_TAKEN_AT}), folder_id FROM photos WHERE id = ?`,
      ),
      // The change log (migration 2) follows every vector write in the same transaction.
      log: sql.prepare('INSERT INTO vector_log (model_id, photo_id) VALUES (?, ?)'),
      get: sql.prepare(`SELECT embedding FROM ${t} WHERE photo_id = ?`).pluck(),
      count: sql.prepare(`SELECT count(*) FROM ${rowidsTable(t)}`).pluck(),
      page: sql.prepare(
        `SELECT rowid AS id, chunk_id, chunk_offset FROM ${rowidsTable(t)} WHERE rowid > ? ORDER BY rowid LIMIT ?`,
      ),
      chunk: sql.prepare(`SELECT vectors FROM ${vectorChunksTable(t)} WHERE rowid = ?`).pluck(),
      coversAll: sql
        .prepare('SELECT NOT EXISTS (SELECT 1 FROM photos WHERE dir < ?) AND NOT EXISTS (SELECT 1 FROM photos WHERE dir >= ?)')
        .pluck(),
      roots: sql.prepare('SELECT id, path FROM folders'),
      dirIds: sql.prepare('SELECT id FROM photos WHERE dir >= ? AND dir < ?').pluck(),
      tagIds: sql
        .prepare('SELECT pt.photo_id FROM photo_tags pt JOIN tags t ON t.id = pt.tag_id WHERE t.name = ?')
        .pluck(),
      allMeta: sql
        .prepare(
          `SELECT r.rowid, COALESCE(p.taken_at, ${UNKNOWN_TAKEN_AT}), p.folder_id FROM ${rowidsTable(t)} r JOIN photos p ON p.id = r.rowid`,
        )
        .raw(),
      metaIn: sql
        .prepare(
          `SELECT r.rowid, COALESCE(p.taken_at, ${UNKNOWN_TAKEN_AT}), p.folder_id FROM ${rowidsTable(t)} r JOIN photos p ON p.id = r.rowid
           WHERE r.rowid IN (SELECT value FROM json_each(?))`,
        )
        .raw(),
      photoMeta: sql.prepare(`SELECT COALESCE(taken_at, ${UNKNOWN_TAKEN_AT}), folder_id FROM photos WHERE id = ?`).raw(),
    };
    this.listener = {
      photoChanged: (id) => {
        if (this.loaded && (this.index!.has(id) || this.dirty.has(id))) this.dirty.set(id, this.dirty.get(id) ?? false);
      },
      folderRemoved: (folderId) => {
        if (!this.loaded) return;
        for (const id of this.index!.idsInFolder(folderId)) this.dirty.set(id, this.dirty.get(id) ?? false);
      },
      tableDropped: (table) => {
        if (table === this.table) this.unload();
      },
    };
    vectorIndexEvents(db).subscribe(this.listener);
  }

  get modelRowId(): number {
    return this.model.id;
  }

  /**
   * Stores (or replaces) the vector of an existing photo. Call it after
   * markIndexed so the date filter sees the photo's final taken_at (later changes follow by trigger).
   */
  upsert(photoId: number, vec: Float32Array, _meta?: VectorMeta): void {
    this.checkDim(vec);
    const nested = this.db.sql.inTransaction;
    this.db.transaction(() => this.replace(photoId, vec));
    this.indexWritten([{ photoId, vector: vec }], nested);
  }

  /** All or nothing, in one transaction. */
  upsertMany(items: Iterable<{ photoId: number; vector: Float32Array }>): void {
    const nested = this.db.sql.inTransaction;
    const done: { photoId: number; vector: Float32Array }[] = [];
    this.db.transaction(() => {
      for (const item of items) {
        this.checkDim(item.vector);
        this.replace(item.photoId, item.vector);
        done.push(item);
      }
    });
    this.indexWritten(done, nested);
  }

  get(photoId: number): Float32Array | undefined {
    const blob = this.s.get.get(int(photoId)) as Buffer | undefined;
    return blob && fromBlob(blob);
  }

  delete(photoId: number): boolean {
    const nested = this.db.sql.inTransaction;
    const deleted = this.db.transaction(() => {
      const gone = this.s.delete.run(int(photoId)).changes > 0;
      if (gone) this.s.log.run(this.model.id, photoId);
      return gone;
    });
    if (this.loaded) {
      // Inside a caller's transaction the delete may still be rolled back: re-read it later.
      if (nested) this.dirty.set(photoId, true);
      else this.index!.remove(photoId);
    }
    return deleted;
  }

  count(): number {
    return this.s.count.get() as number;
  }

  search(query: Float32Array, k: number, filter: VectorFilter = {}): VectorHit[] {
    this.checkDim(query);
    const limit = Math.min(Math.floor(k), MAX_K);
    if (!(limit > 0)) return [];
    if (filter.photoIds && filter.photoIds.length === 0) return [];
    // Inside a transaction the index would have to read uncommitted rows that may be rolled back.
    if (this.searchMode !== 'sqlite' && limit <= INDEX_MAX_K && !this.db.sql.inTransaction) {
      const hits = this.searchIndex(query, limit, filter);
      if (hits) {
        this.lastSearchPath = 'index';
        return hits;
      }
    }
    this.lastSearchPath = 'sqlite';
    return this.searchSql(query, limit, filter);
  }

  /**
   * Loads the index now (it otherwise loads on the first search) and brings it up to date.
   * Returns false when search is forced to the SQL path.
   */
  warmIndex(): boolean {
    if (this.searchMode === 'sqlite') return false;
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

  /** sqlite-vec's exact KNN (k <= MAX_K) with every filter inside the query, whatever searchMode says. */
  searchExact(query: Float32Array, k: number, filter: VectorFilter = {}): VectorHit[] {
    this.checkDim(query);
    const limit = Math.min(Math.floor(k), MAX_K);
    if (!(limit > 0) || (filter.photoIds && filter.photoIds.length === 0)) return [];
    return this.searchSql(query, limit, filter);
  }

  private searchSql(query: Float32Array, limit: number, filter: VectorFilter): VectorHit[] {
    const where = ['embedding MATCH ?', 'k = ?'];
    const params: unknown[] = [toBlob(query), limit];
    // A 'before' alone must still exclude photos with no date (stored as the smallest integer).
    const after = filter.after ?? (filter.before !== undefined ? UNKNOWN_TAKEN_AT + 1 : undefined);
    if (after !== undefined) {
      where.push('taken_at >= ?');
      params.push(int(after));
    }
    if (filter.before !== undefined) {
      where.push('taken_at < ?');
      params.push(int(filter.before));
    }

    // Photo-row conditions become one id set that vec0 checks before computing any distance.
    const allow: string[] = [];
    const allowParams: unknown[] = [];
    if (filter.dirPrefix !== undefined) {
      const folder = this.folderCondition(filter.dirPrefix);
      if (folder?.kind === 'roots') {
        where.push('folder_id IN (SELECT value FROM json_each(?))');
        params.push(JSON.stringify(folder.rootIds));
      } else if (folder?.kind === 'range') {
        allow.push('dir >= ? AND dir < ?');
        allowParams.push(folder.lo, folder.hi);
      }
    }
    if (filter.photoIds) {
      allow.push('id IN (SELECT value FROM json_each(?))');
      allowParams.push(JSON.stringify(filter.photoIds));
    }
    if (filter.tag !== undefined) {
      allow.push('id IN (SELECT pt.photo_id FROM photo_tags pt JOIN tags t ON t.id = pt.tag_id WHERE t.name = ?)');
      allowParams.push(filter.tag);
    }
    if (allow.length > 0) where.push(`photo_id IN (SELECT id FROM photos WHERE ${allow.join(' AND ')})`);

    const text = `SELECT photo_id, distance FROM ${this.table} WHERE ${where.join(' AND ')} ORDER BY distance`;
    let stmt = this.searchStmts.get(text);
    if (!stmt) this.searchStmts.set(text, (stmt = this.db.sql.prepare(text)));
    return (stmt.all(...params, ...allowParams) as { photo_id: number; distance: number }[]).map((r) => ({
      photoId: r.photo_id,
      score: 1 - r.distance,
    }));
  }

  /** undefined: the index is out of step with the table (it will reload); use the SQL path. */
  private searchIndex(query: Float32Array, limit: number, filter: VectorFilter): VectorHit[] | undefined {
    const index = this.ensureIndex();
    const sel: IndexSelection = {};
    // Same meaning as the SQL path: integer bounds, and any date bound excludes unknown dates.
    const after = filter.after ?? (filter.before !== undefined ? UNKNOWN_TAKEN_AT + 1 : undefined);
    if (after !== undefined) sel.after = Math.ceil(after);
    if (filter.before !== undefined) sel.before = Math.ceil(filter.before);
    const allow: (readonly number[])[] = [];
    if (filter.dirPrefix !== undefined) {
      const folder = this.folderCondition(filter.dirPrefix);
      if (folder?.kind === 'roots') sel.folderIds = folder.rootIds;
      else if (folder?.kind === 'range') allow.push(this.s.dirIds.all(folder.lo, folder.hi) as number[]);
    }
    if (filter.photoIds) allow.push(filter.photoIds);
    if (filter.tag !== undefined) allow.push(this.s.tagIds.all(filter.tag) as number[]);
    if (allow.length > 0) sel.allow = allow;

    const c = index.candidates(query, rerankLimit(limit), sel);
    // Exact re-rank, best upper bound first, until no remaining candidate can reach the top k.
    const hits: { id: number; dist: number }[] = [];
    let worst = Infinity; // largest distance among the kept hits, once there are `limit`
    for (let j = 0; j < c.ids.length; j++) {
      if (hits.length === limit && 1 - c.upper[j]! > worst) break;
      const id = c.ids[j]!;
      const blob = this.s.get.get(int(id)) as Buffer | undefined;
      if (!blob) {
        this.unload(); // a stale entry: never answer from it
        return undefined;
      }
      const dist = cosineDistance(query, fromBlob(blob));
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
    const version = this.db.sql.pragma('data_version', { simple: true }) as number;
    if (version !== this.dataVersion) {
      if (this.loaded) this.unload();
      this.dataVersion = version;
    }
    if (!this.loaded) this.load();
    else if (this.dirty.size > 0) this.refreshDirty();
    return this.index!;
  }

  private load(): void {
    const index = new VectorIndex(this.dim, this.searchMode === 'index-js' ? 'js' : 'wasm');
    this.dirty.clear();
    index.reserve(this.count());
    for (const { ids, vectors } of this.iterate(4096)) {
      for (let i = 0; i < ids.length; i++) index.set(ids[i]!, vectors.subarray(i * this.dim, (i + 1) * this.dim), UNKNOWN_TAKEN_AT, 0);
    }
    for (const [id, takenAt, folderId] of this.s.allMeta.iterate() as Iterable<[number, number, number]>) index.setMeta(id, takenAt, folderId);
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
      for (const [id, takenAt, folderId] of this.s.metaIn.all(JSON.stringify(chunk)) as [number, number, number][]) {
        found.set(id, [takenAt, folderId]);
      }
      for (const id of chunk) {
        const meta = found.get(id);
        if (!meta) index.remove(id);
        else if (this.dirty.get(id) || !index.has(id)) {
          const vec = this.get(id);
          if (vec) index.set(id, vec, meta[0], meta[1]);
          else index.remove(id);
        } else index.setMeta(id, meta[0], meta[1]);
      }
    }
    this.dirty.clear();
  }

  /** After vectors were written: patch the index, or (inside a caller's transaction) re-read them later. */
  private indexWritten(items: readonly { photoId: number; vector: Float32Array }[], nested: boolean): void {
    if (!this.loaded) return;
    for (const { photoId, vector } of items) {
      if (nested) {
        this.dirty.set(photoId, true);
        continue;
      }
      const meta = this.s.photoMeta.get(photoId) as [number, number] | undefined;
      if (meta) this.index!.set(photoId, vector, meta[0], meta[1]);
    }
  }

  /**
   * How to restrict to a folder subtree, cheapest first:
   * - nothing, when every photo is inside it;
   * - `folder_id IN roots` (integer metadata, as cheap as the date filter), when no watched root
   *   strictly contains the folder: then each photo under it belongs to a root inside it, given
   *   the invariant that a photo's path lies under its root's path;
   * - else an id set from the photos.dir index range.
   */
  folderCondition(
    dirPrefix: string,
  ): { kind: 'roots'; rootIds: number[] } | { kind: 'range'; lo: string; hi: string } | undefined {
    const range = subtreeRange(dirPrefix);
    if (this.s.coversAll.get(range.lo, range.hi)) return undefined;
    const roots = (this.s.roots.all() as { id: number; path: string }[]).map((r) => ({ id: r.id, ...subtreeRange(r.path) }));
    const enclosed = roots.some((r) => r.lo !== range.lo && within(range.lo, r));
    if (enclosed) return { kind: 'range', ...range };
    return { kind: 'roots', rootIds: roots.filter((r) => within(r.lo, range)).map((r) => r.id) };
  }

  /**
   * Streams every stored vector in photo-id order, batchSize at a time. Pages are keyset queries,
   * not one open cursor, so the consumer may write to the database between batches.
   */
  *iterate(batchSize = 1024): Generator<VectorBatch> {
    const size = Math.max(1, Math.floor(batchSize));
    const rowBytes = this.dim * 4;
    let afterId = 0;
    for (;;) {
      const rows = this.s.page.all(afterId, size) as { id: number; chunk_id: number; chunk_offset: number }[];
      if (rows.length === 0) return;
      const ids = new Int32Array(rows.length);
      const vectors = new Float32Array(rows.length * this.dim);
      const bytes = new Uint8Array(vectors.buffer);
      // Read each chunk blob once per page, holding one at a time.
      const order = rows.map((_, i) => i).sort((a, b) => rows[a].chunk_id - rows[b].chunk_id);
      let chunkId = -1;
      let blob: Buffer | undefined;
      for (const i of order) {
        const r = rows[i];
        if (r.chunk_id !== chunkId) {
          chunkId = r.chunk_id;
          blob = this.s.chunk.get(chunkId) as Buffer | undefined;
        }
        const start = r.chunk_offset * rowBytes;
        if (!blob || blob.byteLength < start + rowBytes) {
          throw new Error(`${this.table}: vector chunk ${chunkId} is not in the layout this build expects (sqlite-vec 0.1.x)`);
        }
        ids[i] = r.id;
        bytes.set(blob.subarray(start, start + rowBytes), i * rowBytes);
      }
      afterId = rows[rows.length - 1].id;
      yield { ids, vectors };
      if (rows.length < size) return;
    }
  }

  /** Delete + insert, since vec0 has no upsert; callers provide the transaction. */
  private replace(photoId: number, vec: Float32Array): void {
    this.s.delete.run(int(photoId));
    if (this.s.insert.run(toBlob(vec), photoId).changes === 0) throw new Error(`no photo with id ${photoId}`);
    this.s.log.run(this.model.id, photoId);
  }

  private checkDim(vec: Float32Array): void {
    if (vec.length !== this.dim) {
      throw new Error(`vector has ${vec.length} dimensions; model ${this.model.modelKey} uses ${this.dim}`);
    }
  }
}
