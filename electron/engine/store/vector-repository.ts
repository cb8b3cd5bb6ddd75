/**
 * One model's image vectors, in its vec0 table. Search is sqlite-vec's exact (brute-force) KNN
 * with every filter applied inside the query, so k results come back whenever k photos match.
 */
import type { Database, Statement } from './database.ts';
import { fromBlob, toBlob } from './codec.ts';
import { subtreeRange } from './paths.ts';
import type { ModelRow } from './rows.ts';
import { UNKNOWN_TAKEN_AT, checkTableName, rowidsTable, vectorChunksTable } from './vec-table.ts';

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

/** vec0 metadata and primary keys must be bound as SQLite INTEGERs; better-sqlite3 binds numbers as REAL. */
const int = (n: number): bigint => BigInt(Math.ceil(n));

/** memcmp order, as SQLite's BINARY collation compares TEXT. */
const byteCmp = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));
const within = (key: string, r: { lo: string; hi: string }): boolean => byteCmp(key, r.lo) >= 0 && byteCmp(key, r.hi) < 0;

type Statements = Record<'delete' | 'insert' | 'get' | 'count' | 'page' | 'chunk' | 'coversAll' | 'roots', Statement>;

export class VectorRepository {
  readonly dim: number;
  private readonly table: string;
  private readonly s: Statements;
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
      // Metadata is copied from the photo row, the single source of truth; triggers keep it in step.
      insert: sql.prepare(
        `INSERT INTO ${t} (photo_id, embedding, taken_at, folder_id)
         SELECT id, ?, COALESCE(taken_at, ${UNKNOWN_TAKEN_AT}), folder_id FROM photos WHERE id = ?`,
      ),
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
    };
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
    this.db.transaction(() => this.replace(photoId, vec));
  }

  /** All or nothing, in one transaction. */
  upsertMany(items: Iterable<{ photoId: number; vector: Float32Array }>): void {
    this.db.transaction(() => {
      for (const { photoId, vector } of items) {
        this.checkDim(vector);
        this.replace(photoId, vector);
      }
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

  /**
   * How to restrict to a folder subtree, cheapest first:
   * - nothing, when every photo is inside it;
   * - `folder_id IN roots` (integer metadata, as cheap as the date filter), when no watched root
   *   strictly contains the folder: then each photo under it belongs to a root inside it, given
   *   the invariant that a photo's path lies under its root's path;
   * - else an id set from the photos.dir index range.
   */
  private folderCondition(
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
  }

  private checkDim(vec: Float32Array): void {
    if (vec.length !== this.dim) {
      throw new Error(`vector has ${vec.length} dimensions; model ${this.model.modelKey} uses ${this.dim}`);
    }
  }
}
