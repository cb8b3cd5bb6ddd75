/**
 * The open-time check: every core table fully checked in a library up to DEEP_CHECK_MAX_PHOTOS
 * photos; above it, the growing tables (photos, photo_tags) only probed at their root and edges.
 * Damage is made the way the fault tests make it: a page overwritten in place.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLibrary } from '../../electron/engine/store/index.ts';
import { coreTablesProblem } from '../../electron/engine/store/integrity.ts';

let tmp: string;
let good: string;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-integrity-'));
  good = path.join(tmp, 'good.db');
  const lib = openLibrary(good);
  const folder = lib.folders.add(path.resolve('/photos'));
  // Enough rows for the photos table to span many pages (a leaf in the middle can be damaged).
  for (let i = 0; i < 3000; i++) {
    lib.photos.upsertDiscovered({ path: path.resolve(`/photos/p${String(i).padStart(5, '0')}-${'x'.repeat(80)}.jpg`), folderId: folder.id, size: 100 + i, mtimeMs: 1_000 });
  }
  lib.close();
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A copy of the good library with page `which(root, pages)` of the photos table overwritten. */
function damaged(name: string, which: (root: number, leaves: number[]) => number): string {
  const file = path.join(tmp, name);
  fs.copyFileSync(good, file);
  const sql = new BetterSqlite3(file, { readonly: true });
  const pageSize = sql.pragma('page_size', { simple: true }) as number;
  const root = sql.prepare(`SELECT rootpage FROM sqlite_schema WHERE name = 'photos'`).pluck().get() as number;
  const leaves = (sql.prepare(`SELECT pageno FROM dbstat WHERE name = 'photos' AND pagetype = 'leaf' ORDER BY pageno`).pluck().all() as number[]);
  sql.close();
  const page = which(root, leaves);
  const fd = fs.openSync(file, 'r+');
  fs.writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (page - 1) * pageSize);
  fs.closeSync(fd);
  return file;
}

const check = (file: string, max?: number): string | null => {
  const sql = new BetterSqlite3(file, { readonly: true });
  try {
    return coreTablesProblem(sql, max);
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    sql.close();
  }
};

describe('open-time check of the core tables', () => {
  it('passes an undamaged library, fully checked or probed', () => {
    expect(check(good)).toBeNull();
    expect(check(good, 0)).toBeNull();
  });

  it('finds an overwritten root page whether the table is fully checked or only probed', () => {
    const file = damaged('root.db', (root) => root);
    expect(check(file)).not.toBeNull();
    expect(check(file, 0)).not.toBeNull(); // the probes read the root
  });

  it('finds a damaged leaf in the middle by the full check; above the threshold that page is left to its reads', () => {
    const file = damaged('middle.db', (_root, leaves) => leaves[Math.floor(leaves.length / 2)]!);
    expect(check(file)).toMatch(/photos|malformed/);
    expect(check(file, 0)).toBeNull();
    const sql = new BetterSqlite3(file, { readonly: true });
    expect(() => sql.prepare('SELECT count(*), sum(size) FROM photos').get()).toThrow(/malformed|corrupt/i);
    sql.close();
  });
});
