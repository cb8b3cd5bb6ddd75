import type { IndexProgress } from '../../shared/api.ts';

/**
 * Seconds left for `left` items at `rate` items a second: rounded up, so it never says 0 while
 * anything is left (30 photos at 64/s is "about 1 s", not "0 s"); null when nothing is left or
 * the rate is unknown.
 */
export function etaSeconds(left: number, rate: number): number | null {
  if (!(left > 0) || !(rate > 0) || !Number.isFinite(rate)) return null;
  return Math.max(1, Math.ceil(left / rate));
}

/**
 * Progress of the current indexing pass with a rate over a sliding window, so the ETA reflects
 * how fast photos are going now rather than since start-up.
 */
export class ProgressTracker {
  private done = 0;
  private total = 0;
  private current: string | null = null;
  private running = false;
  private readonly stamps: number[] = [];
  private startedAt = 0;

  constructor(
    private readonly now: () => number = () => Date.now(),
    private readonly windowMs = 15_000,
  ) {}

  start(total: number): void {
    this.running = true;
    this.done = 0;
    this.total = total;
    this.stamps.length = 0;
    this.startedAt = this.now();
  }

  addTotal(n: number): void {
    this.total += n;
  }

  working(file: string | null): void {
    this.current = file;
  }

  completed(n = 1): void {
    this.done += n;
    const t = this.now();
    for (let i = 0; i < n; i++) this.stamps.push(t);
    while (this.stamps.length && t - this.stamps[0] > this.windowMs) this.stamps.shift();
  }

  finish(): void {
    this.running = false;
    this.current = null;
  }

  snapshot(): IndexProgress {
    const t = this.now();
    const recent = this.stamps.filter((s) => t - s <= this.windowMs);
    // Completions over the window (or since the start, when that is shorter). Measuring from the
    // first stamp instead undercounts the time: photos finish in batches, and two batches landing
    // a moment apart read as hundreds a second ("0 s left" with 30 photos to go).
    const span = (t - Math.max(this.startedAt, t - this.windowMs)) / 1000;
    const rate = recent.length > 0 && span > 0 ? recent.length / span : 0;
    const left = Math.max(0, this.total - this.done);
    return {
      running: this.running,
      done: this.done,
      total: this.total,
      rate: Math.round(rate * 100) / 100,
      etaSeconds: this.running ? etaSeconds(left, rate) : null,
      current: this.current,
    };
  }
}
