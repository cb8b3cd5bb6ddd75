/**
 * Keeps the engine process alive: spawns it, waits for its `ready` handshake, restarts it with
 * back-off when it dies, and decides what happens to calls meanwhile. Pure (no Electron import):
 * the process is a ChildLike from `spawn`, timers and clock are injectable, so the whole policy is
 * unit-tested with a fake child.
 *
 * Policy:
 * - in-flight calls when the process dies are rejected with ENGINE_UNAVAILABLE (not retried: a
 *   call such as addFolder may have had effects);
 * - calls made while (re)starting wait up to `readyWaitMs`, then fail with ENGINE_UNAVAILABLE;
 * - if the last start reported a fatal error, calls fail at once with that reason (the next
 *   restart still happens in the background);
 * - after `maxConsecutiveFailures` failed runs it stops restarting until restart() is called.
 */
import { ApiError, apiError, type ApiErrorPayload } from '../shared/api.ts';
import type { EngineControl, EngineLifecycle } from '../shared/ipc.ts';
import { backoffDelay, DEFAULT_BACKOFF, nextFailureCount, type BackoffOptions } from './backoff.ts';
import { RpcClient, type RpcTimers } from './rpc-client.ts';

export interface ChildLike {
  postMessage(msg: unknown): void;
  onMessage(cb: (msg: unknown) => void): void;
  onExit(cb: (code: number | null) => void): void;
  kill(): void;
}

export type SupervisorState = 'idle' | 'starting' | 'ready' | 'backoff' | 'failed' | 'stopped';

export interface SupervisorOptions {
  spawn: () => ChildLike;
  backoff?: Partial<BackoffOptions>;
  readyWaitMs?: number;
  requestTimeoutMs?: number;
  timers?: RpcTimers & { now(): number };
  log?: (line: string) => void;
}

interface Waiter {
  go(): void;
  fail(e: ApiError): void;
}

function isLifecycle(msg: unknown): msg is EngineLifecycle {
  return typeof msg === 'object' && msg !== null && ((msg as EngineLifecycle).type === 'ready' || (msg as EngineLifecycle).type === 'fatal');
}

export class EngineSupervisor {
  private child: ChildLike | null = null;
  private _state: SupervisorState = 'idle';
  private failures = 0;
  private readyAt: number | null = null;
  private lastFatal: ApiErrorPayload | null = null;
  private restartTimer: ReturnType<typeof setTimeout> | null = null;
  /** Resolves stop() once the process it asked to shut down has exited. */
  private afterExit: (() => void) | null = null;
  private readonly waiters = new Set<Waiter>();
  private readonly rpc: RpcClient;
  private readonly backoff: BackoffOptions;
  private readonly readyWaitMs: number;
  private readonly timers: RpcTimers & { now(): number };
  private readonly log: (line: string) => void;

  constructor(private readonly opts: SupervisorOptions) {
    this.backoff = { ...DEFAULT_BACKOFF, ...opts.backoff };
    this.readyWaitMs = opts.readyWaitMs ?? 30_000;
    this.timers = opts.timers ?? { setTimeout, clearTimeout, now: Date.now };
    this.log = opts.log ?? (() => {});
    this.rpc = new RpcClient(
      (msg) => {
        if (!this.child) throw new Error('no engine process');
        this.child.postMessage(msg);
      },
      opts.requestTimeoutMs ?? 10 * 60_000,
      this.timers,
    );
  }

  get state(): SupervisorState {
    return this._state;
  }

  get inFlight(): number {
    return this.rpc.inFlight;
  }

  start(): void {
    if (this._state === 'starting' || this._state === 'ready') return;
    this.clearRestartTimer();
    this._state = 'starting';
    this.readyAt = null;
    let child: ChildLike;
    try {
      child = this.opts.spawn();
    } catch (err) {
      this.lastFatal = { code: 'ENGINE_UNAVAILABLE', message: `could not start the engine: ${ApiError.from(err).message}` };
      this.onExit(null, null);
      return;
    }
    this.child = child;
    child.onMessage((msg) => {
      if (this.child !== child) return;
      if (isLifecycle(msg)) return this.onLifecycle(msg);
      this.rpc.handleMessage(msg);
    });
    child.onExit((code) => {
      if (this.child !== child) return;
      if (this.afterExit) {
        this.afterExit();
        this.afterExit = null;
      }
      this.onExit(child, code);
    });
  }

  /** Manual restart, e.g. after the supervisor gave up. */
  restart(): void {
    if (this._state === 'stopped') return;
    this.failures = 0;
    if (this.child) {
      this.child.kill(); // its exit schedules the next start
    } else {
      this._state = 'idle';
      this.start();
    }
  }

  call(method: string, payload: unknown): Promise<unknown> {
    if (this._state === 'ready') return this.rpc.call(method, payload);
    const unavailable = this.unavailableError();
    if (unavailable) return Promise.reject(unavailable);
    return new Promise((resolve, reject) => {
      const w: Waiter = {
        go: () => {
          this.timers.clearTimeout(timer);
          this.waiters.delete(w);
          this.rpc.call(method, payload).then(resolve, reject);
        },
        fail: (e) => {
          this.timers.clearTimeout(timer);
          this.waiters.delete(w);
          reject(e);
        },
      };
      const timer = this.timers.setTimeout(
        () => w.fail(apiError('engine-starting', { seconds: String(Math.round(this.readyWaitMs / 1000)) }, `the engine is still starting after ${Math.round(this.readyWaitMs / 1000)} s; try again`)),
        this.readyWaitMs,
      );
      this.waiters.add(w);
    });
  }

  /**
   * Ask the engine to close its stores and exit; kill it if it has not gone after `graceMs`.
   * No restart follows.
   */
  async stop(graceMs = 3_000): Promise<void> {
    this._state = 'stopped';
    this.clearRestartTimer();
    const err = apiError('engine-closing', {}, 'the app is shutting down');
    for (const w of [...this.waiters]) w.fail(err);
    this.rpc.failAll(err);
    const child = this.child;
    if (!child) return;
    await new Promise<void>((resolve) => {
      const timer = this.timers.setTimeout(() => {
        child.kill();
        resolve();
      }, graceMs);
      this.afterExit = () => {
        this.timers.clearTimeout(timer);
        resolve();
      };
      try {
        child.postMessage({ type: 'shutdown' } satisfies EngineControl);
      } catch {
        child.kill();
      }
    });
    this.child = null;
  }

  /** Why a call cannot even wait, or null when waiting for readiness makes sense. */
  private unavailableError(): ApiError | null {
    if (this._state === 'stopped') return apiError('engine-stopped', {}, 'the engine has been stopped');
    if (this._state === 'failed') {
      return apiError('engine-failing', {}, `the engine keeps failing and was not restarted${this.fatalSuffix()}`);
    }
    if (this.lastFatal) return apiError('engine-start-failed', {}, `the engine could not start${this.fatalSuffix()}`);
    return null;
  }

  private fatalSuffix(): string {
    return this.lastFatal ? `: ${this.lastFatal.message}` : '';
  }

  private onLifecycle(msg: EngineLifecycle): void {
    if (msg.type === 'ready') {
      this._state = 'ready';
      this.readyAt = this.timers.now();
      this.lastFatal = null;
      this.log('engine ready');
      for (const w of [...this.waiters]) w.go();
    } else {
      this.lastFatal = msg.error;
      this.log(`engine failed to start: ${msg.error.message}`);
      const err = apiError('engine-start-failed', {}, `the engine could not start: ${msg.error.message}`);
      for (const w of [...this.waiters]) w.fail(err);
    }
  }

  private onExit(child: ChildLike | null, code: number | null): void {
    if (child) this.child = null;
    const uptime = this.readyAt === null ? null : this.timers.now() - this.readyAt;
    const why = `the engine process exited${code === null ? '' : ` (code ${code})`}`;
    this.rpc.failAll(apiError('engine-restarted', {}, `${why}; request abandoned`));
    if (this._state === 'stopped') return;

    this.failures = nextFailureCount(this.failures, uptime, this.backoff);
    if (this.failures > this.backoff.maxConsecutiveFailures) {
      this._state = 'failed';
      this.log(`${why}; giving up after ${this.failures - 1} consecutive failures`);
      const err = this.unavailableError()!;
      for (const w of [...this.waiters]) w.fail(err);
      return;
    }
    const delay = backoffDelay(this.failures, this.backoff);
    this._state = 'backoff';
    this.log(`${why}; restarting in ${delay} ms`);
    this.restartTimer = this.timers.setTimeout(() => {
      this.restartTimer = null;
      this.start();
    }, delay);
  }

  private clearRestartTimer(): void {
    if (this.restartTimer !== null) this.timers.clearTimeout(this.restartTimer);
    this.restartTimer = null;
  }
}
