/**
 * When to fire a search while someone types, IME-aware.
 *
 * Chinese is typed through an input method: between compositionstart and compositionend the
 * field holds pinyin ("hong", "hongse") that is not the user's query. Firing on it would flash
 * useless results and waste model time, so nothing is emitted while composing; the committed text
 * is emitted ~200 ms after compositionend, like ordinary typing.
 *
 * Pure logic with injectable timers (no DOM), so it is unit-tested directly; useImeSearch wires it
 * to an <input>.
 */

export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: Timers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface ImeQueryOptions {
  onQuery(query: string): void;
  delayMs?: number;
  timers?: Timers;
}

/** Queries are compared and emitted trimmed, with inner whitespace runs collapsed. */
export function normaliseQuery(raw: string): string {
  return raw.replace(/\s+/g, ' ').trim();
}

export class ImeQueryController {
  private composing = false;
  private timer: unknown = null;
  private lastEmitted = '';
  private readonly delayMs: number;
  private readonly timers: Timers;

  constructor(private readonly opts: ImeQueryOptions) {
    this.delayMs = opts.delayMs ?? 200;
    this.timers = opts.timers ?? realTimers;
  }

  get isComposing(): boolean {
    return this.composing;
  }

  /** An input event. `eventIsComposing` is InputEvent.isComposing (some engines skip compositionstart). */
  input(value: string, eventIsComposing = false): void {
    if (this.composing || eventIsComposing) return;
    this.schedule(value);
  }

  compositionStart(): void {
    this.composing = true;
    // A query scheduled from text typed before the composition must not land mid-composition.
    this.cancel();
  }

  /** Chromium fires no input event after compositionend, so the committed value is scheduled here. */
  compositionEnd(value: string): void {
    this.composing = false;
    this.schedule(value);
  }

  /** Enter: run now, even if the text is unchanged (a deliberate retry). Ignored while composing, where Enter picks a candidate. */
  submit(value: string): void {
    if (this.composing) return;
    this.cancel();
    this.emit(normaliseQuery(value), true);
  }

  /** The query was set from outside (a suggestion, going back): remember it so typing the same text does not re-fire. */
  sync(value: string): void {
    this.cancel();
    this.lastEmitted = normaliseQuery(value);
  }

  dispose(): void {
    this.cancel();
  }

  private schedule(value: string): void {
    this.cancel();
    const q = normaliseQuery(value);
    this.timer = this.timers.set(() => {
      this.timer = null;
      this.emit(q, false);
    }, this.delayMs);
  }

  private cancel(): void {
    if (this.timer !== null) {
      this.timers.clear(this.timer);
      this.timer = null;
    }
  }

  private emit(q: string, force: boolean): void {
    if (!force && q === this.lastEmitted) return;
    this.lastEmitted = q;
    this.opts.onQuery(q);
  }
}
