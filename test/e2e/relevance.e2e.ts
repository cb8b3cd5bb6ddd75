/**
 * Results that end, in the UI, against the real web mode (`shiguang serve`, the toy-colors model)
 * with its own library: coloured photos and 20 real photos of ../shared/photos. Checked in
 * Chromium at 1366×768 and 1920×1080, with screenshots (test-results/relevance-*.png):
 *
 * - 红色: the header says "N 张相关照片" — N the tiles shown, far fewer than the library — each tile
 *   says 相关度, and "显示更多相关度较低的照片" sits below the grid;
 * - the button shows the weaker ones after them, the first one marked, the header saying so;
 * - 猫 (nothing stands out for the toy model): "没有明显相关的照片" with the same button;
 * - Settings → 结果范围: a slider from 更严格 to 更宽松, saved as searchSensitivity.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Page } from 'playwright-core';
import { generateTestModels } from '../../scripts/models/generate-test-models.ts';
import { writeColourSet } from '../../scripts/fixtures/colour-photos.ts';
import { chinesePage, launchChromium, SCREEN_SIZES, SHOT_TIMEOUT_MS } from './browser.ts';
import { serveToyColors } from './toy-serve.ts';
import { CheckRun } from './check-run.ts';

const RESULTS = '搜索结果';
interface Served {
  url: string;
  api(method: string, body: unknown): Promise<Record<string, unknown>>;
  photos: number;
  close(): Promise<void>;
}

async function serveLibrary(root: string): Promise<Served> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-ui-relevance-'));
  const models = path.join(tmp, 'models');
  await generateTestModels(models);
  const folder = path.join(tmp, '相册');
  await writeColourSet(folder, ['red', 'green', 'blue', 'yellow'], 3);
  const shared = path.resolve(root, '../shared/photos');
  for (const f of fs.readdirSync(shared).filter((f) => f.endsWith('.JPEG')).slice(0, 20)) fs.copyFileSync(path.join(shared, f), path.join(folder, f));
  const photos = fs.readdirSync(folder).length;
  const served = await serveToyColors(root, tmp, models);
  try {
    await served.api('addFolder', { path: folder });
    await served.until((s) => (s.counts as { indexed: number }).indexed === photos, 'photos indexed');
    return { url: served.url, api: served.api, photos, close: served.close };
  } catch (err) {
    await served.close();
    throw err;
  }
}

async function search(page: Page, q: string): Promise<void> {
  await page.getByRole('searchbox', { name: '搜索照片' }).fill(q);
  await page.keyboard.press('Enter');
}

export async function runRelevanceUiCheck(root: string, screenshotDir: string): Promise<{ passed: number; failed: number }> {
  fs.mkdirSync(screenshotDir, { recursive: true });
  const served = await serveLibrary(root);
  const browser = await launchChromium();
  const run = new CheckRun(null, { failureShot: (_name, n, tag) => path.join(screenshotDir, `relevance-FAILED-${tag}-${n}.png`) });
  try {
    for (const size of SCREEN_SIZES) {
      const tag = `${size.width}x${size.height}`;
      const page = await chinesePage(browser, size);
      const { check } = run.on(page, tag);
      await page.goto(served.url);
      const grid = page.getByRole('list', { name: RESULTS });
      const meta = page.locator('.results-meta');
      const showWeaker = page.getByRole('button', { name: '显示更多相关度较低的照片' });

      await check('红色: the header counts the relevant photos, the tiles say 相关度, the weaker rest is behind a button', async () => {
        await search(page, '红色');
        await showWeaker.waitFor();
        const text = await meta.innerText();
        const m = /^(\d+) 张相关照片/.exec(text);
        assert.ok(m, `header: ${text}`);
        const n = Number(m[1]);
        const tiles = grid.locator('button[data-index]');
        assert.equal(await tiles.count(), n);
        assert.ok(n >= 3 && n < served.photos / 2, `${n} of ${served.photos}`);
        const labels = await tiles.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
        assert.ok(labels.every((l) => /相关度 \d+%/.test(l)), labels.join(' | '));
        for (let i = 1; i <= 3; i++) assert.ok(labels.some((l) => l.startsWith(`red-${i}.jpg`)), `red-${i}.jpg among ${labels.join(' | ')}`);
        assert.ok(!labels.some((l) => /^(green|blue|yellow)-/.test(l)), labels.join(' | '));
        await page.screenshot({ timeout: SHOT_TIMEOUT_MS, path: path.join(screenshotDir, `relevance-${tag}-relevant.png`), animations: 'disabled' });
      });

      await check('the button shows the weaker ones after them, the first one marked, the header saying so', async () => {
        const before = await grid.locator('button[data-index]').count();
        await showWeaker.click();
        await page.locator('.thumb-weaker').waitFor();
        assert.ok((await grid.locator('button.weaker').count()) > 0);
        assert.equal(await grid.locator(`button[data-index="${before}"]`).getAttribute('class').then((c) => c?.includes('weaker')), true);
        assert.match(await meta.innerText(), /张相关照片，下面是相关度较低的/);
        assert.equal(await showWeaker.count(), 0);
        await page.locator('.thumb-weaker').scrollIntoViewIfNeeded();
        await page.screenshot({ timeout: SHOT_TIMEOUT_MS, path: path.join(screenshotDir, `relevance-${tag}-weaker.png`), animations: 'disabled' });
      });

      await check('猫: nothing stands out, and it says so, with the weaker ones on request', async () => {
        await search(page, '猫');
        await page.getByRole('heading', { name: '没有明显相关的照片' }).waitFor();
        assert.match(await meta.innerText(), /没有明显相关的照片/);
        await showWeaker.waitFor();
        await page.screenshot({ timeout: SHOT_TIMEOUT_MS, path: path.join(screenshotDir, `relevance-${tag}-none.png`), animations: 'disabled' });
        await showWeaker.click();
        await grid.locator('button.weaker').first().waitFor();
      });

      await check('Settings → 结果范围: a slider from 更严格 to 更宽松, saved as searchSensitivity', async () => {
        await page.getByRole('button', { name: '设置' }).first().click();
        const dialog = page.locator('dialog.settings-dialog[open]');
        const slider = dialog.getByRole('slider', { name: '搜索结果在哪里结束' });
        await slider.waitFor();
        assert.equal(await slider.inputValue(), '0');
        await slider.focus();
        await page.keyboard.press('ArrowRight');
        await page.keyboard.press('ArrowRight');
        assert.equal(await dialog.locator('.sensitivity-value').innerText(), '很宽松');
        await dialog.locator('.sensitivity-row').scrollIntoViewIfNeeded();
        await page.screenshot({ timeout: SHOT_TIMEOUT_MS, path: path.join(screenshotDir, `relevance-${tag}-settings.png`), animations: 'disabled' });
        await dialog.getByRole('button', { name: '保存' }).click();
        await dialog.waitFor({ state: 'detached' });
        assert.equal((await served.api('settings', {})).searchSensitivity, 2);
        await served.api('updateSettings', { searchSensitivity: 0 });
      });
      await page.context().close();
    }
  } finally {
    await browser.close();
    await served.close();
  }
  return { passed: run.passed, failed: run.failed };
}
