/**
 * The engine for one library and one model: the library database, model runtime(s), indexer,
 * watcher, vector search, tags and thumbnails. Plain Node. It is built by the composition root
 * (app/app.ts) for the CLI, the web mode and Electron's utility process, and directly by tests
 * and benchmarks. Transports never see it: they serve the services' handlers (see app/).
 *
 * Model switching: vectors are stored per model. When the engine is opened with a model other
 * than the library's active one, the new model's vectors are built in the background into their
 * own table while the old model keeps answering queries; once every photo has a new vector the
 * switch is one transaction and the old vectors are dropped. Interrupted, it resumes next time.
 *
 * Tagging: new photos are tagged from the vectors the indexer already holds, as soon as the
 * tag prompts' vectors exist for the model. Preparing them (thousands of prompts through the text
 * tower, minutes on a laptop for ViT-B/16) never competes with image encoding: with
 * `tagPrompts: 'background'` (watch, the app) it runs only while the indexer is idle and is
 * followed by one pass over the library; with 'on-demand' (a one-shot `index`) it waits for
 * prepareTags() (`index --tags`, `tags apply`).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { EngineStatus } from '../shared/api.ts';
import type { MediaProvider } from '../shared/handlers.ts';
import { openLibrary, type Library } from './store/library.ts';
import type { VectorBatch, VectorRepository } from './store/vector-repository.ts';
import { ModelRuntime } from './ml/model-runtime.ts';
import type { TowerSessionOptions } from './ml/onnx-session.ts';
import { resolveModelDir } from './ml/model-dir.ts';
import { embeddingSpace } from './ml/manifest.ts';
import type { TextEmbedder } from './ml/model-runtime.ts';
import { Indexer, type IndexerOptions, type IndexSummary } from './index/indexer.ts';
import { PhotoWatcher, type WatcherOptions } from './library/watcher.ts';
import { acquireWatchLock, type WatchLock } from './library/watch-lock.ts';
import { RescanScheduler } from './index/rescan-scheduler.ts';
import { RootMonitor } from './index/root-monitor.ts';
import { planFolders, rootWriter } from './index/folder-plan.ts';
import { LibraryService } from './library/library-service.ts';
import { SearchService } from './search/search-service.ts';
import { VectorSearch, type VectorSearchMode } from './search/vector-search.ts';
import { ThumbnailCache } from './media-cache.ts';
import { createLogger, type Logger } from './util/log.ts';
import { TagService } from './tags/service.ts';
import { OcrService, type OcrMode } from './ocr/ocr-service.ts';

export interface EngineOptions {
  dbPath: string;
  modelDir: string;
  /** Where thumbnails are cached. Default: beside the database. */
  cacheDir?: string;
  session?: TowerSessionOptions;
  watcher?: WatcherOptions;
  /** Zero-shot tagging of new photos as they are indexed (default true). */
  autoTag?: boolean;
  /**
   * When tag prompts are encoded for a model that has none yet: 'background' once the indexer
   * is idle (long-running processes), 'on-demand' only through prepareTags() (default).
   */
  tagPrompts?: 'background' | 'on-demand';
  /** The vector search path (default 'index'; one-shot CLI queries use 'sqlite'). */
  vectorSearch?: VectorSearchMode;
  /**
   * Reading photos' text: 'background' after every indexing pass while the indexer is idle
   * (long-running processes), 'on-demand' only through ocr.runPending() (default).
   */
  ocrMode?: OcrMode;
  /** The OCR setting, read whenever a pass would start (default: on). */
  ocrEnabled?: () => boolean;
  /** An OCR model directory or manifest instead of the shipped PP-OCRv4 (SHIGUANG_OCR_MODEL). */
  ocrModel?: string;
  /** Encoder batch and decoder concurrency overrides (benchmarks, tests). */
  indexer?: Pick<IndexerOptions, 'batchSize' | 'decodeConcurrency'>;
  logger?: Logger;
}

/**
 * How service handlers reach the engine: run `fn` on the open engine, or fail as the app decides
 * when there is none (NO_MODEL) or it is being reopened (the call waits) or closed.
 */
export type UseEngine = <T>(fn: (engine: Engine) => Promise<T> | T) => Promise<T>;

interface ModelSlot {
  runtime: ModelRuntime;
  search: VectorSearch;
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** The runtime as tagging sees it: keyed by embedding space rather than model id. */
function spaceEmbedder(runtime: ModelRuntime): TextEmbedder {
  return { modelKey: runtime.spaceKey, dim: runtime.dim, logitScale: runtime.logitScale, embedTexts: (texts) => runtime.embedTexts(texts) };
}

export class Engine {
  readonly media: MediaProvider;
  readonly indexer: Indexer;
  readonly search: SearchService;
  readonly tags: TagService;
  readonly library: LibraryService;
  readonly ocr: OcrService;
  private watcher: PhotoWatcher | null = null;
  private rescans: RescanScheduler | null = null;
  private roots: RootMonitor | null = null;
  private watcherRestart: Promise<void> = Promise.resolve();
  /** Changes whenever a pass or tagging changed what the UI's lists show (status.libraryGeneration). */
  private generation = 0;
  private watchLock: WatchLock | null = null;
  private preparingTags: Promise<void> | null = null;
  private closed = false;
  private searchWarmed = false;

  private constructor(
    /** The library database: for the engine's own services and for tests; transports never see it. */
    readonly lib: Library,
    /** The model new vectors are computed with. */
    private target: ModelSlot,
    /** The model queries use: the target once its vector set is complete, else the old one. */
    private serving: ModelSlot,
    private readonly opts: EngineOptions,
    readonly log: Logger,
  ) {
    // Tag prompts' vectors are cached per embedding space, like the photos' (an int8 model reuses them).
    this.tags = new TagService(lib, () => this.serving.search.vectors, () => spaceEmbedder(this.serving.runtime), { log });
    this.library = new LibraryService(lib);
    this.indexer = new Indexer(lib, target.search.vectors, target.runtime, {
      ...opts.indexer,
      log,
      onIndexed: (batch) => this.tagNewPhotos(batch),
    });
    this.ocr = new OcrService(lib, {
      enabled: opts.ocrEnabled ?? (() => true),
      mode: opts.ocrMode ?? 'on-demand',
      session: { provider: opts.session?.provider, threads: opts.session?.threads, enableWebgpu: opts.session?.enableWebgpu },
      indexerIdle: () => this.indexer.idle(),
      model: opts.ocrModel,
      log,
    });
    // Text queries match the text read in photos too (fused with their looks).
    this.search = new SearchService(lib, () => ({ embedder: this.serving.runtime, vectors: this.serving.search }), this.ocr.matcher());
    const thumbDir = opts.cacheDir ?? path.join(path.dirname(path.resolve(opts.dbPath)), 'thumbnails');
    const thumbs = new ThumbnailCache(lib, thumbDir);
    this.media = {
      mediaFile: (id, kind) => (kind === 'thumb' ? thumbs.thumbnail(id) : thumbs.original(id)),
      libraryRoots: async () => lib.folders.list().map((f) => f.path),
      thumbnailRoots: async () => [thumbDir],
    };
  }

  static async open(opts: EngineOptions): Promise<Engine> {
    const log = opts.logger ?? createLogger('engine');
    const resolved = resolveModelDir(opts.modelDir);
    fs.mkdirSync(path.dirname(path.resolve(opts.dbPath)), { recursive: true });
    const lib = openLibrary(opts.dbPath);
    try {
      const { manifest } = resolved;
      const slot = (runtime: ModelRuntime, row: ReturnType<Library['models']['ensure']>): ModelSlot => ({
        runtime,
        search: new VectorSearch(lib.vectors(row), lib.vectorLog, { mode: opts.vectorSearch ?? 'index', logger: log }),
      });
      // Vectors are kept per embedding space: an int8 model shares its fp32 source's.
      const space = embeddingSpace(manifest);
      const active = lib.models.active();
      const targetRow = lib.models.ensure(space, manifest.embeddingDim);
      lib.models.setDir(space, resolved.dir);
      const target = slot(new ModelRuntime(resolved, opts.session), targetRow);
      let serving = target;
      if (active && active.modelKey !== space) {
        if (active.dir && fs.existsSync(active.dir)) {
          serving = slot(ModelRuntime.load(active.dir, opts.session), active);
          log.info(`switching model ${active.modelKey} → ${space}: queries use ${active.modelKey} until every photo has a new vector`);
        } else {
          log.warn(`previous model ${active.modelKey} is no longer on disk; switching to ${space} now (photos will be re-encoded)`);
          lib.models.activate(space);
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

  /** The model that answers queries. */
  get model(): ModelRuntime {
    return this.serving.runtime;
  }

  /** The serving model's vector search. */
  get vectorSearch(): VectorSearch {
    return this.serving.search;
  }

  /** The serving model's stored vectors. */
  get vectors(): VectorRepository {
    return this.serving.search.vectors;
  }

  /** True while a model switch is building the new vector set. */
  get switching(): { from: string; to: string } | null {
    return this.serving === this.target ? null : { from: this.serving.runtime.modelKey, to: this.target.runtime.modelKey };
  }

  async status(): Promise<EngineStatus> {
    const m = this.model.model.manifest;
    return {
      counts: this.library.counts(),
      progress: this.indexer.snapshot(),
      model: { id: m.id, name: m.name, embeddingDim: m.embeddingDim },
      provider: await this.model.providerReport(),
      ocr: this.ocr.status(),
      offlineFolders: this.library.offlineFolders(),
      libraryGeneration: this.generation,
    };
  }

  /**
   * Index folders once (adding them as library folders, as index/folder-plan.ts reads what was
   * typed), then finish a pending model switch. `cwd`: where a relative path is read from (the
   * CLI); without it one is refused.
   */
  async indexFolders(folders: string[], opts: { cwd?: string } = {}): Promise<IndexSummary & { notes: string[] }> {
    const plan = await planFolders(folders, rootWriter(this.lib, this.indexer), { ...opts, inside: 'use-root' });
    const summary = await this.indexer.indexFolders(plan.roots);
    await this.afterPass();
    return { ...summary, notes: plan.notes };
  }

  /** Re-scan every watched folder (start-up catch-up for changes made while the app was closed). */
  async reindexAll(): Promise<IndexSummary> {
    return this.indexFolders(this.lib.folders.list().map((f) => f.path));
  }

  /** Add a folder as typed (refused with a reason: relative, missing, not a folder, unreadable, already included). */
  async addFolder(typed: string, opts: { cwd?: string } = {}): Promise<{ id: number; path: string }> {
    const plan = await planFolders([typed], rootWriter(this.lib, this.indexer), { ...opts, inside: 'refuse' });
    const abs = plan.roots[0]!;
    const folder = this.lib.folders.add(abs);
    // Index in the background; progress is visible through status().
    void this.indexFolders([abs]).catch((e) => this.log.error(`indexing ${abs} failed: ${message(e)}`));
    if (this.watcher) await this.restartWatcher();
    return folder;
  }

  async removeFolder(folderId: number): Promise<boolean> {
    const removed = await this.indexer.removeFolder(folderId);
    if (removed && this.watcher) await this.restartWatcher();
    return removed;
  }

  /**
   * Encodes the tag prompts for the serving model if they are not in the store yet (the first
   * time for a model), then tags every photo. `onProgress` counts prompts.
   */
  async prepareTags(onProgress?: (done: number, total: number) => void): Promise<{ photos: number; assigned: number; computed: number }> {
    // Stops between batches of prompts once the engine closes (Ctrl-C during `index --tags`).
    const beforeBatch = async (): Promise<void> => {
      if (this.closed) throw new Error('engine closed');
    };
    const { computed } = await this.tags.ensureTagVectors({ onProgress, beforeBatch });
    const r = await this.tags.tagAll();
    return { ...r, computed };
  }

  /**
   * Open the vector index now (its snapshot: well under a second at a million photos; without one,
   * a background rebuild while sqlite-vec answers) so the first query of a long-running process
   * (desktop, web mode) does not pay for it.
   */
  warmSearchIndex(): void {
    this.searchWarmed = true;
    setImmediate(() => {
      try {
        this.vectorSearch.warmIndex();
      } catch (err) {
        this.log.warn(`vector index not loaded, searches use SQLite: ${message(err)}`);
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
    // A folder going away or coming back: watch what is there, and catch up (index/root-monitor.ts).
    if (!this.roots) {
      this.indexer.roots.onChange(() => {
        this.watcherRestart = this.watcherRestart.then(() => (this.closed ? undefined : this.restartWatcher())).catch((e) => this.log.warn(`watcher: ${message(e)}`));
        this.rescans?.noteActivity(0);
      });
      this.roots = new RootMonitor(this.indexer.roots, (e) => this.log.warn(`checking the folders failed: ${message(e)}`), this.opts.watcher?.rootCheckMs);
    }
    this.prepareTagsInBackground();
    this.ocr.schedule();
  }

  private async restartWatcher(): Promise<void> {
    await this.watcher?.close();
    // Folders that are away are not watched (root-monitor.ts watches them come back).
    const roots = this.lib.folders.list().filter((f) => !f.offline).map((f) => f.path);
    // After every burst, watcher error and periodically, a full (stat-only) pass makes the library
    // equal the disk again, whatever events were missed (index/rescan-scheduler.ts).
    this.rescans ??= new RescanScheduler(() => this.reindexAll(), (e) => this.log.warn(`re-check of the folders failed: ${message(e)}`), this.opts.watcher?.rescan);
    const rescans = this.rescans;
    this.watcher = new PhotoWatcher(
      async (changed, removed) => {
        try {
          const r = await this.indexer.applyChanges(changed, removed);
          await this.afterPass();
          this.log.info(`changes: +${r.added} ~${r.changed} moved ${r.moved} copied ${r.copied} -${r.removed}, encoded ${r.encoded}, skipped ${r.skipped}`);
        } finally {
          rescans.noteActivity();
        }
      },
      this.opts.watcher,
      (err) => {
        this.log.warn(`watcher: ${err.message}`);
        rescans.noteActivity();
      },
    );
    if (roots.length) await this.watcher.start(roots);
  }


  /** Resolves when the watcher has processed everything it has seen so far (tests, CLI). */
  async settled(): Promise<void> {
    await this.watcher?.settled();
    await this.indexer.idle();
    await this.preparingTags;
  }

  /** The indexer's hook: tag photos from the vectors it just stored, if the prompts are ready. */
  private async tagNewPhotos(batch: VectorBatch): Promise<void> {
    if (this.opts.autoTag === false || this.serving !== this.target) return;
    const done = await this.tags.tagBatchIfReady(batch).catch((e) => {
      this.log.warn(`tagging failed: ${message(e)}`);
      return undefined;
    });
    if (done === null) this.prepareTagsInBackground(); // prompts not ready: a full pass follows them
  }

  /**
   * Background mode only: encode the tag prompts while the indexer is idle (each batch of prompts
   * waits for it), then tag the whole library once. At most one preparation at a time.
   */
  private prepareTagsInBackground(): void {
    if (this.opts.tagPrompts !== 'background' || this.opts.autoTag === false || this.preparingTags || this.closed) return;
    if (this.tags.isReady()) return;
    this.preparingTags = (async () => {
      await this.indexer.idle();
      const t0 = Date.now();
      const { computed } = await this.tags.ensureTagVectors({ beforeBatch: () => (this.closed ? Promise.reject(new Error('engine closed')) : this.indexer.idle()) });
      if (this.closed) return;
      const r = await this.tags.tagAll();
      this.generation++;
      this.log.info(`tags ready: ${computed} tags encoded, ${r.photos} photos tagged in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    })()
      .catch((e) => {
        if (!this.closed) this.log.warn(`preparing tags failed: ${message(e)}`);
      })
      .finally(() => {
        this.preparingTags = null;
      });
  }

  private async afterPass(): Promise<void> {
    this.generation++;
    this.ocr.schedule();
    if (this.finishSwitchIfComplete() && this.opts.autoTag !== false) {
      if (this.tags.isReady()) void this.tags.tagAll().catch((e) => this.log.warn(`re-tagging failed: ${message(e)}`));
      else this.prepareTagsInBackground();
    }
  }

  /** Complete a model switch once the new model has a vector for every indexed photo. */
  private finishSwitchIfComplete(): boolean {
    if (this.serving === this.target) return false;
    const missing = this.lib.photos.missingVectors(this.target.search.vectors.modelRowId, 1).length;
    const pending = this.lib.photos.counts().pending;
    if (missing > 0 || pending > 0) return false;
    const old = this.serving;
    this.lib.models.activate(this.target.runtime.spaceKey);
    this.serving = this.target;
    void old.runtime.close();
    if (this.searchWarmed) this.warmSearchIndex(); // the new model's index, built now rather than on the first query
    this.log.info(`model switch complete: now using ${this.target.runtime.modelKey}`);
    return true;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.indexer.stop();
    this.roots?.close();
    await this.watcherRestart;
    await this.watcher?.close();
    await this.rescans?.close();
    await this.watchLock?.release();
    await this.indexer.idle().catch(() => undefined);
    await this.preparingTags;
    await this.tags.idle().catch(() => undefined);
    await this.ocr.close();
    await this.target.runtime.close();
    if (this.serving !== this.target) await this.serving.runtime.close();
    // Saves the index snapshots that changed, so the next start does not rebuild them.
    await this.serving.search.close({ trimLog: true });
    if (this.serving !== this.target) await this.target.search.close();
    this.lib.close();
  }
}
