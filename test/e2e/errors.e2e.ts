/**
 * One language at a time, in Chromium against the real web mode: what a person meets when a folder
 * is not there and when a query is too long is said in Chinese on a Chinese screen — no engine
 * English, no retry button where retrying cannot help — at 1366×768 and 1920×1080 (screenshots
 * in test-results/errors-*.png).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { MAX_FOLDER_PATH_LENGTH, MAX_QUERY_LENGTH, MAX_TAG_NAME_LENGTH } from '../../electron/shared/contract/limits.ts';
import { apiBodyOf, chinesePage, launchChromium, SCREEN_SIZES, SHOT_TIMEOUT_MS } from './browser.ts';
import { CheckRun } from './check-run.ts';

/** English an engine or a browser would say; none of it may reach the Chinese screen. */
const ENGINE_ENGLISH = /folder not found|invalid \w+ request|Too big|too_big|getaddrinfo|ENOTFOUND|BAD_REQUEST|NOT_FOUND|Failed to fetch|string must|expected/i;

export async function runErrorUiChecks(baseUrl: string, screenshotDir: string): Promise<{ passed: number; failed: number }> {
  fs.mkdirSync(screenshotDir, { recursive: true });
  const browser = await launchChromium();
  const page = await chinesePage(browser, SCREEN_SIZES[0], 15_000);
  const searches: string[] = [];
  /** Every API call the page made, by method name. */
  const calls: string[] = [];
  page.on('request', (r) => {
    const pathname = new URL(r.url()).pathname;
    if (pathname.includes('/api/')) calls.push(pathname.slice(pathname.lastIndexOf('/') + 1));
    if (pathname.endsWith('/api/search')) searches.push(String(apiBodyOf(r).query ?? ''));
  });
  const run = new CheckRun(page, { failureShot: (_name, n) => path.join(screenshotDir, `errors-FAILED-${n}.png`), escape: false });
  const { check } = run;
  /** The same state at both sizes; the viewport is left at the first. */
  const shots = async (name: string) => {
    for (const { width: w, height: h } of SCREEN_SIZES) {
      await page.setViewportSize({ width: w, height: h });
      await page.screenshot({ timeout: SHOT_TIMEOUT_MS, path: path.join(screenshotDir, `errors-${name}-${w}x${h}.png`), animations: 'disabled' });
    }
    await page.setViewportSize(SCREEN_SIZES[0]);
  };
  const noEngineEnglish = async () => {
    const text = await page.locator('body').innerText();
    assert.doesNotMatch(text, ENGINE_ENGLISH, 'engine English on the Chinese screen');
  };
  const searchbox = () => page.getByRole('searchbox', { name: '搜索照片' });

  try {
    await page.goto(baseUrl);
    await searchbox().waitFor({ timeout: 30_000 });

    await check('a folder that is not there is said in Chinese, with its path and what to check', async () => {
      const missing = '/媒体/不存在的硬盘/照片';
      const library = page.getByRole('region', { name: '图库' });
      await library.getByLabel('文件夹路径（服务器上）').fill(missing);
      const answer = page.waitForResponse((r) => r.url().endsWith('/api/addFolder'));
      await library.getByRole('button', { name: '添加', exact: true }).click();
      const res = await answer;
      assert.equal(res.status(), 404);
      const body = (await res.json()) as { detail?: { reason?: string } };
      assert.equal(body.detail?.reason, 'folder-missing', 'the engine gave no reason');
      const notice = page.locator('.notice-error').filter({ hasText: missing });
      await notice.waitFor();
      assert.equal((await notice.innerText()).trim(), `找不到文件夹 ${missing}。请检查路径是否拼写正确，或者它所在的硬盘是否已连接。`);
      await noEngineEnglish();
      await shots('folder-missing');
      await notice.getByRole('button', { name: '关闭提示' }).click();
    });

    await check(`a query over ${MAX_QUERY_LENGTH} characters is stopped in the box, said in Chinese, and never sent`, async () => {
      const before = searches.length;
      const long = '海边的日落'.repeat(Math.ceil((MAX_QUERY_LENGTH + 1) / 5));
      await searchbox().fill(long);
      await searchbox().press('Enter');
      const limit = page.getByRole('alert').filter({ hasText: '搜索内容太长了' });
      await limit.waitFor();
      assert.equal((await limit.innerText()).trim(), `搜索内容太长了：最多 ${MAX_QUERY_LENGTH} 个字，现在是 ${long.length} 个字。请删短一些，或者只留下最想找的部分。`);
      assert.equal(await searchbox().getAttribute('aria-invalid'), 'true');
      // Give the debounce its time, then make sure nothing went out.
      await page.waitForTimeout(600);
      assert.deepEqual(searches.slice(before).filter((q) => q.length > MAX_QUERY_LENGTH), [], 'the over-long query was sent');
      await noEngineEnglish();
      await shots('query-too-long');
      await searchbox().fill('');
      await limit.waitFor({ state: 'detached' });
    });

    await check(`a tag name over ${MAX_TAG_NAME_LENGTH} characters and a folder path over ${MAX_FOLDER_PATH_LENGTH} are stopped in their fields, said in Chinese, never sent`, async () => {
      const before = calls.length;
      const tagBox = page.getByLabel('新建自定义标签');
      const tag = '生日蛋糕'.repeat(Math.ceil((MAX_TAG_NAME_LENGTH + 1) / 4));
      await tagBox.fill(tag); // pasted whole, not cut at the limit
      assert.equal(await tagBox.inputValue(), tag);
      const tagLimit = page.getByRole('alert').filter({ hasText: '标签名太长了' });
      await tagLimit.waitFor();
      assert.equal((await tagLimit.innerText()).trim(), `标签名太长了：最多 ${MAX_TAG_NAME_LENGTH} 个字，现在是 ${tag.length} 个字。请起一个短一些的名字。`);
      assert.equal(await tagBox.getAttribute('aria-invalid'), 'true');
      await tagBox.press('Enter');
      const library = page.getByRole('region', { name: '图库' });
      const pathBox = library.getByLabel('文件夹路径（服务器上）');
      const longPath = '/照片/' + '旅行'.repeat(Math.ceil(MAX_FOLDER_PATH_LENGTH / 2));
      await pathBox.fill(longPath);
      const pathLimit = page.getByRole('alert').filter({ hasText: '文件夹路径太长了' });
      await pathLimit.waitFor();
      assert.equal((await pathLimit.innerText()).trim(), `文件夹路径太长了：最多 ${MAX_FOLDER_PATH_LENGTH} 个字符，现在是 ${longPath.length} 个。请检查是否粘贴了多余的内容。`);
      assert.equal(await library.getByRole('button', { name: '添加', exact: true }).isDisabled(), true);
      await pathBox.press('Enter');
      await noEngineEnglish();
      await shots('tag-and-path-too-long');
      // Shortened, each is accepted again; nothing over the limits was sent meanwhile.
      await tagBox.fill('');
      await pathBox.fill('');
      await tagLimit.waitFor({ state: 'detached' });
      await pathLimit.waitFor({ state: 'detached' });
      const sent = calls.slice(before);
      assert.deepEqual(sent.filter((c) => c === 'addCustomTag' || c === 'addFolder'), [], `sent: ${sent.join(', ')}`);
    });

    await check('an invalid request that reaches the engine anyway is worded in Chinese, without a retry button', async () => {
      // What an older page or another client could send: the engine's real refusal, as the UI shows it.
      await page.route('**/api/search', async (route) => {
        const body = apiBodyOf(route.request());
        await route.continue({ postData: JSON.stringify({ ...body, query: '猫'.repeat(MAX_QUERY_LENGTH + 1) }) });
      });
      try {
        const answer = page.waitForResponse((r) => r.url().endsWith('/api/search'));
        await searchbox().fill('猫');
        await searchbox().press('Enter');
        const res = await answer;
        assert.equal(res.status(), 400);
        const body = (await res.json()) as { detail?: Record<string, string> };
        assert.deepEqual(body.detail, { reason: 'invalid-request', field: 'query', kind: 'too-long', limit: String(MAX_QUERY_LENGTH) });
        const state = page.locator('.state-error');
        await state.getByText(`搜索内容太长了：最多 ${MAX_QUERY_LENGTH} 个字。`).waitFor();
        assert.equal(await state.getByRole('button', { name: '重试' }).count(), 0, 'a retry button for a request that will fail again');
        await noEngineEnglish();
        await shots('invalid-request');
      } finally {
        await page.unroute('**/api/search');
        await searchbox().fill('');
      }
    });
  } finally {
    await browser.close();
  }
  return { passed: run.passed, failed: run.failed };
}

