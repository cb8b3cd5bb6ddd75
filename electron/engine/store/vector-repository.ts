/**
 * One model's image vectors, in its vec0 table. Search is sqlite-vec's exact (brute-force) KNN
 * with every filter applied inside the query, so k results come back whenever k photos match.
 */
import type { Database, Statement } from './database.ts';
import { fromBlob, toBlob } from './codec.ts';
import { subtreeRange } from './paths.ts';
import type { ModelRow } from './rows.ts';
import { UNKNOWN_TAKEN_AT, checkTableName, rowidsTable } from './vec-table.ts';

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
 * @deprecated Accepted for source compatibility only and ignored: the vector table copies
 * taken_at from the photo row (and triggers keep it in step), and folder filters read photos.dir.
 */
export interface VectorMeta {
  dir?: string;
  takenAt?: number | null;
}

/** sqlite-vec refuses larger k. */
export const MAX_K = 4096;

/** vec0 metadata and primary keys must be bound as SQLite INTEGERs; better-sqlite3 binds numbers as REAL. */
const int = (n: number): bigint => BigInt(Math.ceil(n));

export class VectorRepository {
  readonly dim: number;
  private readonly table: string;
  private readonly s: Record<'delete' | 'insert' | 'get' | 'count' | 'batch' | 'coversAll', Statement>;
  private readonly searchStmts = new Map<string, Statement>();

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
      // The date metadata is copied from the photo row, the single source of truth; triggers keep it in step.
      insert: sql.prepare(
        `INSERT INTO ${t} (photo_id, embedding, taken_at)
         SELECT id, ?, COALESCE(taken_at, ${UNKNOWN_TAKEN_AT}) FROM photos WHERE id = ?`,
      ),
      get: sql.prepare(`SELECT embedding FROM ${t} WHERE photo_id = ?`),
      count: sql.prepare(`SELECT count(*) FROM ${rowidsTable(t)}`),
      // Keyset pages over the rowids shadow table, then point lookups: vec0 cannot range-scan by id,
      // and an open cursor across yields would lock the connection for the consumer's writes.
      batch: sql.prepare(
        `SELECT r.rowid AS photo_id, v.embedding FROM
           (SELECT rowid FROM ${rowidsTable(t)} WHERE rowid > ? ORDER BY rowid LIMIT ?) r
         JOIN ${t} v ON v.photo_id = r.rowid ORDER BY r.rowid`,
      ),
      coversAll: sql.prepare(
        'SELECT NOT EXISTS (SELECT 1 FROM photos WHERE dir < ?) AND NOT EXISTS (SELECT 1 FROM photos WHERE dir >= ?)',
      ),
    };
    for (const st of [this.s.get, this.s.count, this.s.coversAll]) st.pluck();
  }

  get modelRowId(): number {
    return this.model.id;
  }

  /**
   * Stores (or replaces: vec0 has no upsert) the vector of an existing photo. Call it after
   * markIndexed so the date filter sees the photo's final taken_at (later changes follow by trigger).
   */
  upsert(photoId: number, vec: Float32Array, _meta?: VectorMeta): void {
    this.checkDim(vec);
    this.db.transaction(() => {
      this.s.delete.run(int(photoId));
      if (this.s.insert.run(toBlob(vec), photoId).changes === 0) throw new Error(`no photo with id ${photoId}`);
    });
  }

  upsertMany(items: Iterable<{ photoId: number; vector: Float32Array }>): void {
    this.db.transaction(() => {
      for (const { photoId, vector } of items) this.upsert(photoId, vector);
    });
  }

  get(photoId: number): Float32Array | undefined {
    const blob = this.s.get.get(int(photoId)) as Buffer | undefined;
    return blob && fromBlob(blob);
  }

  delete(photoId: number): boolean {
    return this.s.delete.run(int(photoId)).changes > 0;
  }

  count(): number {
    return this.s.count.get() as number;
  }

  search(query: Float32Array, k: number, filter: VectorFilter = {}): VectorHit[] {
    this.checkDim(query);
    const limit = Math.min(Math.floor(k), MAX_K);
    if (!(limit > 0)) return [];
    if (filter.photoIds && filter.photoIds.length === 0) return [];

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
    if (filter.dirPrefix !== undefined) {
      const { lo, hi } = subtreeRange(filter.dirPrefix);
      // The id set for a folder holding everything would only slow the scan down.
      if (!this.s.coversAll.get(lo, hi)) {
        allow.push('dir >= ? AND dir < ?');
        params.push(lo, hi);
      }
    }
    if (filter.photoIds) {
      allow.push('id IN (SELECT value FROM json_each(?))');
      params.push(JSON.stringify(filter.photoIds));
    }
    if (filter.tag !== undefined) {
      allow.push('id IN (SELECT pt.photo_id FROM photo_tags pt JOIN tags t ON t.id = pt.tag_id WHERE t.name = ?)');
      params.push(filter.tag);
    }
    if (allow.length > 0) where.push(`photo_id IN (SELECT id FROM photos WHERE ${allow.join(' AND ')})`);

    const text = `SELECT photo_id, distance FROM ${this.table} WHERE ${where.join(' AND ')} ORDER BY distance`;
    let stmt = this.searchStmts.get(text);
    if (!stmt) this.searchStmts.set(text, (stmt = this.db.sql.prepare(text)));
    return (stmt.all(...params) as { photo_id: number; distance: number }[]).map((r) => ({
      photoId: r.photo_id,
      score: 1 - r.distance,
    }));
  }

  /** Streams every stored vector in photo-id order, batchSize at a time. */
  *iterate(batchSize = 1024): Generator<VectorBatch> {
    const size = Math.max(1, Math.floor(batchSize));
    let afterId = 0;
    for (;;) {
      const rows = this.s.batch.all(afterId, size) as { photo_id: number; embedding: Buffer }[];
      if (rows.length === 0) return;
      const ids = new Int32Array(rows.length);
      const vectors = new Float32Array(rows.length * this.dim);
      const bytes = new Uint8Array(vectors.buffer);
      rows.forEach((r, i) => {
        ids[i] = r.photo_id;
        bytes.set(r.embedding, i * this.dim * 4);
      });
      afterId = ids[ids.length - 1];
      yield { ids, vectors };
      if (rows.length < size) return;
    }
  }

  private checkDim(vec: Float32Array): void {
    if (vec.length !== this.dim) {
      throw new Error(`vector has ${vec.length} dimensions; model ${this.model.modelKey} uses ${this.dim}`);
    }
  }
}
