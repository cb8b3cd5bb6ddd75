/**
 * Reads through sqlite-vec's shadow tables, the one place that knows their layout (sqlite-vec
 * 0.1.x, pinned by package.json and exercised by the store tests):
 * - `<table>_rowids`: one row per stored vector, rowid = photo_id, plus the chunk and slot holding
 *   it. Counting or anti-joining against it is an index lookup, where the same against the vec0
 *   table itself scans every vector.
 * - `<table>_vector_chunks00`: each chunk's vectors as one blob of consecutive float32 slots, so a
 *   bulk read takes each chunk once instead of a row at a time.
 * Why not vec0's own SELECT: measured at 100k × 512, paging the virtual table by photo_id took
 * 6.5 s against ~0.6 s here, and one open cursor over it (1.8 s) would forbid writes meanwhile.
 */
import type { Database, Statement } from './database.ts';
import { checkTableName, UNKNOWN_TAKEN_AT } from './vec-table.ts';

/** One streamed page of stored vectors: ids[i] owns vectors[i*dim .. (i+1)*dim). */
export interface VectorBatch {
  ids: Int32Array;
  /** Row-major ids.length x dim. */
  vectors: Float32Array;
}

/** Photo metadata the vec0 table copies: [photoId, takenAt (UNKNOWN_TAKEN_AT when unknown), folderId]. */
export type VectorMetaRow = [number, number, number];

interface ShadowRow {
  id: number;
  chunk_id: number;
  chunk_offset: number;
}

/** A photo table (vec-table.ts) or a frame table (frame-table.ts): the same vec0 layout. */
const checkVec0Name = (table: string): string => (/^vframes_\d+$/.test(table) ? table : checkTableName(table));
export const rowidsTable = (table: string): string => `${checkVec0Name(table)}_rowids`;
export const vectorChunksTable = (table: string): string => `${checkVec0Name(table)}_vector_chunks00`;

export class VecShadowReader {
  private readonly s: Record<'count' | 'page' | 'sample' | 'chunk' | 'allMeta' | 'metaIn', Statement>;

  constructor(
    db: Database,
    private readonly table: string,
    private readonly dim: number,
  ) {
    const rowids = rowidsTable(table);
    const sql = db.sql;
    this.s = {
      count: sql.prepare(`SELECT count(*) FROM ${rowids}`).pluck(),
      page: sql.prepare(`SELECT rowid AS id, chunk_id, chunk_offset FROM ${rowids} WHERE rowid > ? ORDER BY rowid LIMIT ?`),
      // A fixed pseudo-random order (a multiplicative hash of the photo id): the same photos every
      // time, spread over the whole library rather than its first folders, and a photo keeps its
      // place as the library grows.
      sample: sql.prepare(`SELECT rowid AS id, chunk_id, chunk_offset FROM ${rowids} ORDER BY (rowid * 2654435761) % 4294967296 LIMIT ?`),
      chunk: sql.prepare(`SELECT vectors FROM ${vectorChunksTable(table)} WHERE rowid = ?`).pluck(),
      allMeta: sql
        .prepare(`SELECT r.rowid, COALESCE(p.taken_at, ${UNKNOWN_TAKEN_AT}), p.folder_id FROM ${rowids} r JOIN photos p ON p.id = r.rowid`)
        .raw(),
      metaIn: sql
        .prepare(
          `SELECT r.rowid, COALESCE(p.taken_at, ${UNKNOWN_TAKEN_AT}), p.folder_id FROM ${rowids} r JOIN photos p ON p.id = r.rowid
           WHERE r.rowid IN (SELECT value FROM json_each(?))`,
        )
        .raw(),
    };
  }

  count(): number {
    return this.s.count.get() as number;
  }

  allMeta(): IterableIterator<VectorMetaRow> {
    return this.s.allMeta.iterate() as IterableIterator<VectorMetaRow>;
  }

  metaOf(photoIds: readonly number[]): VectorMetaRow[] {
    return this.s.metaIn.all(JSON.stringify(photoIds)) as VectorMetaRow[];
  }

  *iterate(batchSize = 1024): Generator<VectorBatch> {
    const size = Math.max(1, Math.floor(batchSize));
    let afterId = 0;
    for (;;) {
      const rows = this.s.page.all(afterId, size) as ShadowRow[];
      if (rows.length === 0) return;
      yield this.read(rows);
      afterId = rows[rows.length - 1].id;
      if (rows.length < size) return;
    }
  }

  /** Up to n stored vectors spread over the library (always the same ones for the same rows). */
  sample(n: number): VectorBatch {
    return this.read(this.s.sample.all(Math.max(0, Math.floor(n))) as ShadowRow[]);
  }

  private read(rows: readonly ShadowRow[]): VectorBatch {
    const rowBytes = this.dim * 4;
    const ids = new Int32Array(rows.length);
    const vectors = new Float32Array(rows.length * this.dim);
    const bytes = new Uint8Array(vectors.buffer);
    // Read each chunk blob once, holding one at a time.
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
    return { ids, vectors };
  }
}
