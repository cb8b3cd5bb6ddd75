/**
 * What the vector index reads from the store, in its own terms: one model's vectors in batches
 * for a rebuild, single rows after a change, the change log, filters as id lists and bounds,
 * and sqlite-vec's exact KNN for the moments the index cannot answer. A thin adapter over
 * VectorRepository and VectorLog (both SQL, in store/).
 */
import type { FilterSelection, PhotoQuery, VectorHit, VectorRepository } from '../../store/vector-repository.ts';
import type { VectorLog, VectorLogState } from '../../store/vector-log.ts';

export interface SourceRow {
  id: number;
  /** undefined: the photo has no vector in this model any more. */
  vector: Float32Array | undefined;
  takenAt: number;
  folderId: number;
}

export interface SourceBatch {
  ids: Int32Array;
  /** Row-major ids.length × dim. */
  vectors: Float32Array;
  takenAt: Float64Array;
  folderIds: Int32Array;
}

export class VectorSource {
  constructor(
    readonly repo: VectorRepository,
    readonly log: VectorLog,
  ) {}

  get dim(): number {
    return this.repo.dim;
  }
  get table(): string {
    return this.repo.table;
  }
  get modelKey(): string {
    return this.repo.model.modelKey;
  }
  get dbFile(): string {
    return this.log.dbFile;
  }
  get inTransaction(): boolean {
    return this.repo.inTransaction;
  }
  count(): number {
    return this.repo.count();
  }
  logState(): VectorLogState {
    return this.log.state();
  }
  changesSince(seq: number, max: number): { state: VectorLogState; ids: number[]; complete: boolean } {
    return this.log.changesSince(this.repo.modelRowId, seq, max);
  }
  prune(seq: number): void {
    this.log.prune(seq);
  }

  /** Current vector and metadata of each photo, read in one transaction. */
  rows(ids: readonly number[]): SourceRow[] {
    return this.log.read(() => {
      const meta = new Map<number, [number, number]>();
      for (let from = 0; from < ids.length; from += 5000) {
        for (const [id, takenAt, folderId] of this.repo.metaOf(ids.slice(from, from + 5000))) meta.set(id, [takenAt, folderId]);
      }
      return ids.map((id) => {
        const m = meta.get(id);
        return { id, vector: m ? this.repo.get(id) : undefined, takenAt: m?.[0] ?? 0, folderId: m?.[1] ?? 0 };
      });
    });
  }

  /** Every stored vector with its metadata, in photo-id order (keyset pages: writes may come in between). */
  *batches(size = 4096): Generator<SourceBatch> {
    for (const { ids, vectors } of this.repo.iterate(size)) {
      const meta = new Map<number, [number, number]>();
      for (const [id, t, f] of this.repo.metaOf(Array.from(ids))) meta.set(id, [t, f]);
      const takenAt = new Float64Array(ids.length);
      const folderIds = new Int32Array(ids.length);
      ids.forEach((id, i) => {
        const m = meta.get(id);
        takenAt[i] = m?.[0] ?? 0;
        folderIds[i] = m?.[1] ?? 0;
      });
      yield { ids, vectors, takenAt, folderIds };
    }
  }

  /** The filter in the index's terms (SQL for tags and subfolders); null when nothing can match. */
  resolveFilter(filter: PhotoQuery): FilterSelection | null {
    if (filter.photoIds && filter.photoIds.length === 0) return null;
    return this.repo.selection(filter);
  }

  /** sqlite-vec's exact KNN with the filters inside the query; k is capped at MAX_K. */
  exactSearch(query: Float32Array, k: number, filter: PhotoQuery): VectorHit[] {
    return this.repo.knn(query, k, filter);
  }
}
