/**
 * The photo filter's local hour, weekday and month-day in SQL (local-time-sql.ts) agree with
 * JavaScript's Date in the process's zone for every row: inside the span where the zone's offset is
 * steady (SQLite's arithmetic) and outside it (the registered function) — in zones with and without
 * daylight saving, half- and quarter-hour offsets, and one that dropped daylight saving.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLibrary, type Library } from '../../electron/engine/store/library.ts';
import { localTimeSql, steadyOffsetSpan, type LocalPart } from '../../electron/engine/store/local-time-sql.ts';

const ZONES = ['Asia/Shanghai', 'America/New_York', 'Europe/London', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Pacific/Chatham', 'America/Sao_Paulo', 'UTC'];
const HOUR = 3_600_000;
const YEAR = 365 * 24 * HOUR;
const originalTz = process.env.TZ;

let tmp: string;
let lib: Library;

/** Deterministic spread: 1950–2045, dense around now, and each zone's span edges. */
function moments(): number[] {
  const out: number[] = [];
  let x = 12345;
  const rnd = (): number => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const now = Date.now();
  for (let i = 0; i < 1500; i++) out.push(Math.round(Date.UTC(1950, 0, 1) + rnd() * 95 * YEAR));
  for (let i = 0; i < 1500; i++) out.push(Math.round(now - 3 * YEAR + rnd() * 4 * YEAR));
  for (const zone of ZONES) {
    process.env.TZ = zone;
    const s = steadyOffsetSpan(now);
    for (const t of [s.from - 1, s.from, s.from + 1, s.to - 1, s.to, s.to + 1, s.from - HOUR, s.to + HOUR]) out.push(t);
  }
  process.env.TZ = originalTz;
  return out;
}

const js: Record<LocalPart, (d: Date) => number> = {
  hour: (d) => d.getHours(),
  weekday: (d) => d.getDay() || 7,
  monthDay: (d) => (d.getMonth() + 1) * 100 + d.getDate(),
};

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-local-time-'));
  lib = openLibrary(path.join(tmp, 'lib.db'));
  const folder = lib.folders.add(path.join(tmp, 'photos'));
  const all = moments();
  lib.db.sql.transaction(() => {
    all.forEach((takenAt, i) => {
      const { row } = lib.photos.upsertDiscovered({ path: path.join(tmp, 'photos', `p${i}.jpg`), folderId: folder.id, size: 1, mtimeMs: 1 });
      lib.photos.markIndexed(row.id, { width: 4, height: 3, takenAt, takenAtSource: 'exif', cameraMake: null, cameraModel: null, gpsLat: null, gpsLon: null });
    });
  })();
});
afterAll(() => {
  process.env.TZ = originalTz;
  lib.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('local time in SQL', () => {
  it.each(ZONES)('%s: every row, inside and outside the steady span, as Date says', (zone) => {
    process.env.TZ = zone;
    const span = steadyOffsetSpan(Date.now());
    expect(span.to).toBeGreaterThanOrEqual(Date.now() - 24 * HOUR); // the span holds today
    let inside = 0;
    for (const part of ['hour', 'weekday', 'monthDay'] as const) {
      const params: Record<string, unknown> = {};
      const sql = localTimeSql(part, params);
      const rows = lib.db.sql.prepare(`SELECT p.taken_at AS t, ${sql} AS v FROM photos p`).all(params) as { t: number; v: number }[];
      const wrong = rows.filter((r) => r.v !== js[part](new Date(r.t))).map((r) => `${new Date(r.t).toISOString()}: ${r.v} ≠ ${js[part](new Date(r.t))}`);
      expect(wrong.slice(0, 5), `${zone} ${part}`).toEqual([]);
      inside = rows.filter((r) => r.t >= span.from && r.t <= span.to).length;
    }
    expect(inside).toBeGreaterThan(0); // the arithmetic path was taken
  });

  it('a zone without daylight saving is steady for decades; one with it, for months', () => {
    process.env.TZ = 'Asia/Shanghai';
    const cn = steadyOffsetSpan(Date.UTC(2026, 11, 6));
    expect(new Date(cn.from).getUTCFullYear()).toBe(1991); // China's last DST ended in September 1991
    process.env.TZ = 'Europe/London';
    const uk = steadyOffsetSpan(Date.UTC(2026, 11, 6));
    expect(uk.to - uk.from).toBeLessThan(YEAR / 2);
  });
});
