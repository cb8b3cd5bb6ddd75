/**
 * The int8 offer in Settings, driven in Chromium against the real engine (app-server.ts): the
 * generated mini-clip model installed and chosen as `models import` + `models use` leave it, a
 * small library indexed, then the offer for the installed fp32 model, the engine really making and
 * checking the int8 version (progress while it does), the figures it measured, switching to it,
 * and the int8 model's own figures afterwards.
 * The engine compares fp32 and int8 as it does for a person: on up to CHECK_PHOTOS of the
 * library's photos and CHECK_PROMPTS tag prompts (models/quantize-registry.ts); on mini-clip that
 * takes about 15 s on two busy cores.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FIDELITY_BOUND } from '../../electron/engine/models/quantize-fidelity.ts';
import { CHECK_PHOTOS, CHECK_PROMPTS } from '../../electron/engine/models/quantize-registry.ts';
import { generateTestModels } from '../../scripts/models/generate-test-models.ts';
import { writeColourSet } from '../../scripts/fixtures/colour-photos.ts';
import { installModel, startAppServer, waitIndexed, type AppServer } from './app-server.ts';
import { launchChromium, SHOT_TIMEOUT_MS } from './browser.ts';
import { CheckRun } from './check-run.ts';

/** A library of coloured photos and real photos from ../shared/photos; returns how many photos it holds. */
async function writeLibrary(root: string, dir: string): Promise<number> {
  const colours = await writeColourSet(dir, ['red', 'green', 'blue', 'white'], 2);
  const shared = path.resolve(root, '../shared/photos');
  const real = fs.existsSync(shared) ? fs.readdirSync(shared).filter((f) => f.endsWith('.JPEG')).sort().slice(0, 8) : [];
  for (const f of real) fs.copyFileSync(path.join(shared, f), path.join(dir, f));
  return colours.length + real.length;
}

export async function runQuantizeUiCheck(root: string, screenshotDir: string): Promise<{ passed: number; failed: number }> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-int8-ui-'));
  let server: AppServer | undefined;
  const browser = await launchChromium();
  let run: CheckRun | undefined;
  try {
    const models = path.join(tmp, 'models');
    await generateTestModels(models);
    const home = path.join(tmp, 'home');
    const sourceId = await installModel(home, path.join(models, 'mini-clip'));
    const photos = path.join(tmp, 'Photos');
    const count = await writeLibrary(root, photos);
    // Passes on demand: tagging and OCR would share the two cores with the quantizer for nothing here.
    server = await startAppServer({ root, home, folders: [photos], passes: 'on-demand' });
    await waitIndexed(server.app, count);

    const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN' })).newPage();
    page.setDefaultTimeout(15_000);
    run = new CheckRun(page, { failureShot: (_name, n) => path.join(screenshotDir, `fail-quantize-${n}.png`), escape: false });
    const { check } = run;
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
      await figures.waitFor({ timeout: 180_000 });
      const text = await figures.innerText();
      // The real run's counts: the library's photos (a sample of at most CHECK_PHOTOS), the prompts.
      assert.match(text, new RegExp(`（${Math.min(count, CHECK_PHOTOS)} 张照片、${CHECK_PROMPTS} 条提示词）`), text);
      const m = /图像 ×(\d+\.\d) 速度，余弦相似度均值 (\d\.\d{4})；文本 ×(\d+\.\d) 速度，均值 (\d\.\d{4})；前 10 名保留 (\d{1,3})%/.exec(text);
      assert.ok(m, `figures not in the expected form: ${text}`);
      const [, imageSpeed, imageCos, textSpeed, textCos, top10] = m;
      // Installed means within the bound; the figures shown are the ones it was installed at.
      assert.ok(Number(imageCos) >= FIDELITY_BOUND.meanCosine, `image cosine ${imageCos}`);
      assert.ok(Number(textCos) >= FIDELITY_BOUND.meanCosine, `text cosine ${textCos}`);
      assert.ok(Number(imageSpeed) > 0 && Number(textSpeed) > 0, `speed-ups ${imageSpeed}, ${textSpeed}`);
      assert.ok(Number(top10) <= 100, `top 10 kept ${top10}%`);
      await panel.getByText(/已安装。/).waitFor();
      await page.screenshot({ timeout: SHOT_TIMEOUT_MS, path: path.join(screenshotDir, 'settings-int8-ready.png') });
    });

    await check('switching to the int8 version starts using it; its figures stay visible', async () => {
      await panel.getByRole('button', { name: '改用 int8 版本' }).click();
      await dialog.waitFor({ state: 'detached' });
      // The engine serves the int8 model once the app's status says so (it shares the fp32 vectors).
      await page.getByRole('button', { name: '设置' }).click();
      const note = dialog.locator('.settings-quantize .settings-note');
      await note.waitFor();
      assert.match(await note.innerText(), new RegExp(`当前使用 int8 版本（由 ${sourceId} 生成）`));
      await dialog.getByTestId('quantize-figures').waitFor();
      const status = await server!.app.status();
      assert.equal(status.model?.id, `${sourceId}-int8`);
      assert.equal(status.counts.indexed, count, 'switching to the int8 version re-encoded or lost photos');
      await page.screenshot({ timeout: SHOT_TIMEOUT_MS, path: path.join(screenshotDir, 'settings-int8-current.png') });
    });
  } finally {
    await browser.close();
    await server?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const counts = { passed: run?.passed ?? 0, failed: run?.failed ?? 0 };
  console.log(`${counts.passed} passed, ${counts.failed} failed`);
  return counts;
}
