/**
 * The composition root: the one place that puts the engine together, for the CLI, `serve` (the
 * web mode) and the desktop engine process alike. It resolves the saved settings and this run's
 * overrides (config.ts) into the model runtime's options, opens the chosen model's engine (or
 * starts without one, for the first-run model chooser), and offers each service's handlers for
 * transports to register (services()).
 *
 * The chosen model lives in one place: the settings' `activeModel` (written by `models use` and
 * the model chooser), unless this run was given a model directory (--model / SHIGUANG_MODEL). The
 * library database records only which vector sets exist and which is complete (the serving one
 * during a model switch), with each model's directory.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ApiError, apiError, type EngineStatus } from '../../shared/api.ts';
import type { MediaProvider, ServiceHandlers, ServiceSet } from '../../shared/handlers.ts';
import type { Engine, EngineOptions } from '../engine.ts';
import type { Use } from '../util/use.ts';
import { libraryHandlers } from '../library/library-handlers.ts';
import { prepareModelDir } from '../ml/prepare-model.ts';
import { loadCatalogue } from '../models/catalogue.ts';
import { DownloadRegistry, type ModelHooks } from '../models/download-registry.ts';
import { listInstalled, useModel as persistActiveModel } from '../models/install.ts';
import { listModelChoices } from '../models/model-choices.ts';
import { QuantizeRegistry } from '../models/quantize-registry.ts';
import { searchHandlers } from '../search/search-handlers.ts';
import { SettingsService, settingsHandlers } from '../settings/settings-service.ts';
import { tagsHandlers } from '../tags/tags-handlers.ts';
import { ocrHandlers } from '../ocr/ocr-handlers.ts';
import { stacksHandlers } from '../stacks/stacks-handlers.ts';
import { createLogger, type Logger } from '../util/log.ts';
import type { AppConfig } from './config.ts';
import { EngineSlot } from './engine-slot.ts';
import { NO_MODEL_HELP, noModelChosen } from './model-choice.ts';
import { DatabaseDamagedError } from '../store/errors.ts';
import { SOURCE_CATALOGUE } from '../models/sources.ts';

export interface AppOptions {
  config: AppConfig;
  logger?: Logger;
  /** Passed through to every Engine.open. */
  engine?: Pick<EngineOptions, 'autoTag' | 'cacheDir' | 'watcher' | 'indexer' | 'passes' | 'vectorSearch' | 'onEvent'>;
  /** Follow changes in the watched folders whenever an engine is open (long-running processes). */
  watch?: boolean;
  /** Re-scan the watched folders after the first open (changes made while nothing was running). */
  catchUp?: boolean;
  models?: ModelHooks;
}

const IDLE_PROGRESS: EngineStatus['progress'] = { running: false, done: 0, total: 0, rate: 0, etaSeconds: null, current: null };

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Anything thrown while opening a model, as the API reports it. */
function modelApiError(err: unknown, what: string, model: string): ApiError {
  if (err instanceof ApiError) return err;
  return apiError('model-open-failed', { model }, `${what}: ${message(err)}`);
}

export class ShiguangApp {
  readonly settings: SettingsService;
  readonly log: Logger;
  /** Runs `fn` on the open engine; NO_MODEL when there is none. */
  readonly use: Use<Engine>;
  readonly media: Required<MediaProvider>;
  private readonly slot: EngineSlot;
  private readonly downloads: DownloadRegistry;
  private readonly quantizations: QuantizeRegistry;
  /** Why the chosen model is not open (failed to open, no longer installed). */
  private modelError: { id: string | null; message: string; reason?: 'model-open-failed' | 'model-not-installed' } | null = null;

  private constructor(private readonly opts: AppOptions) {
    const { config } = opts;
    this.log = opts.logger ?? createLogger('app');
    this.settings = new SettingsService(config.paths.config, config.sessionOverrides, SOURCE_CATALOGUE, this.log);
    const hooks = opts.models ?? {};
    this.downloads = new DownloadRegistry({
      modelsDir: config.paths.models,
      catalogue: () => this.catalogue(),
      savedSources: () => this.settings.read().modelSources,
      validate: hooks.validate ?? ((dir) => prepareModelDir(dir, { log: (line) => this.log.info(`model: ${line}`) })),
      hooks,
      log: this.log,
    });
    this.quantizations = new QuantizeRegistry({ modelsDir: config.paths.models, dbPath: config.dbPath, session: () => this.settings.sessionOptions(), log: this.log });
    this.slot = new EngineSlot({
      dbPath: config.dbPath,
      engine: {
        vectorSearch: config.vectorSearch,
        // A long-running process runs the per-photo passes (tags, text in photos, …) in the
        // background, preparing tag prompts on the way; a one-shot command asks for them.
        passes: opts.watch ? 'background' : 'on-demand',
        ocrEnabled: () => this.settings.ocrEnabled(),
        searchSensitivity: () => this.settings.searchSensitivity(),
        ocrModel: config.ocrModel,
        now: config.now,
        ...opts.engine,
      },
      session: () => this.settings.sessionOptions(),
      logger: this.log,
      afterOpen: (engine, reason) => this.afterOpen(engine, reason),
    });
    this.use = (fn) => this.slot.use(fn, () => Promise.reject(this.noModel()));
    const noPhotos = (id: number): Promise<never> => Promise.reject(apiError('photo-unknown', { id: String(id) }, 'no model is active, so there are no photos to serve'));
    this.media = {
      mediaFile: (id, kind, atMs) => this.slot.use((e) => e.media.mediaFile(id, kind, atMs), () => noPhotos(id)),
      photoClip: (id) => this.slot.use((e) => e.media.photoClip!(id), () => noPhotos(id)),
      libraryRoots: () => this.slot.use((e) => e.media.libraryRoots(), () => []),
      thumbnailRoots: () => this.slot.use(async (e) => (e.media.thumbnailRoots ? e.media.thumbnailRoots() : []), () => []),
    };
  }

  /**
   * Opens the model given explicitly (failure is an error: it was asked for), else the chosen
   * model from the settings (failure is logged and reported through listModels / NO_MODEL, so the
   * person can choose another one), else starts without a model.
   */
  static async open(opts: AppOptions): Promise<ShiguangApp> {
    const app = new ShiguangApp(opts);
    await app.slot.exclusive(() => app.openInitial());
    return app;
  }

  /** The engine when a model is open, else null. */
  get engine(): Engine | null {
    return this.slot.engine;
  }

  /** Why the library cannot be opened (it is damaged), or null. */
  get libraryDamaged(): string | null {
    return this.slot.damaged?.message ?? null;
  }

  /** The open engine, or the clear message of how to get a model (the CLI's one-shot commands). */
  requireEngine(): Engine {
    const engine = this.slot.engine;
    if (engine) return engine;
    if (this.slot.damaged) throw this.slot.damaged; // its message says how to rebuild
    const failed = this.modelError;
    if (!failed) throw noModelChosen();
    const why = ` (${failed.message})`;
    if (failed.reason === 'model-not-installed' && failed.id) throw apiError('model-not-installed', { model: failed.id }, `${NO_MODEL_HELP}${why}`);
    if (failed.id) throw apiError('model-open-failed', { model: failed.id }, `${NO_MODEL_HELP}${why}`);
    throw noModelChosen(why);
  }

  /** Every service the engine side offers; transports register the ones they serve. */
  services(): Required<Omit<ServiceSet, 'shell' | 'transport'>> {
    return {
      system: this.systemHandlers(),
      library: libraryHandlers(this.on((e) => ({ library: e.library, folders: e.folders, places: e.places }))),
      search: searchHandlers(this.on((e) => e.search)),
      tags: tagsHandlers(this.on((e) => e.tags)),
      ocr: ocrHandlers(this.on((e) => e.ocr)),
      stacks: stacksHandlers(this.on((e) => e.stacks)),
      models: this.modelsHandlers(),
      settings: settingsHandlers(this.settings, (update) => this.applySettings(update)),
    };
  }

  async status(): Promise<EngineStatus> {
    await this.slot.settled();
    return this.slot.use<EngineStatus>(
      (e) => e.status(),
      () => ({ counts: this.slot.bareCounts(), progress: { ...IDLE_PROGRESS }, model: null, provider: null, ocr: null, passes: [] }),
    );
  }

  /** One service of the open engine, for that service's handlers. */
  private on<S>(pick: (e: Engine) => S): Use<S> {
    return (fn) => this.use((e) => fn(pick(e)));
  }

  async close(): Promise<void> {
    await this.downloads.close();
    await this.quantizations.close();
    await this.slot.close();
  }

  // ---------- services owned here ----------

  private systemHandlers(): ServiceHandlers<'system'> {
    return {
      status: () => this.status(),
      // The person agreed to rebuild a damaged library (the UI's prompt after LIBRARY_DAMAGED).
      rebuildLibrary: () => this.slot.exclusive(() => this.slot.rebuild()),
    };
  }

  private modelsHandlers(): ServiceHandlers<'models'> {
    return {
      listModels: async () => this.listModels(),
      downloadModel: async (req) => this.downloads.start(req.id, req.precision, req.source, req.lang),
      modelDownloads: async () => this.downloads.list(),
      useModel: ({ id }) => this.useModel(id),
      quantizeModel: async ({ id }) => this.quantizations.start(id),
      modelQuantizations: async () => this.quantizations.list(),
    };
  }

  private noModel(): ApiError {
    const why = this.modelError ? ` (${this.modelError.message})` : '';
    return apiError('no-model', {}, `no model is active yet: choose and download one first${why}`);
  }

  private catalogue() {
    return this.opts.models?.catalogue ? this.opts.models.catalogue() : loadCatalogue();
  }

  /** The chosen model: the engine's target (it differs from the serving one during a switch). */
  private activeId(): string | null {
    const e = this.slot.engine;
    if (e) return e.switching?.to ?? e.model.modelKey;
    return this.modelError?.id ?? this.settings.read().activeModel ?? null;
  }

  private listModels() {
    return listModelChoices({
      catalogue: this.catalogue(),
      installed: listInstalled(this.opts.config.paths.models),
      activeId: this.activeId(),
      servingId: this.slot.engine?.model.modelKey ?? null,
      current: this.slot.current?.manifest ?? null,
      modelError: this.modelError,
    });
  }

  private useModel(id: string): Promise<{ ok: true }> {
    return this.slot.exclusive(async () => {
      const { models, config: configFile } = this.opts.config.paths;
      const inst = listInstalled(models).find((m) => m.id === id);
      if (!inst) {
        const downloading = this.downloads.isRunning(id) ? ' (its download is still running)' : '';
        throw apiError(downloading ? 'model-downloading' : 'model-not-installed', { model: id }, `${id} is not installed${downloading}; download it first`);
      }
      if (inst.error) throw apiError('model-unusable', { model: id }, `${id} is installed but unusable: ${inst.error}`);
      const same = this.slot.engine !== null && this.slot.current?.dir === inst.dir;
      if (!same) await this.reopen(inst.dir, this.slot.current?.dir ?? null, 'use', `could not open ${id}`);
      try {
        await persistActiveModel(id, { modelsDir: models, configFile });
      } catch (err) {
        throw apiError('model-choice-unsaved', { model: id }, `opened ${id} but could not save the choice: ${message(err)}`);
      }
      this.log.info(`active model: ${id}`);
      return { ok: true as const };
    });
  }

  private applySettings(update: () => Promise<{ runtimeChanged: boolean; ocrChanged: boolean }>): Promise<void> {
    return this.slot.exclusive(async () => {
      const { runtimeChanged, ocrChanged } = await update();
      if (ocrChanged) this.slot.engine?.passes.settingsChanged();
      const current = this.slot.current;
      if (runtimeChanged && this.slot.engine && current) {
        const s = this.settings.sessionOptions();
        this.log.info(`model runtime settings changed (provider ${s.provider ?? 'auto'}, threads ${s.threads ?? 'all'}): reopening the engine`);
        await this.reopen(current.dir, current.dir, 'settings', 'could not reopen the model with the new settings');
      }
    });
  }

  // ---------- engine lifecycle ----------

  private async reopen(dir: string, fallback: string | null, reason: 'use' | 'settings', what: string): Promise<void> {
    try {
      await this.slot.reopen(dir, fallback, reason);
      this.modelError = null;
    } catch (err) {
      const failure = modelApiError(err, what, path.basename(dir));
      if (!this.slot.engine) this.modelError = { id: null, message: failure.message };
      throw failure;
    }
  }

  private async openInitial(): Promise<void> {
    const { modelDir, paths } = this.opts.config;
    const rebuild = this.opts.config.rebuildDamaged === true;
    if (modelDir) {
      try {
        await this.slot.open(modelDir, 'start', rebuild);
      } catch (err) {
        // Not the model's fault: the app stays up and every request says LIBRARY_DAMAGED.
        // (Logged at info: the CLI reports it through requireEngine(), the app through LIBRARY_DAMAGED.)
        if (!(err instanceof DatabaseDamagedError)) throw err;
        this.log.info(err.message);
      }
      return;
    }
    const active = this.settings.read().activeModel;
    if (!active) return;
    const dir = path.join(paths.models, active);
    if (!fs.existsSync(dir)) {
      this.modelError = { id: active, message: `the chosen model ${active} is no longer installed in ${paths.models}`, reason: 'model-not-installed' };
      this.log.warn(this.modelError.message);
      return;
    }
    try {
      await this.slot.open(dir, 'start', rebuild);
    } catch (err) {
      if (err instanceof DatabaseDamagedError) return void this.log.info(err.message);
      this.modelError = { id: active, message: `model ${active} could not be opened: ${message(err)}` };
      this.log.error(this.modelError.message);
    }
  }

  /** Watch, and start the background pass that builds a new model's vectors (or catches up). */
  private async afterOpen(engine: Engine, reason: 'start' | 'use' | 'settings'): Promise<void> {
    if (this.opts.watch) {
      // Another process (a CLI `watch`, a second app) may already follow this library: this one
      // still searches and serves, it just does not watch too.
      await engine.watch().catch((e) => this.log.warn(`not watching: ${message(e)}`));
      // A long-running host: load the vector index now rather than on the first query.
      engine.warmSearchIndex();
    }
    const hasFolders = engine.library.folders().length > 0;
    const catchUp = (reason === 'start' && this.opts.catchUp) || reason === 'use' || engine.switching !== null;
    if (hasFolders && catchUp) {
      void engine.reindexAll().catch((e) => this.log.error(`indexing failed: ${message(e)}`));
    }
  }
}
