/**
 * How the UI suites run their checks: each named check counted, printed as ✓ or ✗ with its
 * reason, and on a failure a screenshot of the page as it was — then, where the suite asks,
 * Escape, so no dialog a failed check left open spoils the next one.
 */
import type { Page } from 'playwright-core';

export interface CheckRunOptions {
  /** Where a failed check's screenshot goes, from its name and its number among the checks run. */
  failureShot: (name: string, n: number) => string;
  /** Press Escape after a failure (default true). */
  escape?: boolean;
}

export class CheckRun {
  passed = 0;
  failed = 0;

  constructor(
    private readonly page: Page,
    private readonly opts: CheckRunOptions,
  ) {}

  readonly check = async (name: string, fn: () => Promise<void>): Promise<void> => {
    try {
      await fn();
      this.passed++;
      console.log(`  ✓ ${name}`);
    } catch (err) {
      this.failed++;
      console.log(`  ✗ ${name}\n      ${(err instanceof Error ? err.message : String(err)).split('\n').join('\n      ')}`);
      await this.page.screenshot({ path: this.opts.failureShot(name, this.passed + this.failed) }).catch(() => undefined);
      if (this.opts.escape !== false) await this.page.keyboard.press('Escape').catch(() => undefined);
    }
  };
}
