/**
 * Following the library folders: the watcher (chokidar events → reconcile batches), the re-check
 * passes that make the library equal the disk whatever events were missed, and the lock that lets
 * one process watch a library at a time (search and status work beside it).
 *
 * Folders that are away (library/root-availability.ts) are not watched. Every root is probed
 * now and then (root-monitor.ts); a folder going away or coming back — found by the monitor or by
 * any pass — restarts the watcher on the folders that are there (watches on an unmounted drive
 * are dead, a re-mounted one needs new ones) and runs a full pass, which catches up with what
 * changed while it was away and reads nothing that did not.
 */
import path from 'node:path';
import type { Library } from '../store/library.ts';
import { PhotoWatcher, type WatcherOptions } from '../library/watcher.ts';
import { acquireWatchLock, type WatchLock } from '../library/watch-lock.ts';
import { RescanScheduler } from '../library/rescan-scheduler.ts';
import type { Logger } from '../util/log.ts';
import type { Indexer } from './indexer.ts';
import { RootMonitor } from './root-monitor.ts';
import type { EngineEvent } from '../engine-events.ts';

/** What a batch of changes did to the library. */
export type ChangeCounts = Omit<Extract<EngineEvent, { kind: 'changes' }>, 'kind'>;

export interface LibraryWatchOptions {
  dbPath: string;
  watcher?: WatcherOptions;
  /** A full (stat-only) reconcile of every folder: what it changed. */
  reindexAll: () => Promise<ChangeCounts>;
  /** After every batch of changes (passes, a model switch's completion). */
  afterPass: () => Promise<void>;
  /** Each batch of changes applied — by the watcher's events or a re-check — in figures (engine-events.ts). */
  onChanges?: (changes: ChangeCounts) => void;
  log: Logger;
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export class LibraryWatch {
  private watcher: PhotoWatcher | null = null;
  private rescans: RescanScheduler | null = null;
  private lock: WatchLock | null = null;
  private roots: RootMonitor | null = null;
  private restarting: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly lib: Library,
    private readonly indexer: Indexer,
    private readonly opts: LibraryWatchOptions,
  ) {}

  get watching(): boolean {
    return this.watcher !== null;
  }

  /** Take this library's watch lock now (the library-watched ApiError if another process watches it). */
  async claim(): Promise<void> {
    this.lock ??= await acquireWatchLock(path.resolve(this.opts.dbPath), (e) => this.opts.log.warn(`watch lock lost: ${e.message}`));
  }

  /** Follow every library folder until close(). */
  async start(): Promise<void> {
    if (this.closed) return; // closed meanwhile (stopped during the first pass): start nothing
    await this.claim();
    await this.restart();
    if (!this.roots) {
      this.indexer.roots.onChange(() => {
        this.restarting = this.restarting.then(() => (this.closed ? undefined : this.restart())).catch((e) => this.opts.log.warn(`watcher: ${message(e)}`));
        this.rescans?.noteActivity(0);
      });
      this.roots = new RootMonitor(this.indexer.roots, (e) => this.opts.log.warn(`checking the folders failed: ${message(e)}`), this.opts.watcher?.rootCheckMs);
    }
  }

  /** The folders changed: watch the new set (only if watching). */
  async foldersChanged(): Promise<void> {
    if (this.watcher) await this.restart();
  }

  /** Resolves when the watcher has handed on everything it has seen so far. */
  async settled(): Promise<void> {
    await this.watcher?.settled();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.roots?.close();
    await this.restarting;
    await this.watcher?.close();
    await this.rescans?.close();
    await this.lock?.release();
  }

  /** Into the log (every watcher batch; a re-check only when it changed something) and to the listener when something changed. */
  private reportChanges(r: ChangeCounts, always: boolean): void {
    const counts: ChangeCounts = { added: r.added, changed: r.changed, moved: r.moved, copied: r.copied, removed: r.removed, encoded: r.encoded, skipped: r.skipped };
    const any = Object.values(counts).some((n) => n > 0);
    if (always || any) this.opts.log.info(`changes: +${r.added} ~${r.changed} moved ${r.moved} copied ${r.copied} -${r.removed}, encoded ${r.encoded}, skipped ${r.skipped}`);
    if (any) this.opts.onChanges?.(counts);
  }

  private async restart(): Promise<void> {
    await this.watcher?.close();
    // Folders that are away are not watched (the monitor notices them come back).
    const roots = this.lib.folders.list().filter((f) => !f.offline).map((f) => f.path);
    // After every burst, watcher error and periodically, a full (stat-only) pass makes the library
    // equal the disk again, whatever events were missed (library/rescan-scheduler.ts).
    // A re-check that found something (missed events, a drive back with changes) is reported like the watcher's batches.
    const recheck = async (): Promise<void> => this.reportChanges(await this.opts.reindexAll(), false);
    this.rescans ??= new RescanScheduler(recheck, (e) => this.opts.log.warn(`re-check of the folders failed: ${message(e)}`), this.opts.watcher?.rescan);
    const rescans = this.rescans;
    this.watcher = new PhotoWatcher(
      async (changed, removed) => {
        try {
          const r = await this.indexer.applyChanges(changed, removed);
          await this.opts.afterPass();
          this.reportChanges(r, true);
        } finally {
          rescans.noteActivity();
        }
      },
      this.opts.watcher,
      (err) => {
        this.opts.log.warn(`watcher: ${err.message}`);
        rescans.noteActivity();
      },
    );
    if (roots.length) await this.watcher.start(roots);
  }
}
