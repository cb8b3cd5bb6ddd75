/**
 * The int8 offer in Settings, driven in Chromium against the fake API server (the real suite's
 * toy model is opened from a directory, not installed, so it has nothing to quantize): the offer
 * for the installed fp32 model, progress while the engine makes and checks it, the measured
 * speed-up and fidelity, switching to it, and the int8 model's own figures afterwards.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startFakeServer } from './fake-api-server.ts';
import { CHROMIUM_ARGS } from './ui.e2e.ts';

export async function runQuantizeUiCheck(screenshotDir: string): Promise<{ passed: number; failed: number }> {
  const server = await startFakeServer({ photos: 40, quantizeMs: 2500 });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  let passed = 0;
  let failed = 0;
  try {
    const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN' })).newPage();
    page.setDefaultTimeout(15_000);
    const check = async (name: string, fn: () => Promise<void>): Promise<void> => {
      try {
        await fn();
        passed++;
        console.log(`  ok  ${name}`);
      } catch (err) {
        failed++;
        console.log(`  FAIL ${name}: ${err instanceof Error ? err.message : String(err)}`);
        await page.screenshot({ path: path.join(screenshotDir, `fail-quantize-${passed + failed}.png`) }).catch(() => undefined);
      }
    };
    await page.goto(server.url);
    const dialog = page.locator('dialog.settings-dialog');
    const panel = dialog.getByRole('group', { name: 'int8 加速' });

    await check('settings offers an int8 version of the installed fp32 model', async () => {
      await page.getByRole('button', { name: '设置' }).click();
      await panel.waitFor();
      assert.match(await panel.innerText(), /生成前会先用你图库中的照片和标签提示词比对/);
    });

    await check('making it shows progress, then the measured speed-up and fidelity', async () => {
      await panel.getByRole('button', { name: '生成 int8 版本' }).click();
      await panel.getByRole('status').filter({ hasText: '正在生成 int8 版本' }).waitFor();
      const figures = panel.getByTestId('quantize-figures');
      await figures.waitFor({ timeout: 20_000 });
      const text = await figures.innerText();
      assert.match(text, /48 张照片、256 条提示词/);
      assert.match(text, /图像 ×2\.3 速度，余弦相似度均值 0\.9981/);
      assert.match(text, /前 10 名保留 96%/);
      await page.screenshot({ path: path.join(screenshotDir, 'settings-int8-ready.png') });
    });

    await check('switching to the int8 version starts using it; its figures stay visible', async () => {
      await panel.getByRole('button', { name: '改用 int8 版本' }).click();
      await dialog.waitFor({ state: 'detached' });
      await page.waitForTimeout(4500); // the fake's model switch (old model serves meanwhile)
      await page.getByRole('button', { name: '设置' }).click();
      const note = dialog.locator('.settings-quantize .settings-note');
      await note.waitFor();
      assert.match(await note.innerText(), /当前使用 int8 版本（由 fake-colors 生成）/);
      await page.screenshot({ path: path.join(screenshotDir, 'settings-int8-current.png') });
    });
  } finally {
    await browser.close();
    await server.close();
  }
  console.log(`${passed} passed, ${failed} failed`);
  return { passed, failed };
}
