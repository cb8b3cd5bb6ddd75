/**
 * Cold start, measured in a fresh process: open the library → first page answered.
 *
 *   node --import tsx test/bench/search/cold-start.ts DB INDEX_DIR QUERY_SEED [READER_THREADS]
 *
 * INDEX_DIR '-': the default, beside the database. QUERY_SEED 'build': write the snapshot and exit.
 * READER_THREADS: the index's reader threads (0: read on one thread, as before; default: the
 * index's default).
 *
 * Prints one JSON line: the time from opening the database to the first answered page (and its
 * parts), which path answered (index when the snapshot loaded, sqlite while it would rebuild),
 * and the process's time since start for reference. The page cache is whatever the caller left.
 */
import { openLibrary } from '../../../electron/engine/store/index.ts';
import { VectorSearch } from '../../../electron/engine/search/vector-search.ts';
import { makeQueries } from './vectors.ts';

const [db, dirArg, seed, threadsArg] = process.argv.slice(2);
const readerThreads = threadsArg === undefined || threadsArg === 'default' ? undefined : Number(threadsArg);
const dir = dirArg === '-' ? undefined : dirArg;
if (seed === 'build') {
  // Write the snapshot (a rebuild from SQLite) and exit: the runs after this one measure.
  const lib = openLibrary(db!);
  const search = new VectorSearch(lib.vectors(lib.models.active()!), lib.vectorLog, { dir });
  search.open();
  await search.whenIdle();
  await search.close();
  lib.close();
  process.exit(0);
}
const [q] = makeQueries('clip-like', 1, 512, Number(seed ?? 7));
const t0 = performance.now();
const lib = openLibrary(db!);
const repo = lib.vectors(lib.models.active()!);
const t1 = performance.now();
const search = new VectorSearch(repo, lib.vectorLog, { dir, syncBuild: 0, readerThreads });
search.open();
const t2 = performance.now();
const page = search.page(q!, 500);
const t3 = performance.now();
process.stdout.write(
  JSON.stringify({
    coldStartMs: Math.round(t3 - t0),
    openLibraryMs: Math.round(t1 - t0),
    openIndexMs: Math.round(t2 - t1),
    firstPageMs: Math.round((t3 - t2) * 100) / 100,
    path: page.path,
    hits: page.hits.length,
    processUptimeMs: Math.round(t3),
    rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
  }) + '\n',
);
await search.close({ save: false });
lib.close();
