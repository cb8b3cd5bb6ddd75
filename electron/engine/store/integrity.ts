/**
 * Damage detection at open, and the rebuild the person agrees to.
 *
 * At open, two checks within a small time budget (measured: `npm run bench` with
 * BENCH_ONLY=integrity, see docs/decisions/integrity.md):
 *   1. the file header (magic, page size, and the page count against the file's size: a
 *      truncated file is caught here without reading it);
 *   2. `PRAGMA quick_check(<table>)` over the library's own tables (folders, photos, models,
 *      settings, tags, photo_tags, tag_vectors) — b-tree structure, record formats and index
 *      consistency. The per-model vector tables (most of the file at 100k photos) are left to
 *      the reads that touch them: a bad page there fails that read with SQLITE_CORRUPT, which the
 *      store reports as the same DatabaseDamagedError.
 *
 * quick_check walks every page of a table and its indexes: ~1.6 ms per 1k photos for `photos`
 * (162 ms at 100k, 1–2 s at 1M). Above DEEP_CHECK_MAX_PHOTOS the two tables that grow with the
 * library (photos, photo_tags) are only probed at open — their first and last rows, which reads
 * the root and the edge pages, where an overwritten or cut b-tree shows — so that opening a
 * library of a million photos still answers its first query within the issue-9 budget (1.5 s);
 * their other pages are checked by the reads that touch them, like the vector tables.
 *
 * Rebuilding never deletes anything: the damaged file (and its -wal/-shm) is renamed aside, the
 * folder list and custom tag names are salvaged from it if they can still be read, and a fresh
 * library is created with those folders, ready to be indexed again from the photos.
 */
import fs from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { DatabaseDamagedError } from './errors.ts';

/** The library's own tables, checked at every open; vector tables are checked by their reads. */
const CORE_TABLES = ['folders', 'photos', 'models', 'settings', 'tags', 'photo_tags', 'tag_vectors'] as const;

/** The tables whose size grows with the library: fully checked at open only up to this many photos. */
const GROWING_TABLES = new Set<string>(['photos', 'photo_tags']);
export const DEEP_CHECK_MAX_PHOTOS = 150_000;

/** Reads that touch a growing table's root and edge pages (first and last rows in key order). */
const PROBES: Record<string, string[]> = {
  photos: ['SELECT * FROM photos ORDER BY id LIMIT 1', 'SELECT * FROM photos ORDER BY id DESC LIMIT 1'],
  photo_tags: ['SELECT * FROM photo_tags ORDER BY photo_id, tag_id LIMIT 1', 'SELECT * FROM photo_tags ORDER BY photo_id DESC, tag_id DESC LIMIT 1'],
};

const MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

/** A problem with the database file's header, or null when it looks sound (or there is no file yet). */
export function headerProblem(file: string): string | null {
  if (file === ':memory:' || file === '') return null;
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return null; // does not exist yet: SQLite creates it
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size === 0) return null; // created but never written: SQLite initialises it
    const h = Buffer.alloc(100);
    const n = fs.readSync(fd, h, 0, 100, 0);
    if (n < 100) return `the file is only ${size} bytes, shorter than a database header`;
    if (!h.subarray(0, 16).equals(MAGIC)) return 'the file does not start with a SQLite header';
    const raw = h.readUInt16BE(16);
    const pageSize = raw === 1 ? 65536 : raw;
    if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) return `the header names an impossible page size (${raw})`;
    if (size % pageSize !== 0) return `the file size (${size} bytes) is not a whole number of ${pageSize}-byte pages: it was cut short or overwritten`;
    // The in-header page count is valid when its "version-valid-for" matches the change counter.
    const changeCounter = h.readUInt32BE(24);
    const pages = h.readUInt32BE(28);
    const validFor = h.readUInt32BE(92);
    // With a WAL beside it the main file may be mid-checkpoint after a crash (page 1 already
    // copied, later pages not yet): SQLite completes that from the WAL, so it is not damage.
    const walBytes = fs.existsSync(`${file}-wal`) ? fs.statSync(`${file}-wal`).size : 0;
    if (walBytes === 0 && pages > 0 && validFor === changeCounter && size < pages * pageSize) {
      return `the file holds ${size / pageSize} of its ${pages} pages: it was cut short`;
    }
    return null;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * quick_check of the core tables that exist (growing tables only probed in a library of more than
 * `deepCheckMaxPhotos` photos); the first problem found, or null.
 */
export function coreTablesProblem(sql: BetterSqlite3.Database, deepCheckMaxPhotos = DEEP_CHECK_MAX_PHOTOS): string | null {
  const existing = new Set((sql.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table'`).pluck().all() as string[]));
  // max(id) is one descent of the rowid b-tree, where count(*) would read every page.
  const photos = existing.has('photos') ? ((sql.prepare('SELECT max(id) FROM photos').pluck().get() as number | null) ?? 0) : 0;
  for (const table of CORE_TABLES) {
    if (!existing.has(table)) continue;
    if (GROWING_TABLES.has(table) && photos > deepCheckMaxPhotos) {
      for (const probe of PROBES[table]!) sql.prepare(probe).get(); // SQLITE_CORRUPT → caught by checkAtOpen
      continue;
    }
    const rows = sql.prepare(`PRAGMA quick_check(${table})`).pluck().all() as string[];
    if (rows.length !== 1 || rows[0] !== 'ok') return `${table}: ${rows.slice(0, 3).join('; ')}`;
  }
  return null;
}

/** Throws DatabaseDamagedError if `file` fails the open-time checks. `sql` is an open handle on it. */
export function checkAtOpen(file: string, sql: BetterSqlite3.Database): void {
  const header = headerProblem(file);
  if (header) throw new DatabaseDamagedError(file, header);
  let problem: string | null;
  try {
    problem = coreTablesProblem(sql);
  } catch (err) {
    throw new DatabaseDamagedError(file, err instanceof Error ? err.message : String(err), err);
  }
  if (problem) throw new DatabaseDamagedError(file, problem);
}

/** Whole-file check (every table and the free list), for benchmarks and a future `check` command. */
export function fullQuickCheck(sql: BetterSqlite3.Database): string[] {
  return sql.prepare('PRAGMA quick_check').pluck().all() as string[];
}

export interface Salvage {
  folders: string[];
  customTags: string[];
}

/** What can still be read from a damaged library: its folder list and custom tag names. */
export function salvage(file: string): Salvage {
  const out: Salvage = { folders: [], customTags: [] };
  let sql: BetterSqlite3.Database | null = null;
  try {
    sql = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
    try {
      out.folders = sql.prepare('SELECT path FROM folders ORDER BY path').pluck().all() as string[];
    } catch {
      // unreadable: the person adds the folders again
    }
    try {
      out.customTags = sql.prepare('SELECT name FROM tags WHERE custom = 1 ORDER BY name').pluck().all() as string[];
    } catch {
      // unreadable: custom tags are lost
    }
  } catch {
    // not openable at all
  } finally {
    sql?.close();
  }
  return out;
}

/**
 * Move a damaged library aside: `lib.db` → `lib.db.damaged-<time>` (and its -wal / -shm beside
 * it, so the pair stays consistent for anyone who wants to recover more). Returns the new name.
 */
export function setAside(file: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const target = `${file}.damaged-${stamp}`;
  fs.renameSync(file, target);
  for (const suffix of ['-wal', '-shm']) {
    if (fs.existsSync(file + suffix)) fs.renameSync(file + suffix, target + suffix);
  }
  return target;
}
