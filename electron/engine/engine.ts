/**
 * The engine for one library and one model: it puts the library's services together and owns
 * their lifecycle — open, watch, close, in that order. Plain Node. It is built by the composition
 * root (app/app.ts) for the CLI, the web mode and Electron's utility process, and directly by
 * tests and benchmarks. Transports never see it: they serve the services' handlers (see app/).
 *
 * What runs where: the indexer embeds photos (index/); the per-photo passes registered in
 * pass-registry.ts (tags, text in photos, …) run after it on the pass scheduler (passes/), while
 * nothing waits to be embedded or when a command asks; a model switch builds the new vectors while
 * the old model serves (model-slots.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { EngineStatus } from '../shared/api.ts';
import type { MediaProvider } from '../shared/handlers.ts';
import { FolderService } from './index/folder-service.ts';
import { Indexer, type IndexSummary } from './index/indexer.ts';
import { LibraryWatch, type ChangeCounts } from './index/library-watch.ts';
import { registerOwnDir } from './library/own-dirs.ts';
import { LibraryService } from './library/library-service.ts';
import { libraryMedia } from './media-cache.ts';
import type { ModelRuntime } from './ml/model-runtime.ts';
import { resolveModelDir } from './ml/model-dir.ts';
import { ModelSlots } from './model-slots.ts';
import { OcrService } from './ocr/ocr-service.ts';
import { registeredPasses } from './pass-registry.ts';
import { PlacesService } from './places/places-service.ts';
import { QueryReader } from './query/query-reader.ts';
import { PassScheduler } from './passes/scheduler.ts';
import { SearchService } from './search/search-service.ts';
import { StacksService } from './stacks/stacks-service.ts';
import { thresholdsFor } from './stacks/thresholds.ts';
import { openLibrary, type Library } from './store/library.ts';
import type { VectorRepository } from './store/vector-repository.ts';
import { TagService } from './tags/service.ts';
import { createLogger, type Logger } from './util/log.ts';
import { engineStatus } from './engine-status.ts';
import type { EngineOptions } from './engine-options.ts';
import { FrameImages } from './video-frames/frame-images.ts';
import { VideoFramesPass } from './video-frames/video-pass.ts';

export type { EngineOptions } from './engine-options.ts';

export class Engine {
  readonly media: MediaProvider;
  readonly indexer: Indexer;
  readonly search: SearchService;
  readonly tags: TagService;
  readonly library: LibraryService;
  readonly ocr: OcrService;
  /** Duplicates report and the person's decisions about stacks (the stacks pass groups them). */
  readonly stacks: StacksService;
  readonly passes: PassScheduler;
  readonly folders: FolderService;
  /** Videos' frames: the pass that samples and embeds them (engine/video-frames/). */
  readonly videos: VideoFramesPass;
  /** Where photos were taken: the Places view and the query's known places. */
  readonly places: PlacesService;
  private readonly watcher: LibraryWatch;
  private readonly releaseOwnDir: () => void;
  private closed = false;
  private searchWarmed = false;
  /** Moves after every indexing pass (status.libraryGeneration: the UI reloads its lists on it). */
  private generation = 0;

  private constructor(
    /** The library database: for the engine's own services and for tests; transports never see it. */
    readonly lib: Library,
    private readonly models: ModelSlots,
    private readonly opts: EngineOptions,
    readonly log: Logger,
  ) {
    const serving = () => this.models.serving;
    // Tag prompts' vectors are cached per embedding space, like the photos' (an int8 model reuses them).
    this.tags = new TagService(lib, () => serving().search.vectors, () => serving().runtime.spaceEmbedder(), { log });
    this.library = new LibraryService(lib);
    this.passes = new PassScheduler({
      indexerIdle: () => this.indexer.idle(),
      switching: () => this.switching !== null,
      putAwayEncoder: () => models.releaseImageTowers(),
      mode: opts.passes ?? 'on-demand',
      // The video pass samples the new model's frames after indexing: the switch can complete then.
      afterRun: () => {
        if (this.finishSwitch()) this.passes.schedule(); // the passes that waited for the switch
      },
      onReport: (pass, report) => opts.onEvent?.({ kind: 'pass', pass, report }),
      log,
    });
    this.indexer = new Indexer(lib, models.target.search.vectors, models.target.runtime, { ...opts.indexer, log, onIndexed: (batch) => this.passes.onEmbedded(batch) });
    const { provider, threads, enableWebgpu } = opts.session ?? {};
    this.ocr = new OcrService(lib, { enabled: opts.ocrEnabled ?? (() => true), session: { provider, threads, enableWebgpu }, model: opts.ocrModel, log });
    const thumbDir = opts.cacheDir ?? path.join(path.dirname(path.resolve(opts.dbPath)), 'thumbnails');
    // The images written there (thumbnails, video frames) are never photos, wherever the data folder lies.
    this.releaseOwnDir = registerOwnDir(thumbDir);
    const frameImages = new FrameImages(path.join(thumbDir, 'frames'));
    this.videos = new VideoFramesPass(lib, () => ({ frames: lib.videoFrames(models.target.search.vectors.model), embedder: models.target.runtime }), frameImages, log, opts.video);
    this.stacks = new StacksService(lib, () => this.passes.schedule());
    const stacks = { vectors: () => serving().search.vectors, thresholds: () => thresholdsFor(serving().runtime.model.manifest.stacks), log };
    for (const pass of registeredPasses({ lib, tags: this.tags, ocr: this.ocr, autoTag: opts.autoTag !== false, videos: this.videos, stacks })) this.passes.register(pass);
    this.places = new PlacesService(lib);
    // Text queries are read for time, place, kind and camera first; the words left match the text
    // read in photos too (fused with their looks), and videos' frames.
    const reader = new QueryReader({ places: () => this.places.knownPlaces(), describePlace: (id) => this.places.describe(id), now: () => opts.now ?? Date.now() });
    this.search = new SearchService(lib, () => ({ embedder: serving().runtime, vectors: serving().search, frames: serving().frames }), this.ocr.matcher(), reader, {
      sensitivity: opts.searchSensitivity,
    });
    const afterPass = () => this.afterPass();
    this.folders = new FolderService(lib, this.indexer, () => this.watcher, afterPass, log);
    const onChanges = (c: ChangeCounts) => opts.onEvent?.({ kind: 'changes', ...c });
    this.watcher = new LibraryWatch(lib, this.indexer, { dbPath: opts.dbPath, watcher: opts.watcher, reindexAll: () => this.folders.reindexAll(), afterPass, onChanges, log });
    this.indexer.roots.onChange((s) => opts.onEvent?.(s.probe.online ? { kind: 'folder-online', path: s.path } : { kind: 'folder-offline', path: s.path, reason: s.probe.reason }));
    this.media = libraryMedia(lib, thumbDir, { images: frameImages, frames: () => lib.videoFrames(serving().search.vectors.model) });
  }

  static async open(opts: EngineOptions): Promise<Engine> {
    const log = opts.logger ?? createLogger('engine');
    const resolved = resolveModelDir(opts.modelDir);
    fs.mkdirSync(path.dirname(path.resolve(opts.dbPath)), { recursive: true });
    const lib = openLibrary(opts.dbPath);
    try {
      const engine = new Engine(lib, ModelSlots.open(lib, resolved, { session: opts.session, vectorSearch: opts.vectorSearch, log }), opts, log);
      engine.models.finishSwitchIfComplete();
      return engine;
    } catch (err) {
      lib.close();
      throw err;
    }
  }

  /** The model that answers queries. */
  get model(): ModelRuntime {
    return this.models.serving.runtime;
  }

  /** The serving model's stored vectors. */
  get vectors(): VectorRepository {
    return this.models.serving.search.vectors;
  }

  /** True while a model switch is building the new vector set. */
  get switching(): { from: string; to: string } | null {
    return this.models.switching;
  }

  status(): Promise<EngineStatus> {
    return engineStatus({ library: this.library, indexer: this.indexer, model: this.model, passes: this.passes, ocr: this.ocr, generation: this.generation });
  }

  indexFolders(roots: string[]): Promise<IndexSummary> {
    return this.folders.indexFolders(roots);
  }

  reindexAll(): Promise<IndexSummary> {
    return this.folders.reindexAll();
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
        this.models.serving.search.warmIndex();
      } catch (err) {
        this.log.warn(`vector index not loaded, searches use SQLite: ${err instanceof Error ? err.message : String(err)}`);
      }
    });
  }

  /** Take this library's watch lock now (the library-watched ApiError if another process watches). */
  claimWatch(): Promise<void> {
    return this.watcher.claim();
  }

  /** Follow changes in every library folder until close(); passes run in the background meanwhile. */
  async watch(): Promise<void> {
    if (this.closed) return; // closed while its caller was indexing: nothing is started on a closed library
    await this.watcher.start();
    this.passes.schedule();
  }

  /** Resolves when everything seen so far is indexed and the passes it started have run (tests, CLI). */
  async settled(): Promise<void> {
    await this.watcher.settled();
    await this.indexer.idle();
    await this.passes.idle();
  }

  /** What follows every indexing pass: a model switch completes once its vectors are built; the passes run. */
  private async afterPass(): Promise<void> {
    this.generation++;
    this.finishSwitch();
    this.passes.schedule();
  }

  /** Completes a model switch whose vectors and frames are all built (warming the new search index); true when it did now. */
  private finishSwitch(): boolean {
    if (!this.models.finishSwitchIfComplete()) return false;
    if (this.searchWarmed) this.warmSearchIndex();
    return true;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.indexer.stop();
    await this.watcher.close();
    await this.indexer.idle().catch(() => undefined);
    await this.passes.close();
    await this.tags.idle().catch(() => undefined);
    await this.ocr.close();
    await this.models.close();
    this.lib.close();
    this.releaseOwnDir();
  }
}
