import { describe, expect, it } from 'vitest';
import { ImeQueryController, normaliseQuery, type Timers } from '../../renderer/src/search/imeQuery.ts';

/** Manual clock: timers fire only when the test advances time, so nothing depends on wall-clock. */
function manualTimers() {
  let now = 0;
  let nextId = 1;
  const pending = new Map<number, { at: number; fn: () => void }>();
  const timers: Timers = {
    set(fn, ms) {
      const id = nextId++;
      pending.set(id, { at: now + ms, fn });
      return id;
    },
    clear(h) {
      pending.delete(h as number);
    },
  };
  const advance = (ms: number) => {
    now += ms;
    for (const [id, t] of [...pending].sort((a, b) => a[1].at - b[1].at)) {
      if (t.at <= now) {
        pending.delete(id);
        t.fn();
      }
    }
  };
  return { timers, advance, pendingCount: () => pending.size };
}

function setup(delayMs = 200) {
  const clock = manualTimers();
  const emitted: string[] = [];
  const ctl = new ImeQueryController({ delayMs, timers: clock.timers, onQuery: (q) => emitted.push(q) });
  return { ctl, emitted, ...clock };
}

describe('ImeQueryController', () => {
  it('debounces plain typing and emits only the last value', () => {
    const { ctl, emitted, advance } = setup();
    ctl.input('c');
    advance(100);
    ctl.input('ca');
    advance(100);
    ctl.input('cat');
    advance(199);
    expect(emitted).toEqual([]);
    advance(1);
    expect(emitted).toEqual(['cat']);
  });

  it('emits nothing between compositionstart and compositionend, then the committed text', () => {
    const { ctl, emitted, advance, pendingCount } = setup();
    ctl.compositionStart();
    ctl.input('h', true);
    ctl.input('hong', true);
    ctl.input('hongse', true);
    advance(5000);
    expect(emitted).toEqual([]);
    expect(pendingCount()).toBe(0);
    ctl.compositionEnd('红色');
    advance(200);
    expect(emitted).toEqual(['红色']);
  });

  it('ignores input during a composition even when the event does not flag isComposing', () => {
    const { ctl, emitted, advance } = setup();
    ctl.compositionStart();
    ctl.input('hong', false);
    advance(1000);
    expect(emitted).toEqual([]);
  });

  it('ignores input events flagged isComposing even without a compositionstart', () => {
    const { ctl, emitted, advance } = setup();
    ctl.input('hong', true);
    advance(1000);
    expect(emitted).toEqual([]);
  });

  it('cancels a query scheduled before the composition started', () => {
    const { ctl, emitted, advance } = setup();
    ctl.input('红');
    advance(150);
    ctl.compositionStart();
    advance(1000);
    expect(emitted).toEqual([]);
    ctl.compositionEnd('红色');
    advance(200);
    expect(emitted).toEqual(['红色']);
  });

  it('does not emit twice when a browser also sends a non-composing input after compositionend', () => {
    const { ctl, emitted, advance } = setup();
    ctl.compositionStart();
    ctl.compositionEnd('红色');
    ctl.input('红色', false);
    advance(200);
    expect(emitted).toEqual(['红色']);
  });

  it('Enter runs immediately and always (a retry), but not while composing', () => {
    const { ctl, emitted, advance } = setup();
    ctl.input('猫');
    ctl.submit('猫');
    expect(emitted).toEqual(['猫']);
    advance(500);
    expect(emitted).toEqual(['猫']);
    ctl.submit('猫');
    expect(emitted).toEqual(['猫', '猫']);
    ctl.compositionStart();
    ctl.submit('mao');
    expect(emitted).toEqual(['猫', '猫']);
  });

  it('does not re-emit an unchanged query, and normalises whitespace', () => {
    const { ctl, emitted, advance } = setup();
    ctl.input(' 海边  日落 ');
    advance(200);
    ctl.input('海边 日落');
    advance(200);
    expect(emitted).toEqual(['海边 日落']);
  });

  it('emits the empty query when the field is cleared', () => {
    const { ctl, emitted, advance } = setup();
    ctl.input('猫');
    advance(200);
    ctl.input('');
    advance(200);
    expect(emitted).toEqual(['猫', '']);
  });

  it('sync() records an externally set query so typing it again does not fire', () => {
    const { ctl, emitted, advance } = setup();
    ctl.sync('红色');
    ctl.input('红色');
    advance(200);
    expect(emitted).toEqual([]);
  });

  it('dispose() drops a pending query', () => {
    const { ctl, emitted, advance } = setup();
    ctl.input('猫');
    ctl.dispose();
    advance(1000);
    expect(emitted).toEqual([]);
  });

  it('normaliseQuery collapses full-width and ordinary whitespace', () => {
    expect(normaliseQuery('\u3000红色\t 的  花 ')).toBe('红色 的 花');
  });
});
