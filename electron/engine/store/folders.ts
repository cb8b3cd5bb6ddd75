/**
 * Watched roots. Removing one cascades to its photos, their tags and (by trigger) their vectors;
 * only the person removes a folder. A folder that is away (an unplugged drive, a share not
 * mounted yet, a folder that cannot be read) is marked offline and keeps everything.
 */
import type { Database, Statement } from './database.ts';
import { toFolder, type FolderRow, type RawFolder } from './rows.ts';
import { changeFeed } from './change-feed.ts';

export interface FolderWithCount {
  id: number;
  path: string;
  /** Photos found under the root that are indexed or waiting to be; skipped files not counted. */
  photoCount: number;
  /** Set while the folder is away: since when (Unix ms) and why (see library/root-availability.ts). */
  offline: { since: number; reason: string } | null;
}

export class FolderRepository {
  private readonly s: Record<'insert' | 'byPath' | 'byId' | 'delete' | 'list' | 'online' | 'offline' | 'reparent' | 'idsOf', Statement>;

  constructor(private readonly db: Database) {
    const sql = db.sql;
    this.s = {
      insert: sql.prepare('INSERT INTO folders (path, added_at) VALUES (?, ?) ON CONFLICT (path) DO NOTHING'),
      byPath: sql.prepare('SELECT * FROM folders WHERE path = ?'),
      byId: sql.prepare('SELECT * FROM folders WHERE id = ?'),
      delete: sql.prepare('DELETE FROM folders WHERE id = ?'),
      list: sql.prepare(`
        SELECT f.id, f.path, f.offline_since, f.offline_reason,
          (SELECT count(*) FROM photos p WHERE p.folder_id = f.id AND p.status <> 'skipped') AS photo_count
        FROM folders f ORDER BY f.path`),
      online: sql.prepare('UPDATE folders SET device = ?, offline_since = NULL, offline_reason = NULL WHERE id = ?'),
      // The first time it was found away is kept: "offline since" means since then.
      offline: sql.prepare('UPDATE folders SET offline_since = COALESCE(offline_since, ?), offline_reason = ? WHERE id = ?'),
      reparent: sql.prepare('UPDATE photos SET folder_id = ? WHERE folder_id = ?'),
      idsOf: sql.prepare('SELECT id FROM photos WHERE folder_id = ?').pluck(),
    };
  }

  /** Idempotent: adding a known path returns the existing row. */
  add(path: string): FolderRow {
    return this.db.transaction(() => {
      this.s.insert.run(path, Date.now());
      return this.byPath(path)!;
    });
  }

  /**
   * Add `path` as a root that takes over `childIds` (roots inside it): their photos move to the
   * new root with their rows, vectors, tags and text, and the child roots go. One transaction.
   */
  absorb(path: string, childIds: readonly number[]): { folder: FolderRow; photos: number } {
    const feed = changeFeed(this.db);
    return this.db.transaction(() => {
      const folder = this.add(path);
      let photos = 0;
      for (const child of childIds) {
        if (child === folder.id) continue;
        const ids = this.s.idsOf.all(child) as number[];
        this.s.reparent.run(folder.id, child);
        for (const id of ids) feed.photoChanged(id); // the vec0 folder_id column follows by trigger
        photos += ids.length;
        // Empty now: no cascade, so no folderRemoved event (it would drop the moved photos).
        this.s.delete.run(child);
      }
      return { folder, photos };
    });
  }

  remove(id: number): boolean {
    const removed = this.s.delete.run(id).changes > 0;
    if (removed) changeFeed(this.db).folderRemoved(id); // the cascade took its photos and vectors
    return removed;
  }

  /** The folder answered: remember the device it is on; true if it was offline until now. */
  markOnline(id: number, device: string): boolean {
    const before = this.get(id);
    this.s.online.run(device, id);
    return before?.offline != null;
  }

  /** The folder is away; true if it was online until now. */
  markOffline(id: number, reason: string, now = Date.now()): boolean {
    const before = this.get(id);
    this.s.offline.run(now, reason, id);
    return before !== undefined && before.offline === null;
  }

  list(): FolderWithCount[] {
    return (this.s.list.all() as { id: number; path: string; photo_count: number; offline_since: number | null; offline_reason: string | null }[]).map((r) => ({
      id: r.id,
      path: r.path,
      photoCount: r.photo_count,
      offline: r.offline_since === null ? null : { since: r.offline_since, reason: r.offline_reason ?? 'unavailable' },
    }));
  }

  get(id: number): FolderRow | undefined {
    const r = this.s.byId.get(id) as RawFolder | undefined;
    return r && toFolder(r);
  }

  byPath(path: string): FolderRow | undefined {
    const r = this.s.byPath.get(path) as RawFolder | undefined;
    return r && toFolder(r);
  }
}
