/**
 * What makes the watcher converge: file-system events can be missed (a burst that overflows the
 * kernel's queue, an editor's temp-file dance, a watcher error, a network drive that sends none),
 * so after every burst of events, after a watcher error and periodically, the library is checked
 * against the disk again with a full reconcile pass. That pass is stat-only for unchanged files
 * (about 1.3 s for 20k photos) and is also the only thing that deletes rows of vanished photos, so
 * a rename whose unlink and add arrived in different batches still keeps its row.
 *
 * Bounded cost on big libraries: two passes are at least `minGapFactor` × the last pass's
 * duration apart (a 60 s pass on a million photos runs at most every 4 minutes), and activity
 * during a pass schedules one more pass after it, never a queue of them.
 */
export interface RescanOptions {
  /** Quiet time after the last batch or error before the pass (default 1000 ms). */
  afterBurstMs?: number;
  /** A pass this often even without events (default 10 minutes; 0 = never). */
  periodicMs?: number;
  /** Minimum gap between passes, as a multiple of the last pass's duration (default 4). */
  minGapFactor?: number;
}

export class RescanScheduler {
  private timer: NodeJS.Timeout | null = null;
  private periodic: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private lastEnd = 0;
  private lastDuration = 0;
  private closed = false;
  private readonly afterBurstMs: number;
  private readonly minGapFactor: number;

  constructor(
    private readonly pass: () => Promise<unknown>,
    private readonly onError: (err: unknown) => void,
    private readonly opts: RescanOptions = {},
  ) {
    this.afterBurstMs = opts.afterBurstMs ?? 1000;
    this.minGapFactor = opts.minGapFactor ?? 4;
    const every = opts.periodicMs ?? 10 * 60_000;
    if (every > 0) {
      this.periodic = setInterval(() => this.noteActivity(0), every);
      this.periodic.unref();
    }
  }

  /** Events were handled (or the watcher failed): re-check the disk once things are quiet. */
  noteActivity(delayMs = this.afterBurstMs): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    const gap = this.lastDuration * this.minGapFactor - (Date.now() - this.lastEnd);
    this.timer = setTimeout(() => this.runPass(), Math.max(delayMs, gap, 0));
    this.timer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.periodic) clearInterval(this.periodic);
    this.timer = null;
    await this.running;
  }

  private runPass(): void {
    this.timer = null;
    if (this.closed) return;
    const t0 = Date.now();
    this.running = this.pass()
      .then(() => undefined, (err) => this.onError(err))
      .finally(() => {
        this.running = null;
        this.lastEnd = Date.now();
        this.lastDuration = this.lastEnd - t0;
        if (this.again) {
          this.again = false;
          this.noteActivity();
        }
      });
  }
}
