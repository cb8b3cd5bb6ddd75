/**
 * What every browser suite shares: Debian's Chromium started the same way, the two screen sizes
 * every changed screen is looked at (a 1366×768 laptop and a 1920×1080 monitor), and reading the
 * page's API calls (`POST /api/<method>` with a JSON body).
 */
import { chromium, type Browser, type Page, type Request } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export const SCREEN_SIZES = [
  { width: 1366, height: 768 },
  { width: 1920, height: 1080 },
] as const;

export type ScreenSize = { readonly width: number; readonly height: number };

/** Chromium as the suites run it (CHROMIUM_PATH, else Debian's /usr/bin/chromium). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/** The API method a request calls (`/api/search` → "search"), null for anything else. */
export const apiMethodOf = (r: Request): string | null => /\/api\/(\w+)$/.exec(new URL(r.url()).pathname)?.[1] ?? null;

/** A request's JSON body ({} when it has none or it is not JSON). */
export function apiBodyOf(r: Request): Record<string, unknown> {
  try {
    return JSON.parse(r.postData() ?? '{}') as Record<string, unknown>;
  } catch {
    return {};
  }
}

/**
 * How long a screenshot may take. A screenshot is a record for a person to look at, not what a check
 * is about, and a full-page capture of a 1920×1080 grid or a 100k timeline took over the pages'
 * 20 s on a 2-core machine busy with a second browser run (2026-12-07): the check failed on it.
 */
export const SHOT_TIMEOUT_MS = 120_000;

/** A page as a person in mainland China sees it: Chinese locale, light scheme, at `viewport`. */
export async function chinesePage(browser: Browser, viewport: ScreenSize = SCREEN_SIZES[0], timeoutMs = 20_000): Promise<Page> {
  const page = await (await browser.newContext({ viewport, locale: 'zh-CN', colorScheme: 'light' })).newPage();
  page.setDefaultTimeout(timeoutMs);
  return page;
}

/** The page's console errors and uncaught errors from now on, as they happen (the list fills itself). */
export function pageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  return problems;
}

/** Every image in the main area has loaded (polled: the app's CSP forbids waitForFunction's eval); gives up after 15 s. */
export async function imagesLoaded(page: Page): Promise<void> {
  for (let i = 0; i < 150; i++) {
    if (await page.evaluate(`[...document.querySelectorAll('.main img')].every((i) => i.complete && i.naturalWidth > 0)`)) return;
    await page.waitForTimeout(100);
  }
}
