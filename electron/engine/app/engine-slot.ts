/**
 * The engine's lifecycle inside the app: at most one open Engine, opened, reopened (another
 * model, other provider/threads) and closed one at a time. Requests that arrive meanwhile wait for
 * it; requests already running on the old engine finish (bounded) before it is closed. Without a
 * model the library is still opened bare, for status counts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { apiError } from '../../shared/api.ts';
import { Engine, type EngineOptions } from '../engine.ts';
import { resolveModelDir } from '../ml/model-dir.ts';
import type { ModelManifest } from '../ml/manifest.ts';
import type { TowerSessionOptions } from '../ml/onnx-session.ts';
import type { StatusCounts } from '../store/photos.ts';
import { openLibrary, type Library } from '../store/library.ts';
import type { Logger } from '../util/log.ts';
import { DatabaseDamagedError } from '../store/errors.ts';
import { describeRebuild, openRebuildingIfDamaged, type RebuildReport } from '../index/rebuild.ts';

/** How long a reopen or close waits for requests already running on the engine. */
const DRAIN_LIMIT_MS = 30_000;

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export interface EngineSlotOptions {
  dbPath: string;
  /** Passed to every Engine.open. */
  engine: Omit<EngineOptions, 'dbPath' | 'modelDir' | 'session' | 'logger'>;
  /** Read at every open: saved settings may have changed. */
  session: () => TowerSessionOptions;
  logger: Logger;
  /** Called after every successful open (watch, warm the index, catch up). */
  afterOpen: (engine: Engine, reason: 'start' | 'use' | 'settings') => Promise<void>;
}

export class EngineSlot {
  private engineRef: Engine | null = null;
  private currentModel: { dir: string; manifest: ModelManifest } | null = null;
  private bareLib: Library | null = null;
  private queue: Promise<void> = Promise.resolve();
  private pendingOps = 0;
  private readonly inflight = new Set<Promise<unknown>>();
  private closing = false;
  private lastRebuild: RebuildReport | null = null;
  /** The library file is damaged: requests answer LIBRARY_DAMAGED until a rebuild (see rebuild()). */
  private damagedState: { error: DatabaseDamagedError; dir: string } | null = null;

  constructor(private readonly opts: EngineSlotOptions) {}

  get engine(): Engine | null {
    return this.engineRef;
  }

  /** The open model's directory and manifest. */
  get current(): { dir: string; manifest: ModelManifest } | null {
    return this.currentModel;
  }

  get isClosing(): boolean {
    return this.closing;
  }

  /** Why the library cannot be opened, or null. */
  get damaged(): DatabaseDamagedError | null {
    return this.damagedState?.error ?? null;
  }

  /** Runs `fn` after every lifecycle change queued before it, and before any queued after it. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
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

  /**
   * Run `fn` on the engine once any reopen in progress has finished; the engine is not closed
   * while `fn` runs. Without an engine, `none()` decides (throw NO_MODEL, or a fallback value).
   */
  async use<T>(fn: (e: Engine) => Promise<T> | T, none: () => T | Promise<T>): Promise<T> {
    await this.settled();
    if (this.closing) throw apiError('engine-closing', {}, 'the engine is shutting down');
    const engine = this.engineRef;
    // Not the model's fault: say what is wrong, briefly (the UI's prompt words the advice).
    if (!engine && this.damagedState) throw apiError('library-damaged', {}, this.damagedState.error.detail);
    if (!engine) return none();
    const run = Promise.resolve().then(() => fn(engine));
    this.inflight.add(run);
    try {
      return await run;
    } finally {
      this.inflight.delete(run);
    }
  }

  /** Waits for lifecycle changes in progress (status must not see a half-open engine). */
  async settled(): Promise<void> {
    while (this.pendingOps > 0) await this.queue;
  }

  /** Library counts without a model: the bare database, opened on first use. */
  bareCounts(): StatusCounts {
    if (this.damagedState) throw apiError('library-damaged', {}, this.damagedState.error.detail);
    if (!this.bareLib) {
      if (this.closing || !fs.existsSync(this.opts.dbPath)) return { indexed: 0, pending: 0, skipped: 0 };
      this.bareLib = openLibrary(this.opts.dbPath);
    }
    return this.bareLib.photos.counts();
  }

  /**
   * Opens the engine on `dir` (call inside exclusive()). A damaged library is rebuilt only with
   * `rebuildIfDamaged` (the person agreed); otherwise DatabaseDamagedError propagates and the slot
   * remembers it, so requests say LIBRARY_DAMAGED and rebuild() knows which model to reopen.
   */
  async open(dir: string, reason: 'start' | 'use' | 'settings', rebuildIfDamaged = false): Promise<Engine> {
    const abs = path.resolve(dir);
    const manifest = resolveModelDir(abs).manifest;
    this.closeBareLib();
    const openEngine = (): Promise<Engine> =>
      Engine.open({ ...this.opts.engine, dbPath: this.opts.dbPath, modelDir: abs, session: this.opts.session(), logger: this.opts.logger });
    let engine: Engine;
    try {
      const opened = await openRebuildingIfDamaged(this.opts.dbPath, openEngine, rebuildIfDamaged);
      engine = opened.engine;
      this.lastRebuild = opened.rebuilt;
      if (opened.rebuilt) this.opts.logger.warn(describeRebuild(opened.rebuilt));
    } catch (err) {
      if (err instanceof DatabaseDamagedError) this.damagedState = { error: err, dir: abs };
      throw err;
    }
    this.damagedState = null;
    this.engineRef = engine;
    this.currentModel = { dir: abs, manifest };
    await this.opts.afterOpen(engine, reason);
    return engine;
  }

  /** After LIBRARY_DAMAGED, with the person's agreement: set the file aside and reopen (inside exclusive()). */
  async rebuild(): Promise<RebuildReport> {
    if (!this.damagedState) throw apiError('library-not-damaged', {}, 'the library is not damaged: there is nothing to rebuild');
    // 'use' makes afterOpen index the restored folders again.
    await this.open(this.damagedState.dir, 'use', true);
    return this.lastRebuild!;
  }

  /** Reopens on `dir`; on failure tries to get back to `fallback` so the app keeps working (inside exclusive()). */
  async reopen(dir: string, fallback: string | null, reason: 'use' | 'settings'): Promise<void> {
    await this.closeEngine();
    try {
      await this.open(dir, reason);
    } catch (err) {
      if (fallback) {
        try {
          await this.open(fallback, 'settings');
        } catch (err2) {
          this.opts.logger.error(`could not reopen the previous model either: ${message(err2)}`);
        }
      }
      throw err;
    }
  }

  /**
   * Let requests running on the engine finish, then close it. The wait is bounded: a request that
   * never settles must not block every later request (they queue behind the reopen).
   */
  async closeEngine(): Promise<void> {
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
      if (drained === 'timeout') this.opts.logger.warn(`${this.inflight.size} request(s) still running after ${DRAIN_LIMIT_MS / 1000} s; closing the engine anyway`);
    }
    this.engineRef = null;
    await engine.close();
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await this.exclusive(async () => {
      await this.closeEngine();
      this.closeBareLib();
    });
  }

  private closeBareLib(): void {
    this.bareLib?.close();
    this.bareLib = null;
  }
}
