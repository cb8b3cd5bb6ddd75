import type { IndexProgress } from '../../shared/api.ts';

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

  constructor(
    private readonly now: () => number = () => Date.now(),
    private readonly windowMs = 15_000,
  ) {}

  start(total: number): void {
    this.running = true;
    this.done = 0;
    this.total = total;
    this.stamps.length = 0;
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
    const span = recent.length > 1 ? (t - recent[0]) / 1000 : 0;
    const rate = span > 0 ? recent.length / span : 0;
    const left = Math.max(0, this.total - this.done);
    return {
      running: this.running,
      done: this.done,
      total: this.total,
      rate: Math.round(rate * 100) / 100,
      etaSeconds: this.running && rate > 0 ? Math.round(left / rate) : null,
      current: this.current,
    };
  }
}
