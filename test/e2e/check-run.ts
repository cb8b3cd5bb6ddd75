/**
 * How the UI suites run their checks: each named check counted, printed as ✓ or ✗ with its
 * reason, and on a failure a screenshot of the page as it was — then, where the suite asks,
 * Escape, so no dialog a failed check left open spoils the next one.
 *
 * A suite that runs its checks once per window size (or per page) takes a view per size with
 * `on(page, label)`: the views print the label and count into the same totals.
 */
import type { Page } from 'playwright-core';

export interface CheckRunOptions {
  /** Where a failed check's screenshot goes, from its name, its number among the checks run and its view's label. */
  failureShot: (name: string, n: number, label?: string) => string;
  /** Press Escape after a failure (default true). */
  escape?: boolean;
}

interface Totals {
  passed: number;
  failed: number;
}

export class CheckRun {
  private readonly totals: Totals;

  constructor(
    private readonly page: Page | null,
    private readonly opts: CheckRunOptions,
    private readonly label?: string,
    totals?: Totals,
  ) {
    this.totals = totals ?? { passed: 0, failed: 0 };
  }

  get passed(): number {
    return this.totals.passed;
  }

  get failed(): number {
    return this.totals.failed;
  }

  /** A view on another page (or window size) counting into the same totals, its lines marked `[label]`. */
  on(page: Page | null, label?: string): CheckRun {
    return new CheckRun(page, this.opts, label, this.totals);
  }

  readonly check = async (name: string, fn: () => Promise<void>): Promise<void> => {
    const shown = this.label ? `[${this.label}] ${name}` : name;
    try {
      await fn();
      this.totals.passed++;
      console.log(`  ✓ ${shown}`);
    } catch (err) {
      this.totals.failed++;
      console.log(`  ✗ ${shown}\n      ${(err instanceof Error ? err.message : String(err)).split('\n').join('\n      ')}`);
      if (!this.page) return;
      await this.page.screenshot({ path: this.opts.failureShot(name, this.passed + this.failed, this.label) }).catch(() => undefined);
      if (this.opts.escape !== false) await this.page.keyboard.press('Escape').catch(() => undefined);
    }
  };
}
