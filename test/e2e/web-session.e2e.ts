/**
 * The web mode beyond the first tab, in Chromium against the real `serve` (run.ts): after the
 * page is opened once with its token, a second tab, a reload of the address without the token
 * and a new window of the same browser reach the library through the session cookie; the cookie
 * is invisible to page scripts; the token is gone from the address bar; a browser that never
 * opened the token's address is refused. Screenshots in test-results/web-session-*.png.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type Page } from 'playwright-core';
import { launchChromium, SHOT_TIMEOUT_MS } from './browser.ts';
import { CheckRun } from './check-run.ts';

export async function runWebSessionCheck(baseUrl: string, screenshotDir: string): Promise<{ passed: number; failed: number }> {
  fs.mkdirSync(screenshotDir, { recursive: true });
  const origin = new URL(baseUrl).origin;
  const browser = await launchChromium();
  const run = new CheckRun(null, { failureShot: (_name, n) => path.join(screenshotDir, `web-session-FAILED-${n}.png`), escape: false });
  /** Each check names the page a failure's screenshot is taken of (none where the check made its own). */
  const check = (name: string, page: Page | null, fn: () => Promise<void>): Promise<void> => run.on(page).check(name, fn);
  /** The library answers: the search box is there and no access error is shown. */
  const libraryOpens = async (page: Page, shot: string) => {
    await page.getByRole('searchbox', { name: '搜索照片' }).waitFor({ timeout: 30_000 });
    const status = await page.waitForResponse((r) => r.url().endsWith('/api/status'), { timeout: 30_000 });
    if (status.status() !== 200) throw new Error(`/api/status answered ${status.status()}`);
    if ((await page.getByText('访问令牌无效').count()) > 0) throw new Error('the page says the token is invalid');
    await page.screenshot({ timeout: SHOT_TIMEOUT_MS, path: path.join(screenshotDir, `web-session-${shot}.png`) });
  };
  try {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' });
    const first = await context.newPage();
    await check('the address with the token opens the library and leaves the token out of the address bar', first, async () => {
      const load = first.goto(baseUrl);
      await libraryOpens(first, '1-first-tab');
      await load;
      if (first.url().includes('token=')) throw new Error(`the token is still in the address bar: ${first.url()}`);
    });
    await check('the session cookie is HttpOnly and SameSite=Strict, invisible to the page', first, async () => {
      const cookies = await context.cookies(origin);
      const session = cookies.find((c) => c.name.startsWith('shiguang-session-'));
      if (!session) throw new Error(`no session cookie among ${cookies.map((c) => c.name).join(', ') || 'none'}`);
      if (!session.httpOnly || session.sameSite !== 'Strict' || session.expires !== -1) throw new Error(`cookie flags: ${JSON.stringify(session)}`);
      const visible = (await first.evaluate('document.cookie')) as string;
      if (visible.includes('shiguang-session')) throw new Error('page scripts can read the session cookie');
    });
    await check('a second tab at the address without the token opens the library', null, async () => {
      const second = await context.newPage();
      const load = second.goto(`${origin}/`);
      await libraryOpens(second, '2-second-tab');
      await load;
      await second.close();
    });
    await check('reloading the first tab (token already scrubbed) still works', first, async () => {
      const load = first.reload();
      await libraryOpens(first, '3-reload');
      await load;
    });
    await check('a browser that never opened the token address is refused', null, async () => {
      const stranger = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' });
      const page = await stranger.newPage();
      await page.goto(`${origin}/`);
      await page.getByText('访问令牌无效').first().waitFor({ timeout: 30_000 });
      await page.screenshot({ timeout: SHOT_TIMEOUT_MS, path: path.join(screenshotDir, 'web-session-4-no-token.png') });
      await stranger.close();
    });
    await context.close();
  } finally {
    await browser.close();
  }
  console.log(`web session: ${run.passed} passed, ${run.failed} failed`);
  return { passed: run.passed, failed: run.failed };
}
