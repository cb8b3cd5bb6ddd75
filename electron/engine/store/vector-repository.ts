/**
 * One model's image vectors, in its vec0 table: writes, reads, sqlite-vec's exact (brute-force) KNN
 * with every filter applied inside the query, and the filter translations the search component's
 * in-memory index needs. SQL only: faster search paths live in electron/engine/search/, fed by the
 * change feed (change-feed.ts) that every write here reports to.
 */
import type { Database, Statement } from './database.ts';
import { changeFeed, type ChangeFeed, type VectorChangeListener } from './change-feed.ts';
import { fromBlob, toBlob } from './codec.ts';
import { PhotoFilterSql, type FilterSelection, type PhotoQuery } from './photo-filter.ts';
import type { ModelRow } from './rows.ts';
import { UNKNOWN_TAKEN_AT, checkTableName } from './vec-table.ts';
import { VecShadowReader, type VectorBatch, type VectorMetaRow } from './vec-shadow.ts';

export type { VectorBatch, VectorMetaRow } from './vec-shadow.ts';

export type { FilterSelection, PhotoQuery } from './photo-filter.ts';

export interface VectorHit {
  photoId: number;
  /** Cosine similarity, 1 - cosine distance. */
  score: number;
}

/** sqlite-vec refuses larger k. */
export const MAX_K = 4096;

/** vec0 metadata and primary keys must be bound as SQLite INTEGERs; better-sqlite3 binds numbers as REAL. */
const int = (n: number): bigint => BigInt(Math.ceil(n));

type Statements = Record<'delete' | 'insert' | 'log' | 'get', Statement>;

export class VectorRepository {
  readonly dim: number;
  readonly table: string;
  private readonly s: Statements;
  private readonly searchStmts = new Map<string, Statement>();
  private readonly feed: ChangeFeed;
  private readonly shadow: VecShadowReader;

  constructor(
    private readonly db: Database,
    readonly model: ModelRow,
    private readonly filters: PhotoFilterSql,
  ) {
    if (model.state === 'retired') throw new Error(`model ${model.modelKey} is retired; its vectors are gone`);
    this.dim = model.dim;
    const t = (this.table = checkTableName(model.vecTable));
    this.feed = changeFeed(db);
    this.shadow = new VecShadowReader(db, t, model.dim);
    const sql = db.sql;
    this.s = {
      delete: sql.prepare(`DELETE FROM ${t} WHERE photo_id = ?`),
      // Metadata is copied from the photo row, the single source of truth; triggers keep it in step.
      insert: sql.prepare(
        `INSERT INTO ${t} (photo_id, embedding, taken_at, folder_id)
         SELECT id, ?, COALESCE(taken_at, ${UNKNOWN_TAKEN_AT}), folder_id FROM photos WHERE id = ?`,
      ),
      // The change log (migration 4) follows every vector write in the same transaction.
      log: sql.prepare('INSERT INTO vector_log (model_id, photo_id) VALUES (?, ?)'),
      get: sql.prepare(`SELECT embedding FROM ${t} WHERE photo_id = ?`).pluck(),
    };
  }

  get modelRowId(): number {
    return this.model.id;
  }

  /** Stores (or replaces) the vector of an existing photo; call it after markIndexed (taken_at is copied then). */
  upsert(photoId: number, vec: Float32Array): void {
    this.upsertMany([{ photoId, vector: vec }]);
  }

  /** All or nothing, in one transaction. */
  upsertMany(items: Iterable<{ photoId: number; vector: Float32Array }>): void {
    const nested = this.db.sql.inTransaction;
    const done: { photoId: number; vector: Float32Array }[] = [];
    this.db.transaction(() => {
      for (const item of items) {
        this.checkDim(item.vector);
        this.s.delete.run(int(item.photoId)); // vec0 has no upsert
        if (this.s.insert.run(toBlob(item.vector), item.photoId).changes === 0) throw new Error(`no photo with id ${item.photoId}`);
        this.s.log.run(this.model.id, item.photoId);
        done.push(item);
      }
    });
    this.feed.vectorsWritten(this.table, done, nested);
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
    this.feed.vectorDeleted(this.table, photoId, nested);
    return deleted;
  }

  count(): number {
    return this.shadow.count();
  }

  /**
   * Streams every stored vector in photo-id order, batchSize at a time. Pages are keyset queries,
   * not one open cursor, so the consumer may write to the database between batches.
   */
  iterate(batchSize = 1024): Generator<VectorBatch> {
    return this.shadow.iterate(batchSize);
  }

  /**
   * Up to n stored vectors spread over the whole library, the same ones each time (a fixed
   * pseudo-random order of photo ids): the background a query's scores are compared with
   * (search/background-sample.ts).
   */
  sample(n: number): VectorBatch {
    return this.shadow.sample(n);
  }

  /** sqlite-vec's exact KNN with every filter inside the query: k results whenever k photos match. */
  knn(query: Float32Array, k: number, filter: PhotoQuery = {}): VectorHit[] {
    this.checkDim(query);
    const limit = Math.min(Math.floor(k), MAX_K);
    if (!(limit > 0) || PhotoFilterSql.matchesNothing(filter)) return [];
    const f = this.filters.compile(filter);
    // vec0 applies its metadata columns itself; photo-row conditions become one id set that it
    // checks before computing any distance.
    const where = ['embedding MATCH @query', 'k = @k'];
    const params: Record<string, unknown> = { query: toBlob(query), k: limit, ...f.rows?.params };
    if (f.after !== undefined) {
      where.push('taken_at >= @after');
      params.after = int(f.after);
    }
    if (f.before !== undefined) {
      where.push('taken_at < @before');
      params.before = int(f.before);
    }
    if (f.folderIds) {
      where.push('folder_id IN (SELECT value FROM json_each(@folders))');
      params.folders = JSON.stringify(f.folderIds);
    }
    if (f.rows) where.push(`photo_id IN (SELECT p.id FROM photos p WHERE ${f.rows.sql})`);
    const text = `SELECT photo_id, distance FROM ${this.table} WHERE ${where.join(' AND ')} ORDER BY distance`;
    let stmt = this.searchStmts.get(text);
    if (!stmt) this.searchStmts.set(text, (stmt = this.db.sql.prepare(text)));
    return (stmt.all(params) as { photo_id: number; distance: number }[]).map((r) => ({
      photoId: r.photo_id,
      score: 1 - r.distance,
    }));
  }

  /** The same filter as knn() applies, for an in-memory index: integer bounds and id lists. */
  selection(filter: PhotoQuery): FilterSelection {
    return this.filters.selection(filter);
  }

  /** [photoId, takenAt, folderId] of every photo with a vector in this table. */
  allMeta(): IterableIterator<VectorMetaRow> {
    return this.shadow.allMeta();
  }

  /** The same for these photos; ids without a vector (or without a row) are left out. */
  metaOf(photoIds: readonly number[]): VectorMetaRow[] {
    return this.shadow.metaOf(photoIds);
  }

  /** True while a transaction is open on this connection (its writes may still be rolled back). */
  get inTransaction(): boolean {
    return this.db.sql.inTransaction;
  }

  /** Changes whenever another connection commits (see Database.dataVersion). */
  dataVersion(): number {
    return this.db.dataVersion();
  }

  /** Hear about every write to this database's vectors (the listener filters by table). */
  subscribe(listener: VectorChangeListener): void {
    this.feed.subscribe(listener);
  }

  private checkDim(vec: Float32Array): void {
    if (vec.length !== this.dim) {
      throw new Error(`vector has ${vec.length} dimensions; model ${this.model.modelKey} uses ${this.dim}`);
    }
  }
}
