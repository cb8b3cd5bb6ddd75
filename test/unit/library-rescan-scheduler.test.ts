/** When the library is re-checked against the disk (library/rescan-scheduler.ts), with fake timers. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RescanScheduler } from '../../electron/engine/library/rescan-scheduler.ts';

describe('RescanScheduler', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs one pass once a burst is quiet, not one per batch', async () => {
    const pass = vi.fn(async () => undefined);
    const s = new RescanScheduler(pass, () => undefined, { afterBurstMs: 500, periodicMs: 0 });
    for (let i = 0; i < 5; i++) {
      s.noteActivity();
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(pass).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(500);
    expect(pass).toHaveBeenCalledTimes(1);
    await s.close();
  });

  it('activity during a pass schedules exactly one more pass after it, spaced by its duration', async () => {
    let release: () => void = () => undefined;
    const pass = vi.fn(() => new Promise<void>((r) => (release = r)));
    const s = new RescanScheduler(pass, () => undefined, { afterBurstMs: 100, periodicMs: 0, minGapFactor: 4 });
    s.noteActivity();
    await vi.advanceTimersByTimeAsync(100);
    expect(pass).toHaveBeenCalledTimes(1);
    for (let i = 0; i < 3; i++) s.noteActivity(); // events while the pass runs
    await vi.advanceTimersByTimeAsync(1000); // the pass took 1 s
    release();
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(3000);
    expect(pass).toHaveBeenCalledTimes(1); // not before 4 × 1 s after the last one ended
    await vi.advanceTimersByTimeAsync(1100);
    expect(pass).toHaveBeenCalledTimes(2);
    release();
    await s.close();
  });

  it('runs periodically without events, and reports a failing pass without stopping', async () => {
    const errors: unknown[] = [];
    const pass = vi.fn(async () => {
      throw new Error('root unplugged');
    });
    const s = new RescanScheduler(pass, (e) => errors.push(e), { afterBurstMs: 0, periodicMs: 60_000 });
    await vi.advanceTimersByTimeAsync(60_001);
    await vi.advanceTimersByTimeAsync(60_001);
    expect(pass).toHaveBeenCalledTimes(2);
    expect(errors).toHaveLength(2);
    await s.close();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(pass).toHaveBeenCalledTimes(2);
  });
});
