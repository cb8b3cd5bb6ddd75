/**
 * The engine as the app runs it: starts with or without a model. A first run has none, so the host
 * answers the model chooser's methods itself (list the catalogue, download with progress, choose
 * one, settings) and opens the engine once a model is chosen; every other method is delegated to
 * the engine, or fails with NO_MODEL while there is none.
 *
 * Opening, reopening (another model, other provider/threads) and closing the engine run one at a
 * time. Requests that arrive meanwhile wait for it; requests already running on the old engine
 * finish before it is closed.
 *
 * Used by `shiguang serve` (electron/cli/commands/serve.ts) and the desktop engine process
 * (electron/main/engine-process.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  ApiError,
  apiMethods,
  type ApiMethod,
  type EngineSettings,
  type EngineStatus,
  type ModelChoice,
  type ModelDownload,
  type ModelPrecision,
  type ApiResponse,
} from '../shared/api.ts';
import type { ApiHandlers, MediaKind, MediaProvider } from '../shared/handlers.ts';
import { Engine, type EngineOptions } from './engine.ts';
import type { DataPaths } from './paths.ts';
import type { TowerSessionOptions } from './ml/onnx-session.ts';
import { resolveModelDir } from './ml/model-dir.ts';
import type { ModelManifest } from './ml/manifest.ts';
import { parseProviderPreference, PROVIDER_NAMES } from './ml/providers.ts';
import { validateModelDir } from './ml/validate-model.ts';
import { estimateBytes, loadCatalogue, getEntry, type Catalogue, type CatalogueEntry } from './models/catalogue.ts';
import { readModelsConfig, updateModelsConfig, type ModelsConfig } from './models/config.ts';
import { downloadModel, type DownloadOptions } from './models/download.ts';
import { ModelError } from './models/errors.ts';
import type { FetchLike } from './models/fetch.ts';
import { listInstalled, useModel as persistActiveModel, type InstalledModel } from './models/install.ts';
import { BUILTIN_SOURCES, DEFAULT_SOURCE_ORDER, parseSourceList, resolveSources, SOURCES_ENV } from './models/sources.ts';
import { openLibrary, type Library } from './store/library.ts';
import { DatabaseDamagedError } from './store/errors.ts';
import { describeRebuild, openRebuildingIfDamaged, type RebuildReport } from './index/rebuild.ts';
import { createLogger, type Logger } from './util/log.ts';

/** Test seams and hooks for the model manager. */
export interface AppHostModelHooks {
  /** Default: the shipped models/catalogue.json. */
  catalogue?: () => Catalogue;
  /** Default: the shipped manifest with the variant's files (download.ts). */
  manifestFor?: DownloadOptions['manifestFor'];
  /** Test encode before a download becomes visible. Default: validateModelDir. */
  validate?: (modelDir: string) => Promise<void>;
  fetchImpl?: FetchLike;
  /** Give up on a silent source after this long (default 30 s). */
  idleTimeoutMs?: number;
}

export interface AppHostOptions {
  dbPath: string;
  paths: DataPaths;
  /** A model directory chosen outside the app (--model, SHIGUANG_MODEL); else the config's activeModel. */
  modelDir?: string;
  /**
   * Session options given outside the app (CLI flags, SHIGUANG_PROVIDER). provider/threads here win
   * over the saved settings until the user changes that setting through updateSettings.
   */
  session?: TowerSessionOptions;
  logger?: Logger;
  /** Passed through to every Engine.open. */
  engine?: Pick<EngineOptions, 'autoTag' | 'cacheDir' | 'watcher' | 'indexer'>;
  /** Follow changes in the watched folders whenever an engine is open. */
  watch?: boolean;
  /** Re-scan the watched folders after the first open (changes made while nothing was running). */
  catchUp?: boolean;
  /** The person agreed up front (`serve --rebuild-damaged`): rebuild a damaged library at open. */
  rebuildDamaged?: boolean;
  models?: AppHostModelHooks;
}

interface DownloadTask {
  status: ModelDownload;
  controller: AbortController;
  done: Promise<void>;
}

interface CurrentModel {
  dir: string;
  manifest: ModelManifest;
}

/** How long a reopen or close waits for requests already running on the engine. */
const DRAIN_LIMIT_MS = 30_000;

const IDLE_PROGRESS: EngineStatus['progress'] = { running: false, done: 0, total: 0, rate: 0, etaSeconds: null, current: null };

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Anything thrown while opening a model, as the API reports it. */
function modelApiError(err: unknown, what: string): ApiError {
  if (err instanceof ApiError) return err;
  return new ApiError('MODEL_ERROR', `${what}: ${message(err)}`);
}

export class AppHost {
  readonly handlers: ApiHandlers;
  readonly media: MediaProvider & { thumbnailRoots(): Promise<string[]> };
  readonly log: Logger;

  private engineRef: Engine | null = null;
  private current: CurrentModel | null = null;
  /** Why the chosen model is not open (failed to open, no longer installed). */
  private modelError: { id: string | null; message: string } | null = null;
  /** The library file is damaged: every request answers LIBRARY_DAMAGED until rebuildLibrary. */
  private damaged: { error: DatabaseDamagedError; dir: string } | null = null;
  private overrides: { provider?: TowerSessionOptions['provider']; threads?: number };
  /** The library opened without a model, for status counts only; closed before an engine opens. */
  private bareLib: Library | null = null;
  private queue: Promise<void> = Promise.resolve();
  private pendingOps = 0;
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly downloads = new Map<string, DownloadTask>();
  private closing = false;
  private lastRebuild: RebuildReport | null = null;

  private constructor(private readonly opts: AppHostOptions) {
    this.log = opts.logger ?? createLogger('app');
    this.overrides = {};
    if (opts.session?.provider !== undefined) this.overrides.provider = opts.session.provider;
    if (opts.session?.threads !== undefined) this.overrides.threads = opts.session.threads;
    this.handlers = this.buildHandlers();
    this.media = {
      mediaFile: (id: number, kind: MediaKind) => this.withEngine((e) => e.media.mediaFile(id, kind), 'NOT_FOUND'),
      libraryRoots: () => this.withEngine((e) => e.media.libraryRoots(), []),
      thumbnailRoots: () => this.withEngine(async (e) => (e.media.thumbnailRoots ? e.media.thumbnailRoots() : []), []),
    };
  }

  /**
   * Opens the model given explicitly (failure is an error: it was asked for), else the config's
   * active model (failure is logged and reported through listModels / NO_MODEL, so the user can
   * choose another one), else starts without a model.
   */
  static async open(opts: AppHostOptions): Promise<AppHost> {
    const host = new AppHost(opts);
    await host.exclusive(() => host.openInitial());
    return host;
  }

  /** The engine when a model is open, else null. */
  get engine(): Engine | null {
    return this.engineRef;
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    for (const d of this.downloads.values()) d.controller.abort();
    await Promise.allSettled([...this.downloads.values()].map((d) => d.done));
    await this.exclusive(async () => {
      await this.closeEngine();
      this.closeBareLib();
    });
  }

  // ---------- handlers ----------

  private buildHandlers(): ApiHandlers {
    const handlers: Partial<Record<ApiMethod, (req: unknown) => Promise<unknown>>> = {};
    for (const m of apiMethods) {
      handlers[m] = (req) => this.withEngine((e) => (e.handlers[m] as (r: unknown) => Promise<unknown>)(req));
    }
    const own: Partial<ApiHandlers> = {
      capabilities: async () => ({ nativeShell: false, transport: 'http' }),
      status: () => this.status(),
      listModels: async () => this.listModels(),
      downloadModel: async (req) => this.startDownload(req.id, req.precision, req.source),
      modelDownloads: async () => [...this.downloads.values()].map((d) => ({ ...d.status })),
      useModel: async ({ id }) => this.useModel(id),
      settings: async () => this.settings(),
      updateSettings: async (req) => this.updateSettings(req),
      rebuildLibrary: () => this.rebuildLibrary(),
    };
    Object.assign(handlers, own);
    // Every method is present: the loop covers the contract's list, `own` replaces some of them.
    return handlers as unknown as ApiHandlers;
  }

  private noModel(): ApiError {
    const why = this.modelError ? ` (${this.modelError.message})` : '';
    return new ApiError('NO_MODEL', `no model is active yet: choose and download one first${why}`);
  }

  /**
   * Run `fn` on the engine once any reopen in progress has finished; the engine is not closed
   * while `fn` runs. Without an engine: NO_MODEL, another code, or a fallback value.
   */
  private async withEngine<T>(fn: (e: Engine) => Promise<T>, without?: 'NOT_FOUND' | Awaited<T>): Promise<T> {
    while (this.pendingOps > 0) await this.queue;
    const engine = this.engineRef;
    if (!engine || this.closing) {
      if (this.closing) throw new ApiError('ENGINE_UNAVAILABLE', 'the engine is shutting down');
      if (this.damaged) throw this.damagedError();
      if (without === 'NOT_FOUND') throw new ApiError('NOT_FOUND', 'no model is active, so there are no photos to serve');
      if (without !== undefined) return without;
      throw this.noModel();
    }
    const run = fn(engine);
    this.inflight.add(run);
    try {
      return await run;
    } finally {
      this.inflight.delete(run);
    }
  }

  private async status(): Promise<EngineStatus> {
    while (this.pendingOps > 0) await this.queue;
    if (this.engineRef) return this.withEngine((e) => e.handlers.status({}));
    if (this.damaged) throw this.damagedError();
    return { counts: this.bareCounts(), progress: { ...IDLE_PROGRESS }, model: null, provider: null };
  }

  private bareCounts(): EngineStatus['counts'] {
    if (!this.bareLib) {
      if (this.closing || !fs.existsSync(this.opts.dbPath)) return { indexed: 0, pending: 0, skipped: 0 };
      this.bareLib = openLibrary(this.opts.dbPath);
    }
    return this.bareLib.photos.counts();
  }

  private closeBareLib(): void {
    this.bareLib?.close();
    this.bareLib = null;
  }

  // ---------- engine lifecycle (one at a time) ----------

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    this.pendingOps++;
    const run = this.queue.then(fn).finally(() => {
      this.pendingOps--;
    });
    this.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private config(): ModelsConfig {
    return readModelsConfig(this.opts.paths.config);
  }

  private sessionOptions(): TowerSessionOptions {
    const cfg = this.config();
    const saved: TowerSessionOptions = {};
    if (cfg.provider) {
      try {
        saved.provider = parseProviderPreference(cfg.provider);
      } catch (err) {
        this.log.warn(`config: ${message(err)}; using auto`);
      }
    }
    if (cfg.threads) saved.threads = cfg.threads;
    // provider/threads given at start live in `overrides` (dropped once changed in the app).
    const { provider: _provider, threads: _threads, ...rest } = this.opts.session ?? {};
    return { ...rest, ...saved, ...this.overrides };
  }

  private async openInitial(): Promise<void> {
    if (this.opts.modelDir) {
      try {
        await this.openEngineAt(path.resolve(this.opts.modelDir), this.opts.rebuildDamaged === true);
      } catch (err) {
        // Not the model's fault: the host stays up and every request says LIBRARY_DAMAGED.
        if (err instanceof DatabaseDamagedError) return this.log.error(err.message);
        throw err;
      }
      await this.afterOpen('start');
      return;
    }
    const active = this.config().activeModel;
    if (!active) return;
    const dir = path.join(this.opts.paths.models, active);
    if (!fs.existsSync(dir)) {
      this.modelError = { id: active, message: `the chosen model ${active} is no longer installed in ${this.opts.paths.models}` };
      this.log.warn(this.modelError.message);
      return;
    }
    try {
      await this.openEngineAt(dir, this.opts.rebuildDamaged === true);
    } catch (err) {
      if (err instanceof DatabaseDamagedError) return this.log.error(err.message);
      this.modelError = { id: active, message: `model ${active} could not be opened: ${message(err)}` };
      this.log.error(this.modelError.message);
      return;
    }
    await this.afterOpen('start');
  }

  private async openEngineAt(dir: string, rebuildIfDamaged = false): Promise<Engine> {
    const manifest = resolveModelDir(dir).manifest;
    this.closeBareLib();
    const open = (): Promise<Engine> => Engine.open({ ...this.opts.engine, dbPath: this.opts.dbPath, modelDir: dir, session: this.sessionOptions(), logger: this.log });
    let engine: Engine;
    try {
      const opened = await openRebuildingIfDamaged(this.opts.dbPath, open, rebuildIfDamaged);
      engine = opened.engine;
      this.lastRebuild = opened.rebuilt;
      if (opened.rebuilt) this.log.warn(describeRebuild(opened.rebuilt));
    } catch (err) {
      if (err instanceof DatabaseDamagedError) this.damaged = { error: err, dir };
      throw err;
    }
    this.damaged = null;
    this.engineRef = engine;
    this.current = { dir, manifest };
    this.modelError = null;
    return engine;
  }

  /** The UI's prompt words the advice itself: the API message carries what is wrong, briefly. */
  private damagedError(): ApiError {
    return new ApiError('LIBRARY_DAMAGED', this.damaged!.error.detail);
  }

  /** Why the library cannot be opened (damaged), or null. */
  get libraryDamaged(): string | null {
    return this.damaged?.error.message ?? null;
  }

  /** After LIBRARY_DAMAGED, with the person's agreement: set the file aside, rebuild, index again. */
  private rebuildLibrary(): Promise<ApiResponse<'rebuildLibrary'>> {
    return this.exclusive(async () => {
      if (!this.damaged) throw new ApiError('BAD_REQUEST', 'the library is not damaged: there is nothing to rebuild');
      await this.openEngineAt(this.damaged.dir, true);
      const report = this.lastRebuild!;
      await this.afterOpen('use'); // indexes the restored folders again
      return report;
    });
  }

  /** Watch, and start the background pass that builds a new model's vectors (or catches up). */
  private async afterOpen(reason: 'start' | 'use' | 'settings'): Promise<void> {
    const engine = this.engineRef;
    if (!engine) return;
    if (this.opts.watch) {
      // Another process (a CLI `watch`, a second app) may already follow this library: the app
      // still searches and serves, it just does not watch too.
      await engine.watch().catch((e) => this.log.warn(`not watching: ${message(e)}`));
      // A long-running host: load the vector index now rather than on the first query.
      engine.warmSearchIndex();
    }
    const hasFolders = engine.lib.folders.list().length > 0;
    const catchUp = (reason === 'start' && this.opts.catchUp) || reason === 'use' || engine.switching !== null;
    if (hasFolders && catchUp) {
      void engine.reindexAll().catch((e) => this.log.error(`indexing failed: ${message(e)}`));
    }
  }

  /**
   * Let requests running on the engine finish, then close it. The wait is bounded: a request that
   * never settles must not block every later request (they queue behind the reopen).
   */
  private async closeEngine(): Promise<void> {
    const engine = this.engineRef;
    if (!engine) return;
    if (this.inflight.size) {
      let timer: NodeJS.Timeout | undefined;
      const cap = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), DRAIN_LIMIT_MS);
        timer.unref();
      });
      const drained = await Promise.race([Promise.allSettled([...this.inflight]).then(() => 'drained' as const), cap]);
      clearTimeout(timer);
      if (drained === 'timeout') this.log.warn(`${this.inflight.size} request(s) still running after ${DRAIN_LIMIT_MS / 1000} s; closing the engine anyway`);
    }
    this.engineRef = null;
    await engine.close();
  }

  /** Reopen after a change; on failure try to get back to `fallback` so the app keeps working. */
  private async reopen(dir: string, fallback: string | null, reason: 'use' | 'settings', what: string): Promise<void> {
    await this.closeEngine();
    try {
      await this.openEngineAt(dir);
    } catch (err) {
      const failure = modelApiError(err, what);
      if (fallback) {
        try {
          await this.openEngineAt(fallback);
          await this.afterOpen('settings');
        } catch (err2) {
          this.log.error(`could not reopen the previous model either: ${message(err2)}`);
        }
      }
      if (!this.engineRef) this.modelError = { id: null, message: failure.message };
      throw failure;
    }
    await this.afterOpen(reason);
  }

  // ---------- models ----------

  private catalogue(): Catalogue {
    return this.opts.models?.catalogue ? this.opts.models.catalogue() : loadCatalogue();
  }

  /** The chosen model: the engine's target (it differs from the serving one during a switch). */
  private activeId(): string | null {
    if (this.engineRef) return this.engineRef.switching?.to ?? this.engineRef.model.modelKey;
    return this.modelError?.id ?? this.config().activeModel ?? null;
  }

  private listModels(): ModelChoice[] {
    const cat = this.catalogue();
    const installed = listInstalled(this.opts.paths.models);
    const active = this.activeId();
    const serving = this.engineRef?.model.modelKey ?? null;
    const errorFor = (id: string, inst?: InstalledModel): string | null =>
      inst?.error ?? (this.modelError && this.modelError.id === id ? this.modelError.message : null);
    const out: ModelChoice[] = cat.models.map((e) => {
      const inst = installed.find((i) => i.id === e.id);
      const downloads = e.downloads.map((d) => ({ precision: d.precision as ModelPrecision, bytes: estimateBytes(e, d.precision, d) }));
      return {
        id: e.id,
        name: e.name,
        catalogued: true,
        isDefault: e.isDefault || cat.defaultModel === e.id,
        params: { totalM: e.params.totalM, imageM: e.params.imageM, textM: e.params.textM },
        embeddingDim: e.embeddingDim,
        resolution: e.resolution,
        speed: e.speed.class,
        zeroShot: { mugeT2iR1: e.zeroShot.mugeT2iR1, flickr30kCnT2iR1: e.zeroShot.flickr30kCnT2iR1, imagenetTop1: e.zeroShot.imagenetTop1 },
        downloads,
        downloadable: downloads.length > 0,
        exportRoute: downloads.length ? null : exportRouteText(e),
        installed: Boolean(inst && !inst.error),
        installedPrecision: inst?.manifest?.precision ?? null,
        installedBytes: inst ? inst.bytes : null,
        active: active === e.id,
        serving: serving === e.id,
        error: errorFor(e.id, inst),
      };
    });
    const extra = (id: string, manifest: ModelManifest | undefined, inst: InstalledModel | undefined): ModelChoice => ({
      id,
      name: manifest?.name ?? id,
      catalogued: false,
      isDefault: false,
      params: null,
      embeddingDim: manifest?.embeddingDim ?? 0,
      resolution: manifest?.image.resolution ?? 0,
      speed: null,
      zeroShot: null,
      downloads: [],
      downloadable: false,
      exportRoute: null,
      installed: inst ? !inst.error : true,
      installedPrecision: manifest?.precision ?? null,
      installedBytes: inst ? inst.bytes : null,
      active: active === id,
      serving: serving === id,
      error: errorFor(id, inst),
    });
    for (const inst of installed) {
      if (!out.some((m) => m.id === inst.id)) out.push(extra(inst.id, inst.manifest, inst));
    }
    // A model opened from a directory outside the models dir (--model): still the one in use.
    if (this.current && !out.some((m) => m.id === this.current!.manifest.id)) {
      out.push(extra(this.current.manifest.id, this.current.manifest, undefined));
    }
    return out;
  }

  private startDownload(id: string, precision: ModelPrecision | undefined, source: string | undefined): { started: boolean; alreadyInstalled: boolean } {
    if (this.closing) throw new ApiError('ENGINE_UNAVAILABLE', 'the engine is shutting down');
    const cat = this.catalogue();
    const entry = getEntry(id, cat);
    if (!entry) throw new ApiError('NOT_FOUND', `unknown model "${id}"; known: ${cat.models.map((m) => m.id).join(', ')}`);
    const hosted = entry.downloads.map((d) => d.precision);
    if (hosted.length === 0) throw new ApiError('UNSUPPORTED', `${entry.name} has no hosted ONNX download. ${exportRouteText(entry)}`);
    const chosen = precision ?? (hosted.includes('fp32') ? 'fp32' : hosted[0]);
    const variant = entry.downloads.find((d) => d.precision === chosen);
    if (!variant) throw new ApiError('BAD_REQUEST', `${id} can be downloaded in ${hosted.join(', ')}, not ${chosen}`);

    const running = this.downloads.get(id);
    if (running?.status.state === 'running') return { started: false, alreadyInstalled: false };
    const installed = listInstalled(this.opts.paths.models).find((m) => m.id === id && !m.error);
    if (installed) return { started: false, alreadyInstalled: true };

    let sources;
    try {
      sources = source ? parseSourceList(source) : resolveSources({ config: this.config().modelSources });
    } catch (err) {
      throw new ApiError('BAD_REQUEST', message(err));
    }
    const hooks = this.opts.models ?? {};
    const status: ModelDownload = {
      id,
      precision: chosen,
      state: 'running',
      bytes: 0,
      total: estimateBytes(entry, chosen, variant),
      rate: 0,
      etaSeconds: null,
      error: null,
      errorCode: null,
      source: null,
    };
    const controller = new AbortController();
    const done = downloadModel({
      id,
      precision: chosen,
      sources,
      modelsDir: this.opts.paths.models,
      catalogue: cat,
      manifestFor: hooks.manifestFor,
      validate: hooks.validate ?? validateModelDir,
      fetchImpl: hooks.fetchImpl,
      idleTimeoutMs: hooks.idleTimeoutMs,
      signal: controller.signal,
      onProgress: (p) => {
        Object.assign(status, { bytes: p.bytes, total: p.total, rate: p.rate, etaSeconds: p.etaSeconds, source: p.source });
      },
      log: (line) => this.log.info(`download ${id}: ${line}`),
    }).then(
      () => {
        Object.assign(status, { state: 'done', bytes: Math.max(status.bytes, status.total), rate: 0, etaSeconds: 0 });
        this.log.info(`downloaded ${id} (${chosen})`);
      },
      (err: unknown) => {
        const code = err instanceof ModelError ? err.code : 'INTERNAL';
        const text = controller.signal.aborted ? 'download cancelled (the app is closing); it resumes next time' : message(err);
        Object.assign(status, { state: 'failed', rate: 0, etaSeconds: null, error: text, errorCode: code });
        this.log.error(`download ${id} failed: ${text}`);
      },
    );
    this.downloads.set(id, { status, controller, done });
    return { started: true, alreadyInstalled: false };
  }

  private useModel(id: string): Promise<{ ok: true }> {
    return this.exclusive(async () => {
      const inst = listInstalled(this.opts.paths.models).find((m) => m.id === id);
      if (!inst) {
        const downloading = this.downloads.get(id)?.status.state === 'running' ? ' (its download is still running)' : '';
        throw new ApiError('NOT_FOUND', `${id} is not installed${downloading}; download it first`);
      }
      if (inst.error) throw new ApiError('MODEL_ERROR', `${id} is installed but unusable: ${inst.error}`);
      const same = this.engineRef !== null && this.current?.dir === inst.dir;
      if (!same) await this.reopen(inst.dir, this.current?.dir ?? null, 'use', `could not open ${id}`);
      try {
        await persistActiveModel(id, { modelsDir: this.opts.paths.models, configFile: this.opts.paths.config });
      } catch (err) {
        throw new ApiError('INTERNAL', `opened ${id} but could not save the choice: ${message(err)}`);
      }
      this.log.info(`active model: ${id}`);
      return { ok: true as const };
    });
  }

  // ---------- settings ----------

  private settings(): EngineSettings {
    const cfg = this.config();
    const session = this.sessionOptions();
    const env = process.env[SOURCES_ENV];
    return {
      provider: session.provider ?? 'auto',
      threads: session.threads ?? null,
      sources: cfg.modelSources?.length ? [...cfg.modelSources] : [...DEFAULT_SOURCE_ORDER],
      providerChoices: ['auto', ...PROVIDER_NAMES],
      sourceChoices: Object.keys(BUILTIN_SOURCES),
      sourcesOverriddenBy: env && env.trim() ? SOURCES_ENV : null,
    };
  }

  private async updateSettings(req: { provider?: string; threads?: number | null; sources?: string[] }): Promise<EngineSettings> {
    const patch: Partial<ModelsConfig> = {};
    if (req.provider !== undefined) {
      try {
        patch.provider = parseProviderPreference(req.provider);
      } catch (err) {
        throw new ApiError('BAD_REQUEST', message(err));
      }
    }
    if (req.sources !== undefined) {
      try {
        // Validate every spec, keep them as written ([] = back to the built-in order).
        if (parseSourceList(req.sources).length) patch.modelSources = req.sources.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
      } catch (err) {
        throw new ApiError('BAD_REQUEST', message(err));
      }
    }
    return this.exclusive(async () => {
      const before = this.sessionOptions();
      const next: Record<string, unknown> = { ...patch };
      if (req.provider !== undefined) {
        delete this.overrides.provider;
        if (patch.provider === 'auto') next.provider = undefined; // absent = auto
      }
      if (req.threads !== undefined) {
        delete this.overrides.threads;
        next.threads = req.threads ?? undefined;
      }
      if (req.sources !== undefined && patch.modelSources === undefined) next.modelSources = undefined;
      await updateModelsConfig(this.opts.paths.config, next as Partial<ModelsConfig>);
      const after = this.sessionOptions();
      const changed = (before.provider ?? 'auto') !== (after.provider ?? 'auto') || (before.threads ?? null) !== (after.threads ?? null);
      if (changed && this.engineRef && this.current) {
        this.log.info(`model runtime settings changed (provider ${after.provider ?? 'auto'}, threads ${after.threads ?? 'all'}): reopening the engine`);
        await this.reopen(this.current.dir, this.current.dir, 'settings', 'could not reopen the model with the new settings');
      }
      return this.settings();
    });
  }
}

function exportRouteText(entry: CatalogueEntry): string {
  return [entry.exportRoute.summary, ...entry.exportRoute.steps].join('\n');
}
