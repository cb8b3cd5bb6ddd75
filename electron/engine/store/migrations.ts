/**
 * Numbered schema steps, one file each in migrations/ (NNNN-name.ts, listed in migrations/index.ts),
 * and the runner. Each step runs in its own IMMEDIATE transaction together with the
 * `PRAGMA user_version` bump, so a failing step leaves the file exactly at the previous version.
 * Append only: never edit a released step. (Steps that must rebuild tables with foreign keys off
 * need special handling, since `PRAGMA foreign_keys` is a no-op inside a transaction.)
 *
 * Per-model vector tables are the one exception to "all DDL lives here": their dimension comes
 * from a model manifest known only at run time, so ModelRepository creates them (see vec-table.ts).
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { Database } from './database.ts';
import { DatabaseTooNewError } from './errors.ts';
import type { Migration } from './migrations/migration.ts';
import { MIGRATIONS } from './migrations/index.ts';

export { MIGRATIONS };

export type { Migration } from './migrations/migration.ts';

export function readUserVersion(sql: BetterSqlite3.Database): number {
  return sql.pragma('user_version', { simple: true }) as number;
}

export function latestVersion(migrations: readonly Migration[]): number {
  return migrations.length === 0 ? 0 : migrations[migrations.length - 1].version;
}

function validate(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration "${m.name}" has version ${m.version}, expected ${i + 1}`);
  });
}

/** Applies the steps newer than the file's user_version, one transaction each. */
export function runMigrations(db: Database, migrations: readonly Migration[] = MIGRATIONS): void {
  validate(migrations);
  const sql = db.sql;
  const supported = latestVersion(migrations);
  // Up to date (every open but the first after an update): no write lock is taken at all, so
  // opening a library that another process is writing to does not queue behind it.
  if (readUserVersion(sql) === supported) return;
  for (const m of migrations) {
    sql
      .transaction(() => {
        // Re-read inside the write lock: another process may have migrated meanwhile.
        const current = readUserVersion(sql);
        if (current > supported) throw new DatabaseTooNewError(current, supported);
        if (current >= m.version) return;
        m.up(sql);
        sql.pragma(`user_version = ${m.version}`);
      })
      .immediate();
  }
}
