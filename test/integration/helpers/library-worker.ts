/**
 * One of several processes sharing a library, for many-processes.test.ts. Opens the engine like
 * the CLI does and repeats one kind of work until its time is up, then prints one JSON line:
 * { role, ops, lockFailures, otherErrors }. Usage: library-worker.ts ROLE DB MODEL SECONDS [FOLDER]
 */
import fs from 'node:fs';
import path from 'node:path';
import { Engine } from '../../../electron/engine/engine.ts';
import { createLogger } from '../../../electron/engine/util/log.ts';
import { writeColourPhoto } from '../../../scripts/fixtures/colour-photos.ts';

const [role, db, model, seconds, folder] = process.argv.slice(2);
const deadline = Date.now() + Number(seconds) * 1000;
const isLock = (e: unknown): boolean => /database is locked|SQLITE_BUSY|is busy/i.test(e instanceof Error ? `${e.message} ${(e as { code?: string }).code}` : String(e));

let ops = 0;
let lockFailures = 0;
const otherErrors: string[] = [];
const note = (e: unknown): void => {
  if (isLock(e)) lockFailures++;
  else if (otherErrors.length < 5) otherErrors.push(e instanceof Error ? e.message : String(e));
};

let engine: Engine | null = null;
try {
  engine = await Engine.open({ dbPath: db, modelDir: model, session: { threads: 1 }, logger: createLogger('worker', 'error'), autoTag: role === 'index' });
  let n = 0;
  while (Date.now() < deadline) {
    try {
      if (role === 'search') {
        await engine.search.text(['红色', '蓝色的海', '绿色'][n % 3], 10);
      } else if (role === 'status') {
        await engine.status();
        engine.library.skipped(100, 0);
        engine.library.folders();
      } else if (role === 'discover') {
        // What a reconcile pass does per file, as fast as it goes: read the row, then write it
        // (a size/mtime change re-queues it). Each call is one read-then-write transaction.
        const f = engine.lib.folders.add(folder!);
        for (let i = 0; i < 20; i++) {
          engine.lib.photos.upsertDiscovered({ path: path.join(folder!, `d${process.pid}-${i}.jpg`), folderId: f.id, size: 100 + (n % 2), mtimeMs: 1000 + n });
        }
      } else if (role === 'index') {
        const file = path.join(folder!, `w${process.pid}-${n % 4}.jpg`);
        if (n % 5 === 4) fs.rmSync(file, { force: true });
        else await writeColourPhoto(file, (['red', 'blue', 'green'] as const)[n % 3], 1000 + n);
        await engine.indexFolders([folder!]);
      }
      ops++;
    } catch (e) {
      note(e);
    }
    n++;
  }
} catch (e) {
  note(e);
} finally {
  await engine?.close().catch(note);
}
process.stdout.write(JSON.stringify({ role, ops, lockFailures, otherErrors }) + '\n');
