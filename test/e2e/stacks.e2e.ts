/**
 * Stacks in the UI, driven in Chromium against the real engine (app-server.ts) through the
 * desktop transport (desktop-bridge.ts: "show in folder" reaches the shell service): a library of
 * real photos and the copies people make of them (test/integration/fixtures/stack-photos.ts —
 * a backup folder, WeChat's mmexport and 微信图片_ copies, crops, a real video's frames as a
 * burst), indexed and grouped. At 1366×768 and 1920×1080: results show each stack once with its
 * badge, a badge opens the stack, the viewer makes another photo the cover and takes one out
 * ("not the same photo"), the filter bar shows every copy, and the duplicates view lists each kind
 * with the cover marked, the space to free, how to remove copies, and "show in folder".
 * Screenshots go to test-results/stacks-*.png.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Page } from 'playwright-core';
import { generateTestModels } from '../../scripts/models/generate-test-models.ts';
import { writeStackLibrary } from '../integration/fixtures/stack-photos.ts';
import { startAppServer, waitIndexed, recordingShell, type AppServer } from './app-server.ts';
import { installDesktopBridge } from './desktop-bridge.ts';
import { launchChromium, SCREEN_SIZES, SHOT_TIMEOUT_MS } from './browser.ts';
import { CheckRun } from './check-run.ts';

async function until(page: Page, what: string, cond: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await page.waitForTimeout(100);
  }
}

export async function runStacksUiCheck(root: string, screenshotDir: string): Promise<{ passed: number; failed: number }> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-stacks-ui-'));
  const browser = await launchChromium();
  let server: AppServer | undefined;
  const run = new CheckRun(null, { failureShot: (_name, n, tag) => path.join(screenshotDir, `fail-stacks-${tag}-${n}.png`), escape: false });
  try {
    const models = path.join(tmp, 'models');
    await generateTestModels(models);
    const lib = await writeStackLibrary(path.join(tmp, 'Photos'));
    const shell = recordingShell([]);
    // Passes on demand: only the stacks pass is run, when the photos are indexed.
    server = await startAppServer({ root, home: path.join(tmp, 'home'), modelDir: path.join(models, 'toy-colors'), folders: [lib.root], passes: 'on-demand', shell });
    await waitIndexed(server.app, lib.files.length);
    await server.app.requireEngine().passes.runAll({ only: ['stacks'] });
    // Each stack once: the tench's and the ouzel's copies (3 each), the sandpiper and a crop, the burst.
    let shownOnce = lib.files.length - 2 - 2 - 1 - 3;
    let badgeSizes = ['2 张', '3 张', '3 张', '4 张'];

    for (const size of SCREEN_SIZES) {
      const tag = `${size.width}x${size.height}`;
      const page = await browser.newPage({ viewport: size, locale: 'zh-CN' });
      page.setDefaultTimeout(15_000);
      await installDesktopBridge(page, root, server);
      const { check } = run.on(page, tag);
      await page.goto(new URL('/', server.url).href);
      const grid = page.getByRole('list', { name: '搜索结果' });
      const tiles = grid.locator('.cell');
      // "照片" is about every photo, so nothing stands out from the rest: the list is behind
      // "显示更多相关度较低的照片" (results that end: relevance.e2e.ts).
      const weakerButton = page.getByRole('button', { name: '显示更多相关度较低的照片' });
      const showEvery = async (n: number): Promise<void> => {
        await until(page, `${n} tiles or the weaker ones offered`, async () => (await tiles.count()) === n || (await weakerButton.count()) > 0);
        if ((await tiles.count()) !== n) await weakerButton.first().click();
        await until(page, `${n} tiles`, async () => (await tiles.count()) === n);
      };
      const search = async (): Promise<void> => {
        await page.getByRole('searchbox', { name: '搜索照片' }).fill('照片');
        await showEvery(shownOnce);
      };

      await check('results show each stack once, with how many photos it holds', async () => {
        await search();
        const badges = grid.locator('.stack-badge');
        assert.equal(await badges.count(), 4);
        assert.deepEqual((await badges.allInnerTexts()).map((s) => s.trim()).sort(), badgeSizes);
        await page.screenshot({ timeout: SHOT_TIMEOUT_MS, path: path.join(screenshotDir, `stacks-results-${tag}.png`) });
      });

      await check('a badge opens its stack: the burst’s four frames', async () => {
        await grid.getByRole('button', { name: '连拍，共 4 张，点开查看' }).click();
        await page.getByRole('heading', { name: '连拍 · 4 张' }).waitFor();
        await until(page, '4 frames', async () => (await tiles.count()) === 4);
        assert.equal(await grid.getByRole('button', { name: /点开查看/ }).count(), 0, 'badges inside an opened stack');
        assert.equal(await grid.locator('.stack-cover').count(), 1, 'the cover is not marked once');
        await page.screenshot({ timeout: SHOT_TIMEOUT_MS, path: path.join(screenshotDir, `stacks-burst-${tag}.png`) });
      });

      await check('the viewer makes another frame the cover', async () => {
        await tiles.first().locator('button.thumb').click();
        const dialog = page.getByRole('dialog');
        const makeCover = dialog.getByRole('button', { name: '设为封面' });
        // The first frame shown may be the cover already: the next one is not.
        if ((await makeCover.count()) === 0) await page.keyboard.press('ArrowRight');
        const name = (await dialog.getByRole('heading').first().textContent())!;
        await makeCover.click();
        await dialog.getByText('这张是这一组的封面').waitFor();
        await page.screenshot({ timeout: SHOT_TIMEOUT_MS, path: path.join(screenshotDir, `stacks-viewer-${tag}.png`) });
        await dialog.getByRole('button', { name: '关闭' }).click();
        await page.getByRole('button', { name: /^返回/ }).click();
        await search();
        assert.ok((await grid.locator('button.thumb').allInnerTexts()).some((s) => s.includes(name)), `${name} is not shown for the burst`);
      });

      await check('"not the same photo" takes the WeChat copy out of its stack, for good', async () => {
        await page.getByRole('searchbox', { name: '搜索照片' }).fill('');
        await page.getByRole('checkbox', { name: '显示每一张副本和连拍' }).check();
        await page.getByRole('searchbox', { name: '搜索照片' }).fill('照片');
        await showEvery(lib.files.length);
        const wechat = path.basename(lib.ouzel.wechat);
        const cell = grid.locator('.cell').filter({ has: page.locator(`button.thumb[title^="${wechat}"]`) });
        if ((await cell.locator('.stack-badge').count()) === 0) return; // separated in the first size's run already
        await cell.locator('.stack-badge').click();
        await page.getByRole('heading', { name: /同一张照片的副本 · 3 张/ }).waitFor();
        await page.locator(`button.thumb[title^="${wechat}"]`).click();
        await page.getByRole('dialog').getByRole('button', { name: '不是同一张照片' }).click();
        await page.getByRole('heading', { name: /· 2 张/ }).waitFor();
        await until(page, 'two photos left', async () => (await tiles.count()) === 2);
        assert.equal(await page.locator(`button.thumb[title^="${wechat}"]`).count(), 0);
        // From now on the ouzel's stack is its byte-identical pair, and its WeChat copy shows on its own.
        shownOnce += 1;
        badgeSizes = ['2 张', '2 张', '3 张', '4 张'];
        await page.getByRole('button', { name: /^返回/ }).click();
        await page.getByRole('checkbox', { name: '显示每一张副本和连拍' }).uncheck();
      });

      await check('the duplicates view: each kind, the cover marked, the space, how to remove copies, show in folder', async () => {
        await page.getByRole('button', { name: /重复的照片/ }).click();
        await page.getByRole('heading', { name: '重复的照片' }).waitFor();
        const note = await page.getByRole('note').innerText();
        assert.match(note, /从不删除、移动或修改/);
        const tabs = page.getByRole('tab');
        // The tabs name the kinds at once and count them once the report is in; never a "（0）" before.
        const counted = ['完全相同的副本（2）', '同一张照片的副本（2）', '连拍（1）'];
        await until(page, 'the kinds counted', async () => {
          const texts = await tabs.allInnerTexts();
          assert.ok(texts.every((x, i) => x === counted[i] || x === counted[i]!.replace(/（\d+）$/, '')), `tabs while loading: ${texts.join(', ')}`);
          return texts.join() === counted.join();
        });
        const groups = page.locator('.dup-group');
        assert.equal(await groups.count(), 2);
        assert.equal(await groups.first().locator('.dup-photo.is-cover').count(), 1);
        assert.match(await groups.first().innerText(), /2 张 · 多余的副本 \d/);
        await page.screenshot({ timeout: SHOT_TIMEOUT_MS, path: path.join(screenshotDir, `stacks-duplicates-${tag}.png`) });
        await tabs.nth(1).click();
        await until(page, 'near groups', async () => (await groups.count()) === 2 && (await page.locator('.dup-photo').count()) === 5);
        const before = shell.calls.length;
        await groups.first().locator('.dup-photo').nth(1).getByRole('button', { name: '在文件夹中显示' }).click();
        await until(page, 'the shell to reveal the file', async () => shell.calls.length > before);
        const revealed = shell.calls.at(-1)!;
        assert.equal(revealed.call, 'showItemInFolder');
        assert.ok(revealed.arg && fs.existsSync(revealed.arg) && revealed.arg.startsWith(fs.realpathSync(lib.root)), `revealed ${revealed.arg}`);
        await page.screenshot({ timeout: SHOT_TIMEOUT_MS, path: path.join(screenshotDir, `stacks-duplicates-near-${tag}.png`) });
        await tabs.nth(2).click();
        await page.getByText(/4 个镜头/).waitFor();
      });
      await page.close();
    }
    // The app never touched a photo.
    for (const f of lib.files) assert.ok(fs.existsSync(path.join(lib.root, f)), `${f} is gone`);
  } finally {
    await browser.close();
    await server?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  console.log(`${run.passed} passed, ${run.failed} failed`);
  return { passed: run.passed, failed: run.failed };
}
