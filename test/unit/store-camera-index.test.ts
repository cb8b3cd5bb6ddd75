/**
 * The camera filter ("iPhone拍的…", "华为拍的") reads the photos of that make only. Its condition is
 * lower(camera_make) IN (…) (any case, as EXIF writes it: Apple, HUAWEI, Xiaomi); without an
 * index on that expression SQLite read every photo to count and mask the matches — 155 ms at a
 * million photos, quiet, hundreds on a busy machine — and 7 ms with it (migration 11). Checked
 * on the statements the store really runs (its WHERE and the in-memory index's id list), on a
 * library that was never ANALYZEd, as the app leaves it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLibrary, type Library } from '../../electron/engine/store/library.ts';

let tmp: string;
let lib: Library;
const makes = ['Apple', 'HUAWEI', 'Xiaomi', 'OPPO', null];

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-camera-index-'));
  lib = openLibrary(path.join(tmp, 'lib.db'));
  const folder = lib.folders.add(path.join(tmp, 'photos'));
  for (let i = 0; i < 500; i++) {
    const { row } = lib.photos.upsertDiscovered({ path: path.join(tmp, 'photos', `p${i}.jpg`), folderId: folder.id, size: 1000 + i, mtimeMs: 1_700_000_000_000 + i });
    const make = makes[i % makes.length] ?? null;
    lib.photos.markIndexed(row.id, { width: 4, height: 3, takenAt: 1_700_000_000_000 + i, takenAtSource: 'exif', cameraMake: make, cameraModel: make ? `${make} 15` : null, gpsLat: null, gpsLon: null });
  }
});
afterAll(() => {
  lib.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** SQLite's plan for a statement, one line per step. */
function plan(sql: string, params: Record<string, unknown>): string {
  return (lib.db.sql.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[]).map((r) => r.detail).join('\n');
}

describe('the camera filter', () => {
  const cameras = [{ makes: ['Apple'] }];

  it('counts through the index on lower(camera_make), not a scan of every photo', () => {
    const w = lib.filters.where({ cameras });
    const p = plan(`SELECT count(*) FROM photos p WHERE p.status = 'indexed' AND ${w.sql}`, w.params);
    expect(p).toMatch(/USING (COVERING )?INDEX photos_camera_make_lower/);
    expect(p).not.toMatch(/^SCAN p\b/m);
    const n = lib.db.sql.prepare(`SELECT count(*) FROM photos p WHERE p.status = 'indexed' AND ${w.sql}`).pluck().get(w.params);
    expect(n).toBe(100);
  });

  it('lists the ids for the in-memory index the same way, any case of the make', () => {
    const c = lib.filters.compile({ cameras: [{ makes: ['apple'] }] });
    expect(plan(`SELECT json_group_array(p.id) FROM photos p WHERE ${c.rows!.sql}`, c.rows!.params)).toMatch(/INDEX photos_camera_make_lower/);
    const sel = lib.filters.selection({ cameras: [{ makes: ['apple'] }] });
    expect(sel.allow?.[0]).toHaveLength(100);
  });
});
