import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DatabaseTooNewError,
  MIGRATIONS,
  openDatabase,
  resolveVecExtensionPath,
  runMigrations,
  type Migration,
} from '../../electron/engine/store/index.ts';

let dir: string;
let file: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-store-'));
  file = path.join(dir, 'library.db');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const sha = (f: string): string => crypto.createHash('sha256').update(fs.readFileSync(f)).digest('hex');
const tables = (db: ReturnType<typeof openDatabase>): string[] =>
  db.sql.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).pluck().all() as string[];

function counting(version: number, calls: { n: number }): Migration {
  return {
    version,
    name: `test step ${version}`,
    up(sql) {
      calls.n++;
      sql.exec(`CREATE TABLE step_${version} (x INTEGER)`);
    },
  };
}

describe('migrations', () => {
  it('gives a fresh database every step and the expected pragmas', () => {
    const db = openDatabase(file);
    expect(db.schemaVersion).toBe(MIGRATIONS.length);
    expect(tables(db)).toEqual(
      expect.arrayContaining(['folders', 'photos', 'models', 'tags', 'tag_vectors', 'photo_tags', 'settings']),
    );
    expect(db.sql.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.sql.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.sql.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    expect(db.sql.prepare('SELECT vec_version()').pluck().get()).toMatch(/^v0\./);
    db.close();
  });

  it('re-opening runs nothing again and keeps the data', () => {
    const calls = { n: 0 };
    const list = [...MIGRATIONS, counting(MIGRATIONS.length + 1, calls)];
    const first = openDatabase(file, { migrations: list });
    first.sql.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run('k', '1');
    first.close();
    const second = openDatabase(file, { migrations: list });
    expect(calls.n).toBe(1);
    expect(second.schemaVersion).toBe(list.length);
    expect(second.sql.prepare('SELECT value FROM settings WHERE key = ?').pluck().get('k')).toBe('1');
    second.close();
  });

  it('refuses a database from a newer app and leaves the file untouched', () => {
    const newer = [...MIGRATIONS, counting(MIGRATIONS.length + 1, { n: 0 })];
    openDatabase(file, { migrations: newer }).close();
    const before = sha(file);

    let caught: unknown;
    try {
      openDatabase(file);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(DatabaseTooNewError);
    expect((caught as DatabaseTooNewError).message).toBe(
      `this library was created by a newer version of 拾光 (schema ${newer.length} > ${MIGRATIONS.length}); update the app`,
    );
    expect(sha(file)).toBe(before);
    const again = openDatabase(file, { migrations: newer });
    expect(again.schemaVersion).toBe(newer.length);
    again.close();
  });

  it('rolls a failing step back completely, user_version included', () => {
    openDatabase(file).close();
    const failing: Migration = {
      version: MIGRATIONS.length + 1,
      name: 'half done',
      up(sql) {
        sql.exec('CREATE TABLE half_done (x INTEGER)');
        throw new Error('boom');
      },
    };
    expect(() => openDatabase(file, { migrations: [...MIGRATIONS, failing] })).toThrow('boom');
    const db = openDatabase(file);
    expect(db.schemaVersion).toBe(MIGRATIONS.length);
    expect(tables(db)).not.toContain('half_done');
    db.close();
  });

  it('rejects a migration list with gaps', () => {
    const db = openDatabase(':memory:');
    const gap: Migration = { version: MIGRATIONS.length + 2, name: 'gap', up() {} };
    expect(() => runMigrations(db, [...MIGRATIONS, gap])).toThrow(/expected/);
    db.close();
  });
});

describe('sqlite-vec loading', () => {
  const saved = process.env.SHIGUANG_SQLITE_VEC_PATH;
  afterEach(() => {
    if (saved === undefined) delete process.env.SHIGUANG_SQLITE_VEC_PATH;
    else process.env.SHIGUANG_SQLITE_VEC_PATH = saved;
  });

  it('uses the explicit path, then the environment, and never leaves the handle half-open', () => {
    const missing = path.join(dir, 'nope', 'vec0.so');
    expect(() => openDatabase(':memory:', { vecExtensionPath: missing })).toThrow();
    process.env.SHIGUANG_SQLITE_VEC_PATH = missing;
    expect(resolveVecExtensionPath()).toBe(missing);
    expect(() => openDatabase(file)).toThrow();
    delete process.env.SHIGUANG_SQLITE_VEC_PATH;
    openDatabase(file).close(); // the file was not left locked or half-migrated
  });

  it('maps a path inside app.asar to app.asar.unpacked', () => {
    const inAsar = ['', 'app', 'resources', 'app.asar', 'node_modules', 'sqlite-vec-x', 'vec0.so'].join('/');
    expect(resolveVecExtensionPath(inAsar)).toBe(inAsar.replace('/app.asar/', '/app.asar.unpacked/'));
    const win = 'C:\\app\\resources\\app.asar\\node_modules\\vec0.dll';
    expect(resolveVecExtensionPath(win)).toBe('C:\\app\\resources\\app.asar.unpacked\\node_modules\\vec0.dll');
  });
});
