import type BetterSqlite3 from 'better-sqlite3';

/** One schema step: run once, in a transaction with the user_version bump (see ../migrations.ts). */
export interface Migration {
  version: number;
  name: string;
  up(sql: BetterSqlite3.Database): void;
}
