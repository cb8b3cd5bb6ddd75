/**
 * What the store tells in-process listeners (the search component's in-memory vector index) about
 * writes that change what a vector search may return. Every store code path that writes vectors,
 * or changes a photo row in a way the vec0 triggers copy (delete, skip, taken_at, folder_id, a
 * folder cascade, a dropped table), reports it here.
 *
 * `inTransaction` says the write happened inside a caller's transaction that may still be rolled
 * back: a listener must then re-read the row from SQLite later rather than trust the payload.
 * Commits made by another connection (another process) never pass through here; listeners detect
 * them with Database.dataVersion().
 */
import type { Database } from './database.ts';

export interface VectorChangeListener {
  /** These photos' vectors in `table` were written (inserted or replaced). */
  vectorsWritten(table: string, items: readonly { photoId: number; vector: Float32Array }[], inTransaction: boolean): void;
  /** This photo's vector in `table` was deleted. */
  vectorDeleted(table: string, photoId: number, inTransaction: boolean): void;
  /** The photo row changed in a way the vec0 triggers copy (deleted, skipped, taken_at, folder_id). */
  photoChanged(photoId: number): void;
  /** A watched root was removed: its photos are gone (cascade). */
  folderRemoved(folderId: number): void;
  /** A vector table was dropped (model retired). */
  tableDropped(table: string): void;
}

export class ChangeFeed {
  /** Weak: a listener that is no longer referenced elsewhere stops listening by itself. */
  private readonly listeners = new Set<WeakRef<VectorChangeListener>>();

  subscribe(l: VectorChangeListener): void {
    this.listeners.add(new WeakRef(l));
  }

  unsubscribe(l: VectorChangeListener): void {
    for (const ref of this.listeners) if (ref.deref() === l) this.listeners.delete(ref);
  }

  vectorsWritten(table: string, items: readonly { photoId: number; vector: Float32Array }[], inTransaction: boolean): void {
    if (items.length) this.each((l) => l.vectorsWritten(table, items, inTransaction));
  }

  vectorDeleted(table: string, photoId: number, inTransaction: boolean): void {
    this.each((l) => l.vectorDeleted(table, photoId, inTransaction));
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

  private each(fn: (l: VectorChangeListener) => void): void {
    for (const ref of this.listeners) {
      const l = ref.deref();
      if (l) fn(l);
      else this.listeners.delete(ref);
    }
  }
}

const feeds = new WeakMap<Database, ChangeFeed>();

/** The change feed shared by every repository on this database handle. */
export function changeFeed(db: Database): ChangeFeed {
  let f = feeds.get(db);
  if (!f) feeds.set(db, (f = new ChangeFeed()));
  return f;
}
