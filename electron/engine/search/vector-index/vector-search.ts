/**
 * Vector search for one model, as the UI pages through it: the codes index when it is current,
 * sqlite-vec's exact scan otherwise, with the same keyset cursors on both paths.
 *
 * The index follows the database through the change log (migration 2), not through in-process
 * events, so it also sees writes by other processes (a CLI run beside the app) and survives
 * crashes: before answering it reads the log past the seq it reflects and applies those photos'
 * current rows. A snapshot of another database (epoch), one older than the trimmed log, or a
 * backlog larger than `syncCatchUp` starts a rebuild in the background; until it is done pages
 * come from SQL, whose KNN stops at MAX_K results — the page then says so (limit), it is never a
 * silent cap.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Logger } from '../../util/log.ts';
import { MAX_K, type VectorFilter } from '../../store/vector-repository.ts';
import type { SourceRow, StoreVectorSource } from '../../store/vector-source.ts';
import { CodesIndex } from './codes-index.ts';
import { ExactVectors } from './exact-vectors.ts';
import { indexDirFor, loadSnapshot, readSnapshotHeader, removeIndexFiles, saveSnapshot, SNAPSHOT_FORMAT, vectorsFile } from './persist.ts';
import { Searcher, type PageCursor } from './searcher.ts';

export type { PageCursor } from './searcher.ts';

export interface VectorPageHit {
  photoId: number;
  /** Cosine similarity, 1 - sqlite-vec's cosine distance. */
  score: number;
}

export interface VectorPage {
  hits: VectorPageHit[];
  /** Cursor for the next page; null when there is none (see `limit` for why it may stop early). */
  next: PageCursor | null;
  path: 'index' | 'sqlite';
  /** Photos passing the filter (index path; the SQL path does not count them). */
  matched?: number;
  /** Results stop at maxResults for this reason: the SQL fallback's KNN cannot go deeper. */
  limit?: { maxResults: number; reason: 'index-building' | 'sqlite-forced' | 'in-transaction' };
}

export type IndexState = 'ready' | 'building' | 'off';

export interface VectorSearchOptions {
  /** Snapshot directory; default next to the database; null keeps the index in memory only. */
  dir?: string | null;
  /** Answer from sqlite-vec only (SHIGUANG_VECTOR_INDEX=sqlite). */
  sqliteOnly?: boolean;
  /** Changed photos applied before a query at most; a larger backlog is rebuilt in the background. */
  syncCatchUp?: number;
  /** Save a snapshot once this many photos changed since the last one (also on close and after a rebuild). */
  saveEvery?: number;
  logger?: Logger;
}

const DEFAULT_SYNC_CATCH_UP = 2000;
const REBUILD_BATCH = 4096;

export class VectorSearch {
  private index: CodesIndex | undefined;
  private searcher: Searcher | undefined;
  private exact: ExactVectors | undefined;
  private epoch = '';
  private seq = 0;
  private building: Promise<void> | undefined;
  private changedSinceSave = 0;
  private saveScheduled = false;
  private closed = false;
  private readonly dir: string;
  private readonly persistent: boolean;
  private readonly syncCatchUp: number;

  constructor(
    private readonly source: StoreVectorSource,
    private readonly opts: VectorSearchOptions = {},
  ) {
    const dir = opts.dir === undefined ? indexDirFor(source.dbFile, source.table) : opts.dir;
    this.persistent = dir !== null;
    this.dir = dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-vindex-'));
    this.syncCatchUp = opts.syncCatchUp ?? DEFAULT_SYNC_CATCH_UP;
  }

  get state(): IndexState {
    if (this.opts.sqliteOnly) return 'off';
    return this.index && !this.building ? 'ready' : 'building';
  }

  /** Loads a matching snapshot (then catches up from the log), or starts a rebuild in the background. */
  open(): void {
    if (this.opts.sqliteOnly || this.closed) return;
    const t0 = performance.now();
    if (this.persistent && this.tryLoad()) {
      this.opts.logger?.info(`vector index ${this.source.table}: ${this.index!.size} rows from snapshot in ${Math.round(performance.now() - t0)} ms`);
      if (this.catchUp()) return;
    }
    this.startRebuild();
  }

  /** Resolves when no rebuild is running (tests, benchmarks, shutdown). */
  async whenIdle(): Promise<void> {
    while (this.building) await this.building;
  }

  /**
   * One page of the best matches after `after` (or the first page), filters inside the query.
   * From the index when it is current, else from sqlite-vec (which may set `limit`).
   */
  page(query: Float32Array, limit: number, filter: VectorFilter = {}, after?: PageCursor): VectorPage {
    if (query.length !== this.source.dim) throw new Error(`query has ${query.length} dimensions; model ${this.source.modelKey} uses ${this.source.dim}`);
    if (this.opts.sqliteOnly) return this.sqlPage(query, limit, filter, after, 'sqlite-forced');
    // A caller's open transaction may roll back writes the index would have to follow.
    if (this.source.inTransaction) return this.sqlPage(query, limit, filter, after, 'in-transaction');
    if (!this.index || this.building || !this.catchUp()) return this.sqlPage(query, limit, filter, after, 'index-building');
    const resolved = this.source.resolveFilter(filter);
    if (!resolved) return { hits: [], next: null, path: 'index', matched: 0 };
    const p = this.searcher!.page(query, limit, resolved, after);
    return { hits: p.hits.map((h) => ({ photoId: h.photoId, score: 1 - h.distance })), next: p.next, path: 'index', matched: p.matched };
  }

  /** Rows and bytes of the in-memory index (the exact vectors' file lives in the page cache). */
  stats(): { state: IndexState; rows: number; memoryBytes: number; seq: number } {
    return { state: this.state, rows: this.index?.size ?? 0, memoryBytes: this.index?.memoryBytes ?? 0, seq: this.seq };
  }

  /** Writes a snapshot now (when current) and trims the log behind it. */
  save(): boolean {
    if (!this.persistent || !this.index || this.building || this.closed || !this.catchUp()) return false;
    this.exact!.sync();
    saveSnapshot(this.dir, this.index, { table: this.source.table, modelKey: this.source.modelKey, epoch: this.epoch, seq: this.seq });
    this.source.prune(this.seq);
    this.changedSinceSave = 0;
    return true;
  }

  /** Saves (if current and changed) and releases everything; a running rebuild is abandoned. */
  async close(opts: { save?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    if (opts.save !== false && this.changedSinceSave > 0) {
      try {
        this.save();
      } catch (err) {
        this.opts.logger?.warn(`vector index ${this.source.table}: snapshot not saved (${String(err)}); it is rebuilt next time`);
      }
    }
    this.closed = true;
    await this.building?.catch(() => undefined);
    this.exact?.close();
    if (!this.persistent) fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** Drops the files (the model was retired). */
  async destroy(): Promise<void> {
    await this.close({ save: false });
    removeIndexFiles(this.dir);
  }

  private tryLoad(): boolean {
    const header = readSnapshotHeader(this.dir);
    const state = this.source.logState();
    if (!header || header.format !== SNAPSHOT_FORMAT || header.dim !== this.source.dim || header.table !== this.source.table) return false;
    if (header.modelKey !== this.source.modelKey || header.epoch !== state.epoch) return false;
    if (header.seq < state.prunedThrough || header.seq > state.seq || !fs.existsSync(vectorsFile(this.dir))) return false;
    const index = loadSnapshot(this.dir, header);
    if (!index) return false;
    this.install(index, ExactVectors.open(vectorsFile(this.dir), this.source.dim), state.epoch, header.seq);
    return true;
  }

  private install(index: CodesIndex, exact: ExactVectors, epoch: string, seq: number): void {
    if (this.exact && this.exact !== exact) this.exact.close();
    this.index = index;
    this.exact = exact;
    this.searcher = new Searcher(index, exact);
    this.epoch = epoch;
    this.seq = seq;
  }

  /**
   * Applies the log past this.seq; false (and a background rebuild) when that cannot be done
   * here: another database, a trimmed log, or more changes than syncCatchUp.
   */
  private catchUp(): boolean {
    if (!this.index) return false;
    const { state, ids, complete } = this.source.changesSince(this.seq, this.syncCatchUp);
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
        this.opts.logger?.warn(`vector index ${this.source.table}: snapshot not saved (${String(err)})`);
      }
    });
  }

  private startRebuild(): void {
    if (this.building || this.closed || this.opts.sqliteOnly) return;
    const t0 = performance.now();
    this.building = this.rebuild()
      .then((rows) => {
        if (rows >= 0) this.opts.logger?.info(`vector index ${this.source.table}: rebuilt ${rows} rows in ${Math.round(performance.now() - t0)} ms`);
      })
      .catch((err: unknown) => {
        this.opts.logger?.error(`vector index ${this.source.table}: rebuild failed (${err instanceof Error ? err.message : String(err)}); searching with sqlite-vec`);
      })
      .finally(() => {
        this.building = undefined;
      });
  }

  /**
   * Reads every vector from SQLite into a new index and a new exact-vectors file, yielding to the
   * event loop between batches, then applies what changed meanwhile and swaps it in. Returns the
   * row count, or -1 when abandoned (closed).
   */
  private async rebuild(): Promise<number> {
    await yieldToEventLoop();
    const start = this.source.logState();
    fs.mkdirSync(this.dir, { recursive: true });
    const tmpVectors = `${vectorsFile(this.dir)}.building`;
    const exact = ExactVectors.open(tmpVectors, this.source.dim, { truncate: true });
    const index = new CodesIndex(this.source.dim);
    let installed = false;
    try {
      index.reserve(this.source.count());
      index.beginBulk();
      for (const b of this.source.batches(REBUILD_BATCH)) {
        if (this.closed) return -1;
        const dim = this.source.dim;
        let runStart = 0;
        for (let i = 0; i < b.ids.length; i++) {
          index.set(b.ids[i]!, b.vectors.subarray(i * dim, (i + 1) * dim), { takenAt: b.takenAt[i]!, folderId: b.folderIds[i]! });
          // Consecutive ids go to the exact-vectors file in one write.
          if (i + 1 === b.ids.length || b.ids[i + 1] !== b.ids[i]! + 1) {
            exact.writeRun(b.ids[runStart]!, b.vectors.subarray(runStart * dim, (i + 1) * dim));
            runStart = i + 1;
          }
        }
        await yieldToEventLoop();
      }
      index.endBulk();
      // What changed while we read: applied from the log, in bounded steps.
      let seq = start.seq;
      for (;;) {
        if (this.closed) return -1;
        const { state, ids, complete } = this.source.changesSince(seq, 50_000);
        if (state.epoch !== start.epoch) throw new Error('the database changed identity during the rebuild');
        this.apply(index, exact, this.source.rows(ids));
        seq = state.seq;
        if (complete) break;
        await yieldToEventLoop();
      }
      if (this.closed) return -1;
      exact.close();
      const finalVectors = vectorsFile(this.dir);
      this.exact?.close();
      fs.renameSync(tmpVectors, finalVectors);
      this.install(index, ExactVectors.open(finalVectors, this.source.dim), start.epoch, seq);
      installed = true;
      this.changedSinceSave = 0;
      if (this.persistent) {
        this.exact!.sync();
        saveSnapshot(this.dir, index, { table: this.source.table, modelKey: this.source.modelKey, epoch: this.epoch, seq: this.seq });
        this.source.prune(this.seq);
      }
      return index.size;
    } finally {
      if (!installed) {
        exact.close();
        fs.rmSync(tmpVectors, { force: true });
      }
    }
  }

  /**
   * The fallback: sqlite-vec's exact KNN for the first depth + limit (+ a few, for ties and rows
   * that moved), re-ordered by (distance, id) like the index, then the part after the cursor.
   * Its k cannot exceed MAX_K: when the cursor reaches that deep, the page ends there and says so.
   */
  private sqlPage(query: Float32Array, limit: number, filter: VectorFilter, after: PageCursor | undefined, reason: NonNullable<VectorPage['limit']>['reason']): VectorPage {
    const depth = after?.depth ?? 0;
    let k = Math.min(MAX_K, depth + limit + 64);
    for (;;) {
      const rows = this.source
        .exactSearch(query, k, filter)
        .map((h) => ({ photoId: h.photoId, distance: Math.fround(1 - h.score) }))
        .sort((a, b) => a.distance - b.distance || a.photoId - b.photoId);
      const exhausted = rows.length < k; // every filtered photo is in `rows`
      const rest = after ? rows.filter((r) => r.distance > after.distance || (r.distance === after.distance && r.photoId > after.photoId)) : rows;
      if (!exhausted && rest.length < limit && k < MAX_K) {
        k = MAX_K; // the cursor is deeper than its depth says (rows were added before it)
        continue;
      }
      const page = rest.slice(0, limit);
      const last = page[page.length - 1];
      const more = rest.length > limit || (!exhausted && k < MAX_K);
      const out: VectorPage = {
        hits: page.map((r) => ({ photoId: r.photoId, score: 1 - r.distance })),
        next: last && more ? { distance: last.distance, photoId: last.photoId, depth: depth + page.length } : null,
        path: 'sqlite',
      };
      if (!exhausted && k === MAX_K && rest.length <= limit) out.limit = { maxResults: MAX_K, reason };
      return out;
    }
  }
}
