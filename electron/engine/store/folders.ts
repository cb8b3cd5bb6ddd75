/** Watched roots. Removing one cascades to its photos, their tags and (by trigger) their vectors. */
import type { Database, Statement } from './database.ts';
import { toFolder, type FolderRow, type RawFolder } from './rows.ts';
import { changeFeed } from './change-feed.ts';

export interface FolderWithCount {
  id: number;
  path: string;
  /** Photos found under the root that are indexed or waiting to be; skipped files not counted. */
  photoCount: number;
}

export class FolderRepository {
  private readonly insert: Statement;
  private readonly byPathStmt: Statement;
  private readonly byIdStmt: Statement;
  private readonly deleteStmt: Statement;
  private readonly listStmt: Statement;

  constructor(private readonly db: Database) {
    const sql = db.sql;
    this.insert = sql.prepare('INSERT INTO folders (path, added_at) VALUES (?, ?) ON CONFLICT (path) DO NOTHING');
    this.byPathStmt = sql.prepare('SELECT * FROM folders WHERE path = ?');
    this.byIdStmt = sql.prepare('SELECT * FROM folders WHERE id = ?');
    this.deleteStmt = sql.prepare('DELETE FROM folders WHERE id = ?');
    this.listStmt = sql.prepare(`
      SELECT f.id, f.path,
        (SELECT count(*) FROM photos p WHERE p.folder_id = f.id AND p.status <> 'skipped') AS photo_count
      FROM folders f ORDER BY f.path`);
  }

  /** Idempotent: adding a known path returns the existing row. */
  add(path: string): FolderRow {
    return this.db.transaction(() => {
      this.insert.run(path, Date.now());
      return this.byPath(path)!;
    });
  }

  remove(id: number): boolean {
    const removed = this.deleteStmt.run(id).changes > 0;
    if (removed) changeFeed(this.db).folderRemoved(id); // the cascade took its photos and vectors
    return removed;
  }

  list(): FolderWithCount[] {
    return (this.listStmt.all() as { id: number; path: string; photo_count: number }[]).map((r) => ({
      id: r.id,
      path: r.path,
      photoCount: r.photo_count,
    }));
  }

  get(id: number): FolderRow | undefined {
    const r = this.byIdStmt.get(id) as RawFolder | undefined;
    return r && toFolder(r);
  }

  byPath(path: string): FolderRow | undefined {
    const r = this.byPathStmt.get(path) as RawFolder | undefined;
    return r && toFolder(r);
  }
}
