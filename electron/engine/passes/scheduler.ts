/**
 * Runs the registered per-photo passes (pass.ts): one owner for "after embedding, while nothing
 * waits to be embedded, or on demand".
 *
 * - Background (watch, the app): schedule() after every indexing pass (and when a setting
 *   changes) starts a run over every pass with work, highest priority first; before each batch it
 *   waits for the indexer to be idle, so a pass never competes with image encoding. A pass that
 *   needs a preparation (tag prompts) gets it here too, in the same idle time. New work arriving
 *   during a run makes one more run follow.
 * - On demand (one-shot commands): runAll() runs the passes that may run to completion before the
 *   command exits, preparing only those it is asked to (`index --tags`).
 *
 * Passes that read the serving model's vectors wait during a model switch. close() stops the
 * batch in progress (each pass records per photo, so nothing half-done is kept) and releases every
 * pass's resources.
 */
import type { PassStatus, PassWait } from '../../shared/api.ts';
import type { VectorBatch } from '../store/vector-repository.ts';
import type { Logger } from '../util/log.ts';
import { ProgressTracker, etaSeconds } from '../util/progress.ts';
import type { PassContext, PassReport, PhotoPass } from './pass.ts';

export interface PassSchedulerOptions {
  /** Resolves once the indexer has nothing queued. */
  indexerIdle: () => Promise<void>;
  /** True while a model switch builds the new vectors. */
  switching: () => boolean;
  /** Frees the idle image encoder before a pass that runs models of its own (PhotoPass.ownModels). */
  putAwayEncoder?: () => Promise<void>;
  /** 'background': schedule() runs passes; 'on-demand': only runAll() does. */
  mode: 'background' | 'on-demand';
  /**
   * After each background run: what the passes' work may have completed (a model switch waits for
   * the video pass to sample every video for the new model, which happens here, not in indexing).
   */
  afterRun?: () => void;
  /** What a background pass did in a round (PhotoPass.report). */
  onReport?: (pass: string, report: PassReport) => void;
  log: Logger;
}

export interface RunAllOptions {
  /** Only these passes (default: every registered one). */
  only?: readonly string[];
  /** Make these passes' preparations if they need one (default: none). */
  prepare?: readonly string[];
  /** Progress of each pass (photos) and of a preparation (its own units). */
  onProgress?: (pass: string, p: { done: number; total: number; preparing: boolean }) => void;
  /** Called as each pass is reached, with what it owes (0: it has nothing to do). */
  onStart?: (pass: string, pending: number) => void;
}

interface Slot {
  pass: PhotoPass;
  progress: ProgressTracker;
  preparing: { done: number; total: number } | null;
  error: string | null;
  /** Waiting for the indexer to become idle before its next batch. */
  yielding: boolean;
  abort: AbortController | null;
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Rounds of runAll at most (a pass asking for another one each time cannot hold a command forever). */
const MAX_ROUNDS = 3;

export class PassScheduler {
  private readonly slots: Slot[] = [];
  private running: Promise<void> | null = null;
  private again = false;
  private closed = false;
  private retryTimer: NodeJS.Timeout | null = null;
  /** A pass asked for another round of runAll (it made new items). */
  private rerun = false;

  constructor(private readonly opts: PassSchedulerOptions) {}

  register(pass: PhotoPass): void {
    if (this.slots.some((s) => s.pass.name === pass.name)) throw new Error(`pass ${pass.name} is registered twice`);
    this.slots.push({ pass, progress: new ProgressTracker(), preparing: null, error: null, yielding: false, abort: null });
    this.slots.sort((a, b) => a.pass.priority - b.pass.priority);
  }

  get passes(): PhotoPass[] {
    return this.slots.map((s) => s.pass);
  }

  pass<P extends PhotoPass = PhotoPass>(name: string): P | undefined {
    return this.slots.find((s) => s.pass.name === name)?.pass as P | undefined;
  }

  status(): PassStatus[] {
    return this.slots.map((s) => this.statusOf(s));
  }

  statusOf(slot: Slot | string): PassStatus {
    const s = typeof slot === 'string' ? this.slot(slot) : slot;
    const c = s.pass.counts();
    const p = s.progress.snapshot();
    const running = p.running || s.preparing !== null;
    return {
      name: s.pass.name,
      running,
      preparing: s.preparing && { ...s.preparing },
      done: c.done,
      failed: c.failed,
      pending: c.pending,
      rate: p.rate,
      etaSeconds: p.running ? etaSeconds(c.pending, p.rate) : null,
      current: p.current,
      // Off is said whether or not photos are owed (a person turned it off); other reasons only while work waits.
      waiting: s.pass.blocked() === 'off' ? 'off' : c.pending === 0 || (running && !s.yielding) ? null : this.waitReason(s),
      error: s.error,
    };
  }

  /** Background mode: make sure a run happens (or happens again after the current one). */
  schedule(): void {
    if (this.opts.mode !== 'background' || this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        for (const s of this.slots) {
          if (this.closed) return;
          await this.runSlot(s, { prepare: true });
        }
      } while (this.again && !this.closed);
    })()
      .catch((e) => this.opts.log.warn(`passes stopped: ${message(e)}`))
      .finally(() => {
        this.running = null;
        if (!this.closed) this.opts.afterRun?.();
      });
  }

  /**
   * Run the passes that may run now to completion (one-shot commands), after any background run.
   * A pass that fails stops with its error in status (`error`, waiting 'error'); the others still run.
   */
  async runAll(opts: RunAllOptions = {}): Promise<void> {
    await this.idle();
    // A pass that made new items (videos indexed) asks for another round, for the passes before it.
    for (let round = 0; round < MAX_ROUNDS; round++) {
      this.rerun = false;
      for (const s of this.slots) {
        if (this.closed) return;
        if (opts.only && !opts.only.includes(s.pass.name)) continue;
        await this.runSlot(s, { prepare: opts.prepare?.includes(s.pass.name) ?? false, onProgress: opts.onProgress, onStart: opts.onStart });
      }
      if (!this.rerun) return;
    }
  }

  /** A setting changed: a pass turned off stops after its current photo; one turned on is scheduled. */
  settingsChanged(): void {
    for (const s of this.slots) if (s.abort && s.pass.blocked() === 'off') s.abort.abort();
    this.schedule();
  }

  /** The indexer's fresh vectors, to the passes that can use them now. */
  async onEmbedded(batch: VectorBatch): Promise<void> {
    for (const s of this.slots) {
      const { pass } = s;
      if (!pass.onEmbedded || pass.blocked() !== null || (pass.usesVectors && this.opts.switching())) continue;
      await pass.onEmbedded(batch).catch((e) => this.opts.log.warn(`${pass.name}: ${message(e)}`));
    }
  }

  /** Resolves when no background run is in progress. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    for (const s of this.slots) s.abort?.abort();
    await this.idle();
    for (const s of this.slots) await s.pass.release?.().catch((e) => this.opts.log.warn(`${s.pass.name}: ${message(e)}`));
  }

  /** One timer for every pass that asked (the earliest wins; the run it starts asks again if needed). */
  private retryAfter(ms: number): void {
    if (this.closed) return;
    if (ms <= 0) {
      // Now: one more round once this one ends (on demand too).
      this.again = true;
      this.rerun = true;
      return;
    }
    if (this.opts.mode !== 'background' || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.schedule();
    }, ms);
    this.retryTimer.unref();
  }

  private slot(name: string): Slot {
    const s = this.slots.find((x) => x.pass.name === name);
    if (!s) throw new Error(`no pass named ${name}`);
    return s;
  }

  private waitReason(s: Slot): PassWait | null {
    const blocked = s.pass.blocked();
    if (blocked) return blocked;
    if (s.pass.usesVectors && this.opts.switching()) return 'model-switch';
    if (s.error) return 'error';
    if (s.yielding) return 'indexing';
    return null;
  }

  private async runSlot(
    s: Slot,
    o: { prepare: boolean; onProgress?: RunAllOptions['onProgress']; onStart?: RunAllOptions['onStart'] },
  ): Promise<void> {
    const { pass } = s;
    if (pass.usesVectors && this.opts.switching()) return;
    let blocked = pass.blocked();
    if (blocked !== null && !(blocked === 'needs-preparation' && o.prepare && pass.prepare)) return;
    if (blocked === null && pass.counts().pending === 0) return o.onStart?.(pass.name, 0);
    const abort = (s.abort = new AbortController());
    const ctx: PassContext = {
      signal: abort.signal,
      yieldTo: async () => {
        s.yielding = true;
        try {
          await this.opts.indexerIdle();
        } finally {
          s.yielding = false;
        }
        if (pass.ownModels) await this.opts.putAwayEncoder?.();
      },
      working: (path) => s.progress.working(path),
      retryAfter: (ms) => this.retryAfter(ms),
      completed: (n) => {
        s.progress.completed(n);
        const p = s.progress.snapshot();
        o.onProgress?.(pass.name, { done: p.done, total: p.total, preparing: false });
      },
    };
    s.error = null;
    try {
      if (blocked === 'needs-preparation') {
        s.preparing = { done: 0, total: 0 };
        await pass.prepare!(ctx, (done, total) => {
          s.preparing = { done, total };
          o.onProgress?.(pass.name, { done, total, preparing: true });
        });
        s.preparing = null;
        blocked = pass.blocked();
        if (blocked !== null || abort.signal.aborted) return;
      }
      const pending = pass.counts().pending;
      o.onStart?.(pass.name, pending);
      if (pending === 0) return;
      s.progress.start(pending);
      o.onProgress?.(pass.name, { done: 0, total: pending, preparing: false });
      let after = 0;
      while (!abort.signal.aborted) {
        await ctx.yieldTo();
        if (abort.signal.aborted || pass.blocked() !== null || (pass.usesVectors && this.opts.switching())) break;
        const batch = pass.owed(pass.batchSize, after);
        if (batch.length === 0) break;
        after = batch[batch.length - 1]!.id;
        await pass.run(batch, ctx);
      }
      // One-shot commands print their own summary; background runs leave it in the log, and tell
      // whoever listens (the CLI's watch says it in the person's language).
      const report = pass.report?.();
      if (report) {
        this.opts.log[this.opts.mode === 'background' ? 'info' : 'debug'](`${pass.name}: ${report.text}`);
        if (this.opts.mode === 'background') this.opts.onReport?.(pass.name, report);
      }
    } catch (err) {
      if (abort.signal.aborted && this.closed) return;
      s.error = message(err);
      this.opts.log.warn(`${pass.name} stopped: ${s.error}`);
    } finally {
      s.preparing = null;
      s.progress.finish();
      s.abort = null;
      if (this.opts.mode === 'background') await pass.release?.().catch((e) => this.opts.log.warn(`${pass.name}: ${message(e)}`));
    }
  }
}
