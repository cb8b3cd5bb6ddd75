/**
 * Every file accounted for, on a hostile folder (scripts/fixtures/hostile-corpus.ts): each regular
 * file with a photo extension is indexed or skipped with a reason (names that are not UTF-8
 * included), links are recorded and never read, FIFOs and folders named .jpg get no row, nothing
 * outside the library is encoded or served, no reason quotes a file's bytes, and no file
 * descriptor is left open. Indexed the way a person does it: `shiguang index` from the CLI.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeHostileCorpus, type HostileCorpus } from '../../scripts/fixtures/hostile-corpus.ts';
import { Engine } from '../../electron/engine/engine.ts';
import { createLogger } from '../../electron/engine/util/log.ts';
import type { PhotoRow } from '../../electron/engine/store/rows.ts';
import { resolveMedia } from '../../electron/transport/media-guard.ts';
import { libraryHandlers } from '../../electron/engine/library/library-handlers.ts';

const run = promisify(execFile);
const models = process.env.SHIGUANG_TEST_MODELS ?? path.resolve('.cache/test-models');
const toy = path.join(models, 'toy-colors');
const openFds = (): number => fs.readdirSync('/proc/self/fd').length;

describe.skipIf(process.platform !== 'linux')('hostile corpus: every file accounted for', () => {
  let tmp: string;
  let corpus: HostileCorpus;
  let db: string;
  let engine: Engine;
  let rows: PhotoRow[];

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-hostile-'));
    corpus = await writeHostileCorpus(tmp);
    db = path.join(tmp, 'lib.db');
    await run(process.execPath, ['--import', 'tsx', 'electron/cli/main.ts', '--db', db, '--model', toy, '--threads', '1', 'index', corpus.root], {
      env: { ...process.env, SHIGUANG_HOME: path.join(tmp, 'home'), SHIGUANG_LOG: 'warn' },
      timeout: 120_000,
    });
    engine = await Engine.open({ dbPath: db, modelDir: toy, session: { threads: 1 }, logger: createLogger('test', 'warn'), autoTag: false });
    const folder = engine.lib.folders.list()[0];
    rows = engine.lib.photos.listPathsUnder(folder.id).map((r) => engine.lib.photos.get(r.id)!);
  });

  afterAll(async () => {
    await engine?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('each photo-named regular file is indexed or skipped with a reason; links are skipped; the rest has no row', () => {
    const byPath = new Map(rows.map((r) => [r.path, r]));
    const problems: string[] = [];
    for (const e of corpus.entries) {
      const row = byPath.get(e.path);
      if (e.kind === 'not-a-photo') {
        if (row) problems.push(`${e.what}: has a row`);
        continue;
      }
      if (!row) {
        problems.push(`${e.what}: missing (${JSON.stringify(e.path)})`);
        continue;
      }
      if (row.status === 'pending') problems.push(`${e.what}: still pending`);
      if (row.status === 'skipped' && !/^[a-z-]+: ./.test(row.skipReason ?? '')) problems.push(`${e.what}: skipped without a reason`);
      const outcome = row.status === 'indexed' ? 'indexed' : (row.skipReason ?? '');
      if (e.expect && !outcome.startsWith(e.expect)) problems.push(`${e.what}: expected ${e.expect}, got ${outcome}`);
    }
    const known = new Set(corpus.entries.map((e) => e.path));
    for (const r of rows) if (!known.has(r.path)) problems.push(`unexpected row ${JSON.stringify(r.path)}`);
    expect(problems).toEqual([]);
    expect(corpus.entries.filter((e) => e.kind !== 'not-a-photo').length).toBe(rows.length);
  });

  it('nothing outside the library is read: no vector, no thumbnail, no original for a link', async () => {
    const links = rows.filter((r) => corpus.entries.find((e) => e.path === r.path)?.kind === 'link');
    expect(links.length).toBeGreaterThanOrEqual(7);
    for (const r of links) {
      expect(r.status).toBe('skipped');
      expect(r.hash).toBeNull();
      expect(engine.vectors.get(r.id)).toBeUndefined();
      for (const kind of ['thumb', 'original'] as const) {
        const res = await resolveMedia(engine.media, { photoId: r.id, kind });
        expect(res.type, `${kind} of ${path.basename(r.path)}`).toBe('error');
      }
    }
  });

  it('skip reasons over the API (listSkipped, photo) never quote file content', async () => {
    const secrets = ['root:x:0', '726f6f74', '这不是照片', 'shopping', 'DOCTYPE', '3c21444f'];
    // The library service's API handlers, as a transport calls them.
    const api = libraryHandlers((fn) => Promise.resolve(fn(engine)));
    const skipped = await api.listSkipped({ limit: 1000, offset: 0 });
    expect(skipped.length).toBe(rows.filter((r) => r.status === 'skipped').length);
    const texts = skipped.map((s) => s.reason);
    for (const r of rows.filter((x) => x.status === 'skipped')) texts.push((await api.photo({ photoId: r.id })).skipReason ?? '');
    for (const t of texts) for (const s of secrets) expect(t, t).not.toContain(s);
  });

  it('a full re-read of every file (every one changed) leaves no file descriptor open', async () => {
    // One byte more at the end: every file is new content, so it is hashed, decoded and its
    // metadata read again (images still decode: trailing bytes are ignored).
    const touchAll = (): void => {
      for (const e of corpus.entries) if (e.kind === 'photo' && !e.path.includes('\\x')) fs.appendFileSync(e.path, Buffer.of(0));
    };
    // The first pass starts the encoder worker (its threads, pipes and ONNX Runtime's own files).
    touchAll();
    await engine.indexFolders([corpus.root]);
    await new Promise((r) => setTimeout(r, 100));
    const before = openFds();
    touchAll();
    const s = await engine.indexFolders([corpus.root]);
    expect(s.changed).toBeGreaterThan(50);
    await new Promise((r) => setTimeout(r, 100));
    expect(openFds() - before).toBeLessThanOrEqual(1);
  });
});
