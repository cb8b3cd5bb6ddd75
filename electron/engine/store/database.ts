/**
 * Opening the library database. This folder is the only code that imports better-sqlite3 or
 * sqlite-vec; everything else goes through the repositories.
 */
import BetterSqlite3 from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { DatabaseBusyError, DatabaseDamagedError, DatabaseTooNewError, classifyStoreError } from './errors.ts';
import { checkAtOpen, headerProblem } from './integrity.ts';
import { BUSY_TIMEOUT_MS, isBusy, withBusyRetry } from './busy.ts';
import { registerSqlFunctions } from './sql-functions.ts';
import { MIGRATIONS, latestVersion, readUserVersion, runMigrations, type Migration } from './migrations.ts';

/** The raw better-sqlite3 handle: store-internal, never handed outside electron/engine/store. */
export type SqlHandle = BetterSqlite3.Database;
export type Statement = BetterSqlite3.Statement;

export interface OpenDatabaseOptions {
  /**
   * The sqlite-vec loadable (.so/.dylib/.dll). Packaged Electron apps must point this at
   * app.asar.unpacked, since SQLite cannot dlopen a file inside an asar archive.
   * Falls back to env SHIGUANG_SQLITE_VEC_PATH, then to the sqlite-vec npm package.
   */
  vecExtensionPath?: string;
  /** Schema steps to apply; tests pass their own list. */
  migrations?: readonly Migration[];
}

/**
 * vec0 reads vectors through SQLite's pager; memory-mapping the file instead made brute-force KNN
 * 3-5x faster (100k x 512 on a 2-vCPU VM: ~240 ms -> ~55 ms; a larger cache_size did not help).
 * It is an upper bound, not an allocation, and SQLite clamps it to its compile-time maximum.
 */
const MMAP_BYTES = 2 ** 31;

/** Name of sqlite-vec's init symbol; explicit so a renamed loadable (vec0.dll -> x.dll) still loads. */
const VEC_ENTRY_POINT = 'sqlite3_vec_init';

export class Database {
  constructor(
    /** @internal store-only */
    readonly sql: SqlHandle,
    readonly file: string,
  ) {}

  /**
   * Runs `fn` in a transaction (a savepoint when nested); rolls back if it throws.
   *
   * Outermost transactions start as BEGIN IMMEDIATE: they take the write lock up front, waiting
   * for it (busy_timeout) if another process holds it. A deferred transaction that reads first
   * and writes later cannot wait — SQLite fails the upgrade at once with "database is locked"
   * when another process committed in between — which is what made `watch` + `status`, or the
   * app + the CLI, fail now and then. If the lock is still taken after the wait, the BEGIN is
   * retried a bounded number of times (fn has not run yet, so retrying is safe), then
   * DatabaseBusyError says so clearly.
   */
  transaction<T>(fn: () => T): T {
    if (this.sql.inTransaction) return this.sql.transaction(fn)();
    return withBusyRetry(() => {
      let started = false;
      try {
        return this.sql.transaction(() => {
          started = true;
          return fn();
        }).immediate();
      } catch (err) {
        // Only a BEGIN that never got the lock is retried; a failure inside fn is the caller's.
        if (started && isBusy(err)) throw new DatabaseBusyError(this.file, err);
        throw classifyStoreError(err, this.file);
      }
    }, this.file);
  }

  /**
   * SQLite's data_version: unchanged while only this connection writes, different after another
   * connection (another process) commits. In-memory caches use it to notice foreign writes.
   */
  dataVersion(): number {
    return this.sql.pragma('data_version', { simple: true }) as number;
  }

  get schemaVersion(): number {
    return readUserVersion(this.sql);
  }

  get isOpen(): boolean {
    return this.sql.open;
  }

  close(): void {
    if (this.sql.open) this.sql.close();
  }
}

/** Where to load sqlite-vec from: explicit option, then environment, then the npm package. */
export function resolveVecExtensionPath(explicit?: string): string {
  const chosen = explicit ?? process.env.SHIGUANG_SQLITE_VEC_PATH ?? sqliteVec.getLoadablePath();
  // Inside a packaged app require.resolve points into app.asar; the real file is unpacked beside it.
  return chosen.replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2');
}

/** Opens (creating if needed) and migrates a library database. `':memory:'` is allowed. */
export function openDatabase(file: string, opts: OpenDatabaseOptions = {}): Database {
  const migrations = opts.migrations ?? MIGRATIONS;
  const header = headerProblem(file);
  if (header) throw new DatabaseDamagedError(file, header);
  const sql = new BetterSqlite3(file);
  try {
    sql.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // Check before anything that could write (WAL switch, migrations): a newer library stays untouched.
    let found: number;
    try {
      found = readUserVersion(sql);
    } catch (err) {
      throw classifyStoreError(err, file);
    }
    const supported = latestVersion(migrations);
    if (found > supported) throw new DatabaseTooNewError(found, supported);

    // The typings lag the runtime, which accepts an entry point.
    (sql.loadExtension as (path: string, entryPoint?: string) => unknown).call(
      sql,
      resolveVecExtensionPath(opts.vecExtensionPath),
      VEC_ENTRY_POINT,
    );
    sql.pragma('journal_mode = WAL'); // ignored for :memory:
    sql.pragma('synchronous = NORMAL'); // safe with WAL: a crash loses at most the last commits, never integrity
    sql.pragma('foreign_keys = ON');
    sql.pragma(`mmap_size = ${MMAP_BYTES}`);
    registerSqlFunctions(sql);

    if (file !== ':memory:' && file !== '') checkAtOpen(file, sql);
    const db = new Database(sql, file);
    runMigrations(db, migrations);
    return db;
  } catch (err) {
    sql.close();
    throw err;
  }
}
