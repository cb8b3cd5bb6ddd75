/** What the development checks (dev-checks.ts) share. */
import type { Browser, Page } from 'playwright-core';

export const inPage = <T>(page: Page, expr: string): Promise<T> => page.evaluate(expr) as Promise<T>;

/** Polls `expr` in the page until it is truthy. */
export async function until(page: Page, expr: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await inPage<boolean>(page, `!!(${expr})`))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${expr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Polls `test` in this process until it is true. */
export async function eventually(what: string, test: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** What a check gets: a scratch directory with the generated test models, Chromium, the repository root. */
export interface CheckContext {
  tmp: string;
  /** npm run models:test's output: toy-colors, tiny, mini-clip. */
  models: string;
  browser: Browser;
  root: string;
  /** Where screenshots go (test-results/). */
  shots: string;
}
