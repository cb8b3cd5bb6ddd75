/** The ETA the library panel and the CLI show: never "0 s" while photos are left (issue 22). */
import { describe, expect, it } from 'vitest';
import { ProgressTracker, etaSeconds } from '../../electron/engine/util/progress.ts';

describe('etaSeconds', () => {
  it('rounds up, so work that remains is at least 1 s', () => {
    expect(etaSeconds(30, 64)).toBe(1);
    expect(etaSeconds(30, 6.3)).toBe(5);
    expect(etaSeconds(1, 1000)).toBe(1);
    expect(etaSeconds(600, 10)).toBe(60);
  });

  it('says nothing when nothing is left or the rate is unknown', () => {
    expect(etaSeconds(0, 10)).toBeNull();
    expect(etaSeconds(30, 0)).toBeNull();
    expect(etaSeconds(30, Number.NaN)).toBeNull();
    expect(etaSeconds(30, Number.POSITIVE_INFINITY)).toBeNull();
  });
});

describe('ProgressTracker', () => {
  it('photos that finish in batches do not read as hundreds a second ("0 s left" with 30 to go)', () => {
    let now = 0;
    const p = new ProgressTracker(() => now, 15_000);
    p.start(94);
    // Batches of 32 every 5 s (6.4 photos a second); the second lands 5 ms after the first is counted.
    now = 5_000;
    p.completed(32);
    now = 10_000;
    p.completed(32);
    now = 10_005;
    const s = p.snapshot();
    expect(s.rate).toBeGreaterThan(5);
    expect(s.rate).toBeLessThan(8);
    // 30 left at ~6.4/s: about 5 s, never 0.
    expect(s.etaSeconds).toBeGreaterThanOrEqual(4);
    expect(s.etaSeconds).toBeLessThanOrEqual(6);
  });

  it('while running with photos left the ETA is never 0, however fast the last photos went', () => {
    let now = 0;
    const p = new ProgressTracker(() => now, 15_000);
    p.start(1000);
    for (let i = 0; i < 999; i++) {
      now += 1;
      p.completed();
    }
    const s = p.snapshot();
    expect(s.done).toBe(999);
    expect(s.etaSeconds).toBe(1);
  });

  it('no rate yet: no ETA rather than a guess', () => {
    const now = 0;
    const p = new ProgressTracker(() => now);
    p.start(10);
    expect(p.snapshot().etaSeconds).toBeNull();
  });
});
