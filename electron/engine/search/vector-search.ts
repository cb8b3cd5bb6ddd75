/**
 * Vector search for one model, as the UI pages through it: the codes index (vector-index/) when it
 * is current, sqlite-vec's exact scan otherwise, with the same keyset cursors on both paths. Every
 * filter is applied inside the query, so a page is the best `limit` photos of the filtered set.
 *
 * The index follows the database through the change log (store/vector-log.ts), not through
 * in-process events alone, so it also sees other processes' commits (a CLI run beside the app)
 * and survives crashes: before answering it reads the log past the seq it reflects and applies
 * those photos' current rows. Its snapshot lives next to the database and is loaded on open; a
 * snapshot of another database (epoch), one older than the trimmed log, or a backlog larger than
 * `syncCatchUp` is rebuilt in the background (small libraries synchronously), and until then
 * pages come from SQL, whose KNN stops at MAX_K results — the page then says so (`limit`), it is
 * never a silent cap.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Logger } from '../util/log.ts';
import type { VectorChangeListener } from '../store/change-feed.ts';
import type { VectorLog } from '../store/vector-log.ts';
import type { PhotoQuery, VectorHit, VectorRepository } from '../store/vector-repository.ts';
import { sqlPage } from './sql-pages.ts';
import { CodesIndex } from './vector-index/codes-index.ts';
import { ExactVectors } from './vector-index/exact-vectors.ts';
import { kernelAvailable } from './vector-index/kernel.ts';
import { READER_THREADS, sharedParallelReader, type ParallelReader } from './vector-index/parallel-reader.ts';
import { indexDirFor, loadSnapshot, readSnapshotHeader, removeIndexFiles, saveSnapshot, SNAPSHOT_FORMAT, vectorsFile } from './vector-index/persist.ts';
import { Searcher, type FirstPageMark, type PageCursor, type Resume } from './vector-index/searcher.ts';
import { VectorSource, type SourceRow } from './vector-index/source.ts';

export type { FirstPageMark, PageCursor, Resume } from './vector-index/searcher.ts';

/** A photo hit of a page, with where a cursor after it stands when that is not its own (distance, id). */
export interface PagedHit extends VectorHit {
  resume?: Resume;
}

/** 'index': the codes index when it is current (default in long-running processes); 'sqlite': sqlite-vec only. */
export type VectorSearchMode = 'index' | 'sqlite';

export interface VectorPage {
  hits: PagedHit[];
  /** Cursor for the next page; null when there is none (see `limit` for why it may stop early). */
  next: PageCursor | null;
  path: 'index' | 'sqlite';
  /** Photos passing the filter (index path; the SQL path does not count them). */
  matched?: number;
  /** Results stop at maxResults for this reason: the SQL fallback's KNN cannot go deeper. */
  limit?: { maxResults: number; reason: 'index-building' | 'sqlite-only' | 'in-transaction' };
  /** The mark of a position before the first hit (an approximate first page: vector-index/searcher.ts). */
  lead?: FirstPageMark;
}

export interface VectorSearchOptions {
  mode?: VectorSearchMode;
  /** Snapshot directory; default next to the database; null keeps the index in memory only. */
  dir?: string | null;
  /** Changed photos applied before a query at most; a larger backlog is rebuilt in the background. */
  syncCatchUp?: number;
  /** Libraries up to this many vectors are built synchronously when there is no snapshot. */
  syncBuild?: number;
  /** Save a snapshot once this many photos changed since the last one (also on close and after a rebuild). */
  saveEvery?: number;
  /**
   * Threads that read a page's exact vectors at once (vector-index/parallel-reader.ts),
   * for indexes of at least PARALLEL_READS_FROM photos; 0 reads on the calling thread only (as
   * before; benchmarks compare the two). Default READER_THREADS.
   */
  readerThreads?: number;
  logger?: Logger;
}

/** Below this many photos the files stay in the page cache on any machine: no reader threads. */
export const PARALLEL_READS_FROM = 100_000;

const DEFAULT_SYNC_CATCH_UP = 2000;
const DEFAULT_SYNC_BUILD = 20_000;
const REBUILD_BATCH = 4096;

export class VectorSearch {
  mode: VectorSearchMode;
  /** The path the last page took (tests, benchmarks). */
  lastSearchPath: 'index' | 'sqlite' | undefined;
  readonly source: VectorSource;
  private index: CodesIndex | undefined;
  private searcher: Searcher | undefined;
  private exact: ExactVectors | undefined;
  private epoch = '';
  private seq = 0;
  private opened = false;
  private building: Promise<void> | undefined;
  private changedSinceSave = 0;
  private saveScheduled = false;
  private closed = false;
  private dropped = false;
  private readonly dir: string;
  private readonly persistent: boolean;
  /** Held here: the change feed keeps only a weak reference. */
  private readonly listener: VectorChangeListener;

  constructor(
    readonly vectors: VectorRepository,
    log: VectorLog,
    private readonly opts: VectorSearchOptions = {},
  ) {
    this.mode = opts.mode ?? 'index';
    this.source = new VectorSource(vectors, log);
    const dir = opts.dir === undefined ? indexDirFor(log.dbFile, vectors.table) : opts.dir;
    this.persistent = dir !== null;
    this.dir = dir ?? path.join(os.tmpdir(), `shiguang-vindex-${process.pid}-${vectors.table}-${Math.random().toString(36).slice(2)}`);
    const noop = (): void => undefined;
    this.listener = {
      vectorsWritten: noop,
      vectorDeleted: noop,
      photoChanged: noop,
      folderRemoved: noop,
      tableDropped: (t) => {
        if (t === vectors.table) void this.destroy();
      },
    };
    vectors.subscribe(this.listener);
  }

  get dim(): number {
    return this.vectors.dim;
  }

  get state(): 'ready' | 'building' | 'off' {
    if (this.mode === 'sqlite' || this.dropped || !kernelAvailable()) return 'off';
    return this.index && !this.building ? 'ready' : 'building';
  }

  /**
   * Loads a matching snapshot (then catches up from the log), or builds: synchronously for a small
   * library, else in the background. Called on the first page if not before.
   */
  open(): void {
    if (this.opened || this.mode === 'sqlite' || this.closed || this.dropped || !kernelAvailable()) return;
    this.opened = true;
    const t0 = performance.now();
    if (this.persistent && this.tryLoad()) {
      this.opts.logger?.info(`vector index ${this.vectors.table}: ${this.index!.size} photos from its snapshot in ${Math.round(performance.now() - t0)} ms`);
      if (this.catchUp()) return;
    } else if (this.source.count() <= (this.opts.syncBuild ?? DEFAULT_SYNC_BUILD)) {
      for (const step of this.build()) if (step === 'abandoned') return;
      return;
    }
    this.startRebuild();
  }

  /** Starts loading the index now instead of on the first query; false when search uses SQL only. */
  warmIndex(): boolean {
    this.open();
    return this.state !== 'off';
  }

  /**
   * Resolves when nothing runs in the background: no rebuild, no reader threads starting, no next
   * page being prepared (tests, benchmarks, shutdown).
   */
  async whenIdle(): Promise<void> {
    while (this.building) await this.building;
    await this.exact?.whenReady();
    await this.searcher?.whenPrepared();
  }

  /** The first k matches (one page). */
  search(query: Float32Array, k: number, filter: PhotoQuery = {}): VectorHit[] {
    return this.page(query, k, filter).hits;
  }

  /**
   * One page: the best `limit` matches after `after` (or the first page), filters inside the query.
   * From the index when it is current, else from sqlite-vec (which may set `limit`).
   */
  page(query: Float32Array, limit: number, filter: PhotoQuery = {}, after?: PageCursor): VectorPage {
    if (query.length !== this.dim) throw new Error(`vector has ${query.length} dimensions; model ${this.source.modelKey} uses ${this.dim}`);
    if (this.dropped) return { hits: [], next: null, path: 'sqlite' };
    const out = this.answer(query, Math.floor(limit), filter, after);
    this.lastSearchPath = out.path;
    return out;
  }

  private answer(query: Float32Array, limit: number, filter: PhotoQuery, after: PageCursor | undefined): VectorPage {
    if (this.state === 'off') return this.sqlPage(query, limit, filter, after, 'sqlite-only');
    // A caller's open transaction may roll back writes the index would have to follow.
    if (this.source.inTransaction) return this.sqlPage(query, limit, filter, after, 'in-transaction');
    this.open();
    if (!this.index || this.building || !this.catchUp()) return this.sqlPage(query, limit, filter, after, 'index-building');
    const resolved = this.source.resolveFilter(filter);
    if (!resolved || !(limit >= 1)) return { hits: [], next: null, path: 'index', matched: 0 };
    const p = this.searcher!.page(query, limit, resolved, after);
    const out: VectorPage = {
      hits: p.hits.map((h) => (h.resume ? { photoId: h.photoId, score: 1 - h.distance, resume: h.resume } : { photoId: h.photoId, score: 1 - h.distance })),
      next: p.next,
      path: 'index',
      matched: p.matched,
    };
    if (p.lead) out.lead = p.lead;
    return out;
  }

  /** Rows and bytes of the in-memory index (the exact vectors' file lives in the page cache). */
  indexStats(): { loaded: boolean; state: 'ready' | 'building' | 'off'; rows: number; bytes: number; seq: number } {
    return { loaded: !!this.index, state: this.state, rows: this.index?.size ?? 0, bytes: this.index?.memoryBytes ?? 0, seq: this.seq };
  }

  /** Drops the in-memory index without saving; the next page opens it again (snapshot or rebuild). */
  unload(): void {
    this.searcher?.reset();
    this.exact?.close();
    this.index = this.searcher = this.exact = undefined;
    this.opened = false;
  }

  /** Writes a snapshot now (when current) and trims the log behind it. */
  save(): boolean {
    if (!this.persistent || !this.index || this.building || this.closed || this.dropped || !this.catchUp()) return false;
    this.exact!.sync();
    saveSnapshot(this.dir, this.index, { table: this.vectors.table, modelKey: this.source.modelKey, epoch: this.epoch, seq: this.seq });
    this.source.prune(this.seq);
    this.changedSinceSave = 0;
    return true;
  }

  /**
   * Saves (when current and changed by more than the next start can cheaply catch up from the log)
   * and releases everything; a running rebuild is abandoned. A few changes are left to the log:
   * writing a million-photo snapshot takes a second or two, which a quitting app may not have.
   * `trimLog` (the serving model's search in a process without an index, e.g. a CLI `index` run):
   * drop the log when the snapshot is too far behind to catch up from it anyway.
   */
  async close(opts: { save?: boolean; trimLog?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    if (opts.trimLog && !this.index) this.trimUselessLog();
    if (opts.save !== false && this.changedSinceSave > (this.opts.syncCatchUp ?? DEFAULT_SYNC_CATCH_UP) / 2) {
      try {
        this.save();
      } catch (err) {
        this.opts.logger?.warn(`vector index ${this.vectors.table}: snapshot not saved (${String(err)}); it is rebuilt next time`);
      }
    }
    this.closed = true;
    this.searcher?.reset();
    await this.building?.catch(() => undefined);
    this.exact?.close();
    if (!this.persistent) fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /**
   * The log only helps a snapshot whose backlog stays within syncCatchUp (more is rebuilt from
   * the vectors anyway): past several times that, it is trimmed so that a library indexed without
   * the app does not grow it without end. An index elsewhere that was further ahead still detects
   * the trim (prunedThrough) and rebuilds — which its backlog would have forced too.
   */
  private trimUselessLog(): void {
    try {
      const state = this.source.logState();
      const snapshotSeq = (this.persistent && readSnapshotHeader(this.dir)?.seq) || 0;
      if (state.seq - Math.max(snapshotSeq, state.prunedThrough) > 4 * (this.opts.syncCatchUp ?? DEFAULT_SYNC_CATCH_UP)) this.source.prune(state.seq);
    } catch (err) {
      this.opts.logger?.warn(`vector index ${this.vectors.table}: change log not trimmed (${String(err)})`);
    }
  }

  /** The model's table was dropped (model retired): the files go too. */
  async destroy(): Promise<void> {
    this.dropped = true;
    await this.close({ save: false });
    removeIndexFiles(this.dir);
  }

  private tryLoad(): boolean {
    const header = readSnapshotHeader(this.dir);
    const state = this.source.logState();
    if (!header || header.format !== SNAPSHOT_FORMAT || header.dim !== this.dim || header.table !== this.vectors.table) return false;
    if (header.modelKey !== this.source.modelKey || header.epoch !== state.epoch) return false;
    if (header.seq < state.prunedThrough || header.seq > state.seq || !fs.existsSync(vectorsFile(this.dir))) return false;
    const index = loadSnapshot(this.dir, header);
    if (!index) return false;
    this.install(index, ExactVectors.open(vectorsFile(this.dir), this.dim), state.epoch, header.seq);
    return true;
  }

  /** The process's reader threads for an index of `rows` photos (started as it opens: ExactVectors.prestart), or null. */
  private reader(rows: number): (() => ParallelReader) | null {
    const threads = this.opts.readerThreads ?? READER_THREADS;
    return rows >= PARALLEL_READS_FROM && threads > 0 ? () => sharedParallelReader(threads) : null;
  }

  private install(index: CodesIndex, exact: ExactVectors, epoch: string, seq: number): void {
    if (this.exact && this.exact !== exact) this.exact.close();
    exact.parallel = this.reader(index.size);
    exact.prestart();
    this.searcher?.reset();
    this.index = index;
    this.exact = exact;
    this.searcher = new Searcher(index, exact);
    this.epoch = epoch;
    this.seq = seq;
    // Memory-only: the files may go now (POSIX keeps them while open); elsewhere close() removes them.
    if (!this.persistent) {
      try {
        fs.rmSync(this.dir, { recursive: true, force: true });
      } catch {
        // Windows: open files cannot be removed
      }
    }
  }

  /**
   * Applies the log past this.seq; false (and a background rebuild) when that cannot be done
   * here: another database, a trimmed log, or more changes than syncCatchUp.
   */
  private catchUp(): boolean {
    if (!this.index) return false;
    const { state, ids, complete } = this.source.changesSince(this.seq, this.opts.syncCatchUp ?? DEFAULT_SYNC_CATCH_UP);
    if (state.epoch !== this.epoch || state.prunedThrough > this.seq || !complete) {
      this.startRebuild();
      return false;
    }
    if (ids.length > 0) {
      this.apply(this.index, this.exact!, this.source.rows(ids));
      this.searcher!.reset();
      this.changedSinceSave += ids.length;
      this.maybeScheduleSave();
    }
    this.seq = state.seq;
    return true;
  }

  private apply(index: CodesIndex, exact: ExactVectors, rows: readonly SourceRow[]): void {
    for (const r of rows) {
      if (r.vector) {
        index.set(r.id, r.vector, { takenAt: r.takenAt, folderId: r.folderId });
        exact.write(r.id, r.vector);
      } else index.remove(r.id);
    }
  }

  private maybeScheduleSave(): void {
    const every = this.opts.saveEvery ?? Math.max(10_000, Math.round((this.index?.size ?? 0) * 0.05));
    if (!this.persistent || this.saveScheduled || this.changedSinceSave < every) return;
    this.saveScheduled = true;
    setImmediate(() => {
      this.saveScheduled = false;
      try {
        this.save();
      } catch (err) {
        this.opts.logger?.warn(`vector index ${this.vectors.table}: snapshot not saved (${String(err)})`);
      }
    });
  }

  private startRebuild(): void {
    if (this.building || this.closed || this.dropped) return;
    const t0 = performance.now();
    this.building = (async () => {
      await yieldToEventLoop();
      for (const step of this.build()) {
        if (step === 'abandoned') return;
        await yieldToEventLoop();
      }
      this.opts.logger?.info(`vector index ${this.vectors.table}: rebuilt, ${this.index?.size ?? 0} photos in ${Math.round(performance.now() - t0)} ms`);
    })()
      .catch((err: unknown) => {
        this.opts.logger?.error(`vector index ${this.vectors.table}: rebuild failed (${err instanceof Error ? err.message : String(err)}); searching with sqlite-vec`);
      })
      .finally(() => {
        this.building = undefined;
      });
  }

  /**
   * Reads every vector from SQLite into a new index and a new exact-vectors file, then applies
   * what changed meanwhile and swaps it in. Yields between batches (the caller decides whether to
   * give the event loop a turn); yields 'abandoned' and stops when closed.
   */
  private *build(): Generator<'batch' | 'abandoned'> {
    const start = this.source.logState();
    fs.mkdirSync(this.dir, { recursive: true });
    const tmpVectors = `${vectorsFile(this.dir)}.building`;
    const exact = ExactVectors.open(tmpVectors, this.dim, { truncate: true });
    const index = new CodesIndex(this.dim);
    let installed = false;
    try {
      index.reserve(this.source.count());
      index.beginBulk();
      const dim = this.dim;
      for (const b of this.source.batches(REBUILD_BATCH)) {
        if (this.closed) return yield 'abandoned';
        let runStart = 0;
        for (let i = 0; i < b.ids.length; i++) {
          index.set(b.ids[i]!, b.vectors.subarray(i * dim, (i + 1) * dim), { takenAt: b.takenAt[i]!, folderId: b.folderIds[i]! });
          // Consecutive ids go to the exact-vectors file in one write.
          if (i + 1 === b.ids.length || b.ids[i + 1] !== b.ids[i]! + 1) {
            exact.writeRun(b.ids[runStart]!, b.vectors.subarray(runStart * dim, (i + 1) * dim));
            runStart = i + 1;
          }
        }
        yield 'batch';
      }
      index.endBulk();
      // What changed while we read: applied from the log, in bounded steps.
      let seq = start.seq;
      for (;;) {
        if (this.closed) return yield 'abandoned';
        const { state, ids, complete } = this.source.changesSince(seq, 50_000);
        if (state.epoch !== start.epoch) throw new Error('the database changed identity during the rebuild');
        this.apply(index, exact, this.source.rows(ids));
        seq = state.seq;
        if (complete) break;
        yield 'batch';
      }
      exact.close();
      const finalVectors = vectorsFile(this.dir);
      this.exact?.close();
      fs.renameSync(tmpVectors, finalVectors);
      this.install(index, ExactVectors.open(finalVectors, this.dim), start.epoch, seq);
      installed = true;
      this.changedSinceSave = 0;
      if (this.persistent) {
        this.exact!.sync();
        saveSnapshot(this.dir, index, { table: this.vectors.table, modelKey: this.source.modelKey, epoch: this.epoch, seq: this.seq });
        this.source.prune(this.seq);
      }
    } finally {
      if (!installed) {
        exact.close();
        fs.rmSync(tmpVectors, { force: true });
      }
    }
  }

  private sqlPage(query: Float32Array, limit: number, filter: PhotoQuery, after: PageCursor | undefined, reason: NonNullable<VectorPage['limit']>['reason']): VectorPage {
    return sqlPage(this.source, query, limit, filter, after, reason);
  }
}
