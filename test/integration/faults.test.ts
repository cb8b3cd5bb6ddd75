/**
 * Faults beyond SIGKILL, as a person meets them through the CLI:
 * - a damaged library file (cut short, a table's pages overwritten, the header overwritten) is
 *   refused at open with a clear message and left untouched; `--rebuild-damaged` sets it aside,
 *   keeps the folders and custom tags that can still be read, and indexes the photos again;
 * - a full disk while indexing stops the run with a clear error, the library stays sound, and the
 *   next run resumes with only what was not saved. Two ways: a real full disk (a small tmpfs,
 *   where this process may mount one) and SQLite's own page limit (max_page_count), which makes
 *   SQLite fail writes with the same SQLITE_FULL on any machine.
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeColourSet } from '../../scripts/fixtures/colour-photos.ts';
import { Engine } from '../../electron/engine/engine.ts';
import { createLogger } from '../../electron/engine/util/log.ts';
import { DiskFullError } from '../../electron/engine/store/errors.ts';
import { ShiguangApp } from '../../electron/engine/app/app.ts';
import { resolveAppConfig } from '../../electron/engine/app/config.ts';
import { ApiRouter } from '../../electron/shared/router.ts';
import { ApiError } from '../../electron/shared/api.ts';
import { httpStatusFor } from '../../electron/transport/errors.ts';

const run = promisify(execFile);
const models = process.env.SHIGUANG_TEST_MODELS ?? path.resolve('.cache/test-models');
const toy = path.join(models, 'toy-colors');

type CliResult = { code: number; stdout: string; stderr: string };

describe('faults beyond SIGKILL', () => {
  let tmp: string;
  let photos: string;
  let env: NodeJS.ProcessEnv;
  const cli = (db: string, ...args: string[]): Promise<CliResult> =>
    run(process.execPath, ['--import', 'tsx', 'electron/cli/main.ts', '--db', db, '--model', toy, '--threads', '1', ...args], { env, maxBuffer: 16 << 20 }).then(
      (r) => ({ code: 0, ...r }),
      (e: CliResult) => e,
    );

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-faults-'));
    photos = path.join(tmp, 'photos');
    await writeColourSet(photos, ['red', 'blue', 'green'], 2);
    env = { ...process.env, SHIGUANG_HOME: path.join(tmp, 'home'), SHIGUANG_LOG: 'warn' };
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  describe('a damaged library file', () => {
    let good: string;

    beforeAll(async () => {
      good = path.join(tmp, 'good.db');
      expect((await cli(good, 'index', photos)).code).toBe(0);
      expect((await cli(good, 'tags', 'add', '蓝色的东西')).code).toBe(0);
      expect(fs.existsSync(`${good}-wal`)).toBe(false); // closed cleanly: everything is in the main file
    });

    const pageOf = (db: string, table: string): { pageSize: number; root: number } => {
      const sql = new BetterSqlite3(db, { readonly: true });
      try {
        return { pageSize: sql.pragma('page_size', { simple: true }) as number, root: sql.prepare('SELECT rootpage FROM sqlite_schema WHERE name = ?').pluck().get(table) as number };
      } finally {
        sql.close();
      }
    };

    const damages: [string, (db: string) => void, boolean][] = [
      ['cut short', (db) => fs.truncateSync(db, Math.floor(fs.statSync(db).size / 2) + 100), false],
      [
        "the photos table's pages overwritten",
        (db) => {
          const { pageSize, root } = pageOf(db, 'photos');
          const fd = fs.openSync(db, 'r+');
          fs.writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (root - 1) * pageSize);
          fs.closeSync(fd);
        },
        true,
      ],
      [
        'the header overwritten',
        (db) => {
          const fd = fs.openSync(db, 'r+');
          fs.writeSync(fd, Buffer.alloc(100, 0x20), 0, 100, 0);
          fs.closeSync(fd);
        },
        false,
      ],
    ];

    for (const [what, damage, foldersReadable] of damages) {
      it(`${what}: refused at open with a clear message and left as it was; --rebuild-damaged rebuilds`, async () => {
        const db = path.join(tmp, `${what.replace(/\W+/g, '-')}.db`);
        fs.copyFileSync(good, db);
        damage(db);
        const bytes = fs.readFileSync(db);

        const refused = await cli(db, 'status');
        expect(refused.code).toBe(1);
        expect(refused.stderr).toMatch(/^error: the library database .* is damaged \(.+\)\. Your photos are not affected\..*--rebuild-damaged/);
        expect(refused.stderr).not.toMatch(/\n\s+at /); // no stack trace
        expect(fs.readFileSync(db).equals(bytes)).toBe(true);

        const rebuilt = await cli(db, '--rebuild-damaged', 'index', photos);
        expect(rebuilt.code).toBe(0);
        const aside = /set aside as (\S+);/.exec(rebuilt.stderr)?.[1];
        expect(aside, rebuilt.stderr).toBeDefined();
        expect(fs.readFileSync(aside!).equals(bytes)).toBe(true); // kept, byte for byte
        expect(rebuilt.stderr).toMatch(/encoded 6, skipped 0/);
        const status = JSON.parse((await cli(db, 'status', '--json')).stdout);
        expect(status.counts).toEqual({ indexed: 6, pending: 0, skipped: 0 });
        if (foldersReadable) expect(rebuilt.stderr).toMatch(/with your 1 folder/);
        const tags = JSON.parse((await cli(db, 'tags', 'list', '--json')).stdout) as { name: string; custom?: boolean }[];
        if (foldersReadable) expect(tags.map((t) => t.name)).toContain('蓝色的东西');
      });
    }

    it('the app: every request answers LIBRARY_DAMAGED (a prompt for the UI) until rebuildLibrary, which rebuilds and re-indexes', async () => {
      const home = path.join(tmp, 'app-home');
      const config = resolveAppConfig({ model: toy, threads: 1 }, { SHIGUANG_HOME: home });
      fs.mkdirSync(home, { recursive: true });
      fs.copyFileSync(good, config.dbPath);
      damages[1][1](config.dbPath); // the photos table overwritten: the folder list can still be salvaged
      const app = await ShiguangApp.open({ config, logger: createLogger('test', 'error'), engine: { autoTag: false } });
      const router = new ApiRouter('http').registerAll(app.services());
      try {
        for (const attempt of [router.invoke('status', {}), router.invoke('search', { query: '红色' }), router.invoke('listFolders', {})]) {
          const e = await attempt.then(() => null, (x: unknown) => x);
          expect(e).toBeInstanceOf(ApiError);
          expect((e as ApiError).code).toBe('LIBRARY_DAMAGED');
          expect(httpStatusFor((e as ApiError).code)).toBe(409);
        }
        const report = await router.invoke('rebuildLibrary', {});
        expect(report.aside).toMatch(/library\.db\.damaged-/);
        expect(fs.existsSync(report.aside)).toBe(true);
        expect(report.folders).toEqual([photos]);
        const t0 = Date.now();
        while ((await router.invoke('status', {})).counts.indexed < 6 && Date.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 100));
        expect((await router.invoke('status', {})).counts).toEqual({ indexed: 6, pending: 0, skipped: 0 });
        await expect(router.invoke('rebuildLibrary', {})).rejects.toMatchObject({ code: 'BAD_REQUEST' });
      } finally {
        await app.close();
      }
    });

    it('an undamaged library opens without complaint (no false alarm after a clean close or a WAL left by a crash)', async () => {
      const db = path.join(tmp, 'copy.db');
      fs.copyFileSync(good, db);
      expect((await cli(db, 'status', '--json')).code).toBe(0);
      // A WAL with uncheckpointed commits, as a killed process leaves it.
      const sql = new BetterSqlite3(db);
      sql.pragma('journal_mode = WAL');
      sql.pragma('wal_autocheckpoint = 0');
      sql.exec(`INSERT INTO settings (key, value) VALUES ('crash-test', '1')`);
      fs.copyFileSync(db, path.join(tmp, 'crashed.db'));
      fs.copyFileSync(`${db}-wal`, path.join(tmp, 'crashed.db-wal'));
      sql.close();
      expect((await cli(path.join(tmp, 'crashed.db'), 'status', '--json')).code).toBe(0);
    });
  });

  describe('a full disk while indexing', () => {
    it('SQLite page limit reached: the pass stops with DiskFullError, the next pass resumes with only the rest', async () => {
      const more = path.join(tmp, 'more');
      await writeColourSet(more, ['red', 'blue', 'green', 'yellow', 'white', 'black'], 10, 300);
      const dbPath = path.join(tmp, 'limited.db');
      const open = (): Promise<Engine> => Engine.open({ dbPath, modelDir: toy, session: { threads: 1 }, logger: createLogger('test', 'error'), autoTag: false, indexer: { batchSize: 4 } });
      let engine = await open();
      await engine.indexFolders([photos]);
      // The test reaches the store's raw handle to set SQLite's own size limit on this connection.
      const sql = (engine.lib.db as unknown as { sql: BetterSqlite3.Database }).sql;
      const pages = sql.pragma('page_count', { simple: true }) as number;
      sql.pragma(`max_page_count = ${pages + 3}`);
      const err = await engine.indexFolders([more]).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(DiskFullError);
      expect((err as Error).message).toMatch(/is full: indexing stopped\. Nothing is lost/);
      const saved = engine.lib.photos.counts().indexed;
      await engine.close();

      engine = await open(); // a new run: no page limit
      try {
        const s = await engine.indexFolders([photos, more]);
        expect(engine.lib.photos.counts()).toEqual({ indexed: 66, pending: 0, skipped: 0 });
        expect(s.encoded).toBe(66 - saved);
        expect(engine.vectors.count()).toBe(66);
      } finally {
        await engine.close();
      }
    });

    /** A 16 MB tmpfs, where this process may mount one (root on Linux); null elsewhere. */
    const mountSmallDisk = (): string | null => {
      if (process.platform !== 'linux') return null;
      const mountPoint = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-full-'));
      try {
        execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', mountPoint], { stdio: 'ignore' });
        return mountPoint;
      } catch {
        fs.rmSync(mountPoint, { recursive: true, force: true });
        return null;
      }
    };

    it('a real full disk (16 MB tmpfs): `index` stops with a clear error, the next run resumes', async (ctx) => {
      const mountPoint = mountSmallDisk();
      if (!mountPoint) return ctx.skip(); // no permission to mount here: the page-limit test above still runs
      try {
        await fullDiskRun(mountPoint);
      } finally {
        execFileSync('umount', [mountPoint]);
        fs.rmSync(mountPoint, { recursive: true, force: true });
      }
    });

    const fullDiskRun = async (mountPoint: string): Promise<void> => {
      const many = path.join(tmp, 'many');
      await writeColourSet(many, ['red', 'blue', 'green', 'yellow'], 40, 700);
      const db = path.join(mountPoint, 'lib.db');
      expect((await cli(db, 'index', photos)).code).toBe(0);
      // Leave ~64 KB free on the library's disk.
      const filler = path.join(mountPoint, 'filler');
      const free = (): number => fs.statfsSync(mountPoint).bavail * fs.statfsSync(mountPoint).bsize;
      fs.writeFileSync(filler, Buffer.alloc(Math.max(0, free() - 64 * 1024)));

      const full = await cli(db, 'index', many);
      expect(full.code).toBe(1);
      expect(full.stderr).toMatch(/error: the disk holding the library .* is full: indexing stopped\. Nothing is lost/);
      expect(full.stderr).not.toMatch(/\n\s+at /);

      fs.rmSync(filler);
      const again = await cli(db, 'index', many);
      expect(again.code, again.stderr).toBe(0);
      const status = JSON.parse((await cli(db, 'status', '--json')).stdout);
      expect(status.counts).toEqual({ indexed: 166, pending: 0, skipped: 0 });
      const sql = new BetterSqlite3(db, { readonly: true });
      expect(sql.pragma('integrity_check', { simple: true })).toBe('ok');
      sql.close();
    };
  });
});
