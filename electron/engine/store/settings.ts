/** Small JSON key/value settings stored with the library. */
import type { Database, Statement } from './database.ts';

export class SettingsRepository {
  private readonly getStmt: Statement;
  private readonly setStmt: Statement;
  private readonly deleteStmt: Statement;

  constructor(db: Database) {
    this.getStmt = db.sql.prepare('SELECT value FROM settings WHERE key = ?').pluck();
    this.setStmt = db.sql.prepare(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    );
    this.deleteStmt = db.sql.prepare('DELETE FROM settings WHERE key = ?');
  }

  /** The parsed value; the caller vouches for its shape (validate with zod where it matters). */
  get<T>(key: string): T | undefined {
    const raw = this.getStmt.get(key) as string | undefined;
    return raw === undefined ? undefined : (JSON.parse(raw) as T);
  }

  /** `undefined` deletes the key (JSON has no undefined). */
  set(key: string, value: unknown): void {
    if (value === undefined) this.deleteStmt.run(key);
    else this.setStmt.run(key, JSON.stringify(value));
  }

  delete(key: string): boolean {
    return this.deleteStmt.run(key).changes > 0;
  }
}
