/**
 * The engine as one object: library database, model runtime(s), indexer, watcher, search and
 * tags, plus the API handlers every transport serves. Plain Node: the CLI, the tests, the
 * benchmarks, the web mode and Electron's utility process all create it the same way.
 *
 * Model switching: vectors are stored per model. When the engine is opened with a model other
 * than the library's active one, the new model's vectors are built in the background into their
 * own table while the old model keeps answering queries; once every photo has a new vector the
 * switch is one transaction and the old vectors are dropped. Interrupted, it resumes next time.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ApiHandlers, MediaProvider } from '../shared/handlers.ts';
import { ApiError } from '../shared/api.ts';
import { openLibrary, type Library } from './store/library.ts';
import type { VectorRepository } from './store/vector-repository.ts';
import { ModelRuntime } from './ml/model-runtime.ts';
import type { TowerSessionOptions } from './ml/onnx-session.ts';
import { resolveModelDir } from './ml/model-dir.ts';
import { Indexer, type IndexerOptions, type IndexSummary } from './index/indexer.ts';
import { PhotoWatcher, type WatcherOptions } from './library/watcher.ts';
import { acquireWatchLock, type WatchLock } from './library/watch-lock.ts';
import { SearchService } from './search/search-service.ts';
import { createHandlers } from './api-handlers.ts';
import { ThumbnailCache } from './media-cache.ts';
import { createLogger, type Logger } from './util/log.ts';
import { TagService } from './tags/service.ts';

export interface EngineOptions {
  dbPath: string;
  modelDir: string;
  /** Where thumbnails are cached. Default: beside the database. */
  cacheDir?: string;
  session?: TowerSessionOptions;
  watcher?: WatcherOptions;
  /** Zero-shot tagging of new photos as they are indexed (default true). */
  autoTag?: boolean;
  /** Encoder batch and decoder concurrency overrides (benchmarks, tests). */
  indexer?: Pick<IndexerOptions, 'batchSize' | 'decodeConcurrency'>;
  logger?: Logger;
}

interface ModelSlot {
  runtime: ModelRuntime;
  vectors: VectorRepository;
}

export class Engine {
  readonly handlers: ApiHandlers;
  readonly media: MediaProvider;
  readonly indexer: Indexer;
  readonly search: SearchService;
  readonly tags: TagService;
  private watcher: PhotoWatcher | null = null;
  private watchLock: WatchLock | null = null;
  private closed = false;

  private constructor(
    readonly lib: Library,
    /** The model new vectors are computed with. */
    private target: ModelSlot,
    /** The model queries use: the target once its vector set is complete, else the old one. */
    private serving: ModelSlot,
    private readonly opts: EngineOptions,
    readonly log: Logger,
  ) {
    this.tags = new TagService(lib, () => this.serving.vectors, () => this.serving.runtime, { log });
    this.indexer = new Indexer(lib, target.vectors, target.runtime, {
      ...opts.indexer,
      // Tagging runs on its own queue: the first run for a model encodes thousands of prompts,
      // and indexing must not wait for that.
      onIndexed: (ids) => {
        if (this.opts.autoTag !== false && this.serving === this.target) {
          this.tags.tagPhotos(ids).catch((e) => log.warn(`tagging failed: ${e instanceof Error ? e.message : e}`));
        }
      },
    });
    this.search = new SearchService(lib, () => this.serving.vectors, () => this.serving.runtime);
    const thumbDir = opts.cacheDir ?? path.join(path.dirname(path.resolve(opts.dbPath)), 'thumbnails');
    const thumbs = new ThumbnailCache(lib, thumbDir);
    this.media = {
      mediaFile: (id, kind) => (kind === 'thumb' ? thumbs.thumbnail(id) : thumbs.original(id)),
      libraryRoots: async () => lib.folders.list().map((f) => f.path),
      thumbnailRoots: async () => [thumbDir],
    };
    this.handlers = createHandlers(this);
  }

  static async open(opts: EngineOptions): Promise<Engine> {
    const log = opts.logger ?? createLogger('engine');
    const resolved = resolveModelDir(opts.modelDir);
    fs.mkdirSync(path.dirname(path.resolve(opts.dbPath)), { recursive: true });
    const lib = openLibrary(opts.dbPath);
    try {
      const { manifest } = resolved;
      const active = lib.models.active();
      const targetRow = lib.models.ensure(manifest.id, manifest.embeddingDim);
      lib.settings.set(`modelDir:${manifest.id}`, resolved.dir);
      const target: ModelSlot = { runtime: new ModelRuntime(resolved, opts.session), vectors: lib.vectors(targetRow) };
      let serving = target;
      if (active && active.modelKey !== manifest.id) {
        const oldDir = lib.settings.get<string>(`modelDir:${active.modelKey}`);
        if (oldDir && fs.existsSync(oldDir)) {
          serving = { runtime: ModelRuntime.load(oldDir, opts.session), vectors: lib.vectors(active) };
          log.info(`switching model ${active.modelKey} → ${manifest.id}: queries use ${active.modelKey} until every photo has a new vector`);
        } else {
          log.warn(`previous model ${active.modelKey} is no longer on disk; switching to ${manifest.id} now (photos will be re-encoded)`);
          lib.models.activate(manifest.id);
        }
      }
      const engine = new Engine(lib, target, serving, opts, log);
      engine.finishSwitchIfComplete();
      return engine;
    } catch (err) {
      lib.close();
      throw err;
    }
  }

  get model(): ModelRuntime {
    return this.serving.runtime;
  }

  get vectors(): VectorRepository {
    return this.serving.vectors;
  }

  /** True while a model switch is building the new vector set. */
  get switching(): { from: string; to: string } | null {
    return this.serving === this.target ? null : { from: this.serving.runtime.modelKey, to: this.target.runtime.modelKey };
  }

  /** Index folders once (adding them as watched roots), then finish a pending model switch. */
  async indexFolders(roots: string[]): Promise<IndexSummary> {
    for (const r of roots) {
      if (!fs.existsSync(r) || !fs.statSync(r).isDirectory()) throw new ApiError('NOT_FOUND', `not a folder: ${r}`);
    }
    const summary = await this.indexer.indexFolders(roots);
    await this.afterPass();
    return summary;
  }

  /** Re-scan every watched folder (start-up catch-up for changes made while the app was closed). */
  async reindexAll(): Promise<IndexSummary> {
    return this.indexFolders(this.lib.folders.list().map((f) => f.path));
  }

  async addFolder(root: string): Promise<{ id: number; path: string }> {
    const abs = path.resolve(root);
    if (!fs.existsSync(abs) || !fs.statSync(abs).isDirectory()) throw new ApiError('NOT_FOUND', `not a folder: ${abs}`);
    const folder = this.lib.folders.add(abs);
    // Index in the background; progress is visible through status().
    void this.indexFolders([abs]).catch((e) => this.log.error(`indexing ${abs} failed: ${e instanceof Error ? e.message : e}`));
    if (this.watcher) await this.restartWatcher();
    return folder;
  }

  async removeFolder(folderId: number): Promise<boolean> {
    const removed = await this.indexer.removeFolder(folderId);
    if (removed && this.watcher) await this.restartWatcher();
    return removed;
  }

  /**
   * Load the in-memory vector index now (a few seconds at 100k photos) so the first query of a
   * long-running process (desktop, web mode) does not pay for it.
   */
  warmSearchIndex(): void {
    setImmediate(() => {
      try {
        this.vectors.warmIndex();
      } catch (err) {
        this.log.warn(`vector index not loaded, searches use SQLite: ${err instanceof Error ? err.message : err}`);
      }
    });
  }

  /** Take this library's watch lock now (LibraryWatchedError if another process watches it). */
  async claimWatch(): Promise<void> {
    this.watchLock ??= await acquireWatchLock(path.resolve(this.opts.dbPath), (e) => this.log.warn(`watch lock lost: ${e.message}`));
  }

  /** Follow changes in every watched folder until close(). Refused (LibraryWatchedError) if another process watches. */
  async watch(): Promise<void> {
    await this.claimWatch();
    await this.restartWatcher();
  }

  private async restartWatcher(): Promise<void> {
    await this.watcher?.close();
    const roots = this.lib.folders.list().map((f) => f.path);
    this.watcher = new PhotoWatcher(
      async (changed, removed) => {
        const r = await this.indexer.applyChanges(changed, removed);
        await this.afterPass();
        this.log.info(`changes: +${r.added} ~${r.changed} moved ${r.moved} copied ${r.copied} -${r.removed}, encoded ${r.encoded}, skipped ${r.skipped}`);
      },
      this.opts.watcher,
      (err) => this.log.warn(`watcher: ${err.message}`),
    );
    if (roots.length) await this.watcher.start(roots);
  }

  /** Resolves when the watcher has processed everything it has seen so far (tests, CLI). */
  async settled(): Promise<void> {
    await this.watcher?.settled();
    await this.indexer.idle();
  }

  private async afterPass(): Promise<void> {
    if (this.finishSwitchIfComplete() && this.opts.autoTag !== false) void this.tags.tagAll().catch((e) => this.log.warn(`re-tagging failed: ${e instanceof Error ? e.message : e}`));
  }

  /** Complete a model switch once the new model has a vector for every indexed photo. */
  private finishSwitchIfComplete(): boolean {
    if (this.serving === this.target) return false;
    const missing = this.lib.photos.missingVectors(this.target.vectors.modelRowId, 1).length;
    const pending = this.lib.photos.counts().pending;
    if (missing > 0 || pending > 0) return false;
    const old = this.serving;
    this.lib.models.activate(this.target.runtime.modelKey);
    this.serving = this.target;
    void old.runtime.close();
    this.log.info(`model switch complete: now using ${this.target.runtime.modelKey}`);
    return true;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.indexer.stop();
    await this.watcher?.close();
    await this.watchLock?.release();
    await this.indexer.idle().catch(() => undefined);
    await this.tags.idle().catch(() => undefined);
    await this.target.runtime.close();
    if (this.serving !== this.target) await this.serving.runtime.close();
    this.lib.close();
  }
}

export function createEngine(opts: EngineOptions): Promise<Engine> {
  return Engine.open(opts);
}
