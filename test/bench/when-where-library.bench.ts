/**
 * BENCH_ONLY=when-where: query understanding on a library of BENCH_VECTORS photos (default 100k,
 * the bench dataset of test/bench/search/dataset.ts, copied so the cached one stays as it is)
 * with GPS positions and cameras written into it:
 *
 *   placesPass            the reverse-geocoding pass over every photo, photos/s (the StatePass
 *                         bookkeeping, lookups and row writes, as the scheduler runs it)
 *   filterOnlyFirstPageMs a query that is all filter ("2021年在哈尔滨": a place and a year, no
 *                         words) through SearchService: reading, filter, first page of
 *                         UI_PAGE_SIZE newest first with the matched count
 *   timePlaceWordsFirstPageMs  a time + place + words query through SearchService with the words'
 *                         vector given (text encoding excluded, like the query bench's first page),
 *                         next to the unfiltered and the date-filtered first page in the same run
 *   timelineMs, placesTreeMs, screenshotsFirstPageMs  the month counts, the Places tree, "截图"
 *
 * Nothing is asserted; see docs/decisions/when-where.md.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UI_PAGE_SIZE } from '../../electron/shared/paging.ts';
import { LibraryService } from '../../electron/engine/library/library-service.ts';
import { Gazetteer } from '../../electron/engine/places/gazetteer.ts';
import { PlacesPass } from '../../electron/engine/places/places-pass.ts';
import { PlacesService } from '../../electron/engine/places/places-service.ts';
import { QueryReader } from '../../electron/engine/query/query-reader.ts';
import { SearchService } from '../../electron/engine/search/search-service.ts';
import { VectorSearch } from '../../electron/engine/search/vector-search.ts';
import { openLibrary } from '../../electron/engine/store/index.ts';
import { localTimeSql } from '../../electron/engine/store/local-time-sql.ts';
import { mulberry32 } from '../../scripts/random.ts';
import { openDataset } from './search/dataset.ts';

const log = (msg: string): void => void process.stderr.write(`[bench] ${msg}\n`);
const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! * 100) / 100;
};
const stat = (xs: number[]): { p50: number; p95: number } => ({ p50: pct(xs, 50), p95: pct(xs, 95) });

/** Where the bench library's photos were taken: 70% in eight cities, 10% abroad, 20% without GPS. */
const CITIES: [string, number, number][] = [
  ['哈尔滨', 45.7567, 126.6424],
  ['西安', 34.2611, 108.9423],
  ['北京', 39.9087, 116.3975],
  ['上海', 31.2304, 121.4737],
  ['杭州', 30.2741, 120.1551],
  ['成都', 30.5728, 104.0668],
  ['广州', 23.1291, 113.2644],
  ['昆明', 25.0389, 102.7183],
];
const ABROAD: [string, number, number][] = [
  ['东京', 35.6812, 139.7671],
  ['巴黎', 48.8584, 2.2945],
];
const MAKES = [['Apple', 'iPhone 13'], ['HUAWEI', 'ELE-AL00'], ['Xiaomi', 'Redmi Note 8'], ['Canon', 'Canon EOS 80D'], [null, null]] as const;

export async function benchWhenWhereLibrary(opts: { n: number; modelKey: string }): Promise<Record<string, unknown>> {
  const d = openDataset(opts.n, 'clip-like', 20, undefined, opts.modelKey);
  const dbFile = d.dbFile;
  d.close();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-ww-bench-'));
  const copy = path.join(tmp, 'library.db');
  fs.copyFileSync(dbFile, copy);
  for (const ext of ['-wal', '-shm']) if (fs.existsSync(dbFile + ext)) fs.copyFileSync(dbFile + ext, copy + ext);
  const lib = openLibrary(copy);
  try {
    // GPS and cameras, a small jitter around each city (≈ ±5 km).
    const rand = mulberry32(17);
    const n = lib.photos.counts().indexed;
    const set = lib.db.sql.prepare('UPDATE photos SET gps_lat = ?, gps_lon = ?, camera_make = ?, camera_model = ? WHERE id = ?');
    lib.transaction(() => {
      for (let id = 1; id <= n; id++) {
        const r = rand();
        const where = r < 0.7 ? CITIES[Math.floor(rand() * CITIES.length)]! : r < 0.8 ? ABROAD[Math.floor(rand() * ABROAD.length)]! : null;
        const [make, model] = MAKES[Math.floor(rand() * MAKES.length)]!;
        set.run(where ? where[1] + (rand() - 0.5) * 0.09 : null, where ? where[2] + (rand() - 0.5) * 0.12 : null, make, model, id);
      }
    });
    const out: Record<string, unknown> = { photos: n, uiPageSize: UI_PAGE_SIZE };

    // The bare lookups first, in the same run: the machine's load moves both alike.
    const g = Gazetteer.load();
    const positions = lib.db.sql.prepare('SELECT gps_lat, gps_lon FROM photos WHERE gps_lat IS NOT NULL').raw().all() as [number, number][];
    const tl = performance.now();
    for (const [a, b] of positions) g.lookup(a, b);
    const lookupsPerSecond = Math.round(positions.length / ((performance.now() - tl) / 1000));
    // The pass, batch by batch as the scheduler runs it.
    const pass = new PlacesPass(lib);
    const ctx = { signal: new AbortController().signal, yieldTo: async () => {}, working: () => {}, completed: () => {} };
    const t0 = performance.now();
    let done = 0;
    for (let owed = pass.owed(pass.batchSize, 0); owed.length > 0; owed = pass.owed(pass.batchSize, owed.at(-1)!.id)) {
      await pass.run(owed, ctx);
      done += owed.length;
    }
    const seconds = (performance.now() - t0) / 1000;
    out.placesPass = {
      photos: done,
      seconds: Math.round(seconds * 100) / 100,
      photosPerSecond: Math.round(done / seconds),
      bareLookupsPerSecond: lookupsPerSecond,
      placeRows: lib.db.sql.prepare('SELECT count(*) FROM photo_places').pluck().get(),
    };
    log(`when-where: places pass ${JSON.stringify(out.placesPass)}`);

    const places = new PlacesService(lib);
    const reader = new QueryReader({ places: () => places.knownPlaces(), describePlace: (id) => places.describe(id), now: () => Date.parse('2026-12-06T12:00:00+08:00') });
    const vectors = new VectorSearch(lib.vectors(lib.models.active()!), lib.vectorLog);
    vectors.open();
    await vectors.whenIdle();
    let queryVec = d.queries[0]!;
    const embedder = { preprocessSpec: undefined as never, embedTexts: async () => [queryVec], embedImageTensors: async () => [] };
    const search = new SearchService(lib, () => ({ embedder, vectors }), undefined, reader);
    const time = async (fn: () => Promise<unknown> | unknown, rounds: number): Promise<number[]> => {
      await fn(); // warm-up: statements prepared, matcher built
      const ms: number[] = [];
      for (let i = 0; i < rounds; i++) {
        const s = performance.now();
        await fn();
        ms.push(performance.now() - s);
      }
      return ms;
    };

    const filterOnly = ['2021年在哈尔滨', '2022年在西安', '去年在东京', '2020年的上海', '2023年在成都拍的'];
    const matched: Record<string, number> = {};
    const foMs: number[] = [];
    for (const q of filterOnly) {
      const first = await search.text(q, UI_PAGE_SIZE);
      matched[q] = first.matched ?? -1;
      foMs.push(...(await time(() => search.text(q, UI_PAGE_SIZE), 10)));
    }
    out.filterOnlyFirstPageMs = { ...stat(foMs), queries: filterOnly, matched };
    log(`when-where: filter-only ${JSON.stringify(out.filterOnlyFirstPageMs)}`);

    // Words with time and place: the words' vector is a CLIP-like query (the text encoder is excluded).
    const cached = new Map<string, number[]>();
    const figure = async (name: string, q: string, filter = {}): Promise<void> => {
      const ms: number[] = [];
      for (let i = 0; i < d.queries.length; i++) {
        queryVec = d.queries[i]!;
        const text = `${q} #${i}`; // a new text each time: the query-vector cache must not answer
        const s = performance.now();
        await search.text(text, UI_PAGE_SIZE, filter, undefined, 'visual');
        ms.push(performance.now() - s);
      }
      cached.set(name, ms);
    };
    await figure('warm-up', '海边');
    await figure('words only (海边)', '海边');
    await figure('words + date filter from the UI (2021)', '海边', { after: '2021-01-01', before: '2021-12-31' });
    await figure('time + place + words (2021年在哈尔滨的海边)', '2021年在哈尔滨的海边');
    await figure('time + place + words (2022年冬天在西安的海边)', '2022年冬天在西安的海边');
    await figure('weekends + words (周末的海边: every row\'s local weekday)', '周末的海边');
    cached.delete('warm-up');
    out.wordsFirstPageMs = Object.fromEntries([...cached].map(([k, v]) => [k, stat(v)]));
    log(`when-where: words ${JSON.stringify(out.wordsFirstPageMs)}`);

    const library = new LibraryService(lib);
    out.timelineMs = stat(await time(() => library.timeline({}), 10));
    out.timelineMonths = library.timeline({}).months.length;
    out.timelinePlaceMs = stat(await time(() => library.timeline({ place: ['CN-230100'] }), 10));
    out.placesTreeMs = stat(await time(() => places.tree({}), 10));
    out.placesTreeFilteredMs = stat(await time(() => places.tree({ after: '2021-01-01', before: '2021-12-31' }), 5));
    out.screenshotsFirstPageMs = stat(await time(() => search.text('截图', UI_PAGE_SIZE), 10));
    out.eveningFirstPageMs = stat(await time(() => search.text('2021年晚上拍的', UI_PAGE_SIZE), 10));
    // 周末 alone: no range narrows it, every dated photo's local weekday is computed (sql-functions.ts).
    out.weekendFirstPageMs = stat(await time(() => search.text('周末', UI_PAGE_SIZE), 10));
    // 那年今日: the home screen's first suggestion; its count reads every dated photo's local date.
    out.onThisDayFirstPageMs = stat(await time(() => search.text('那年今日', UI_PAGE_SIZE), 10));
    out.onThisDayMatched = (await search.text('那年今日', UI_PAGE_SIZE)).matched ?? null;
    // The weekend condition over every photo, as the filter writes it (local-time-sql.ts: arithmetic
    // where the zone's offset is steady) and through the registered JS function alone, same run.
    const countWhere = (cond: string, params: Record<string, unknown>): number =>
      (lib.db.sql.prepare(`SELECT count(*) AS n FROM photos p WHERE p.taken_at IS NOT NULL AND ${cond} IN (6, 7)`).get(params) as { n: number }).n;
    const sqlParams: Record<string, unknown> = {};
    const weekdaySql = localTimeSql('weekday', sqlParams);
    out.weekendCountSqlMs = stat(await time(() => countWhere(weekdaySql, sqlParams), 5));
    out.weekendCountFunctionMs = stat(await time(() => countWhere('local_weekday(p.taken_at)', {}), 5));
    out.weekendCountsAgree = countWhere(weekdaySql, sqlParams) === countWhere('local_weekday(p.taken_at)', {});
    out.zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    out.cameraFirstPageMs = stat(await time(() => search.text('用iPhone拍的', UI_PAGE_SIZE), 10));
    log(`when-where: ${JSON.stringify({ timeline: out.timelineMs, tree: out.placesTreeMs, screenshots: out.screenshotsFirstPageMs, evening: out.eveningFirstPageMs, weekend: out.weekendFirstPageMs, onThisDay: out.onThisDayFirstPageMs, onThisDayMatched: out.onThisDayMatched, weekendCountSql: out.weekendCountSqlMs, weekendCountFunction: out.weekendCountFunctionMs, agree: out.weekendCountsAgree, zone: out.zone, camera: out.cameraFirstPageMs })}`);
    await vectors.close();
    return out;
  } finally {
    lib.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
