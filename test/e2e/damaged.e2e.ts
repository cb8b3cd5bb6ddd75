/**
 * A damaged library in the UI, against the real web mode (`shiguang serve`, toy-colors): a library
 * indexed by the CLI, then one page of its photos table overwritten (as a failing disk or a copy
 * cut short leaves it). The page says the library file is damaged and the photos are not, at
 * 1366×768 and 1920×1080 (screenshots test-results/damaged-*.png); 重建照片库 asks first, and
 * once confirmed sets the damaged file aside, builds a new library and indexes the photos again —
 * the search answers from it, and the damaged file is kept beside it.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { generateTestModels } from '../../scripts/models/generate-test-models.ts';
import { writeColourSet } from '../../scripts/fixtures/colour-photos.ts';
import { chinesePage, launchChromium, SCREEN_SIZES, SHOT_TIMEOUT_MS } from './browser.ts';
import { CheckRun } from './check-run.ts';
import { serveToyColors } from './toy-serve.ts';

/** Overwrite the root page of the photos table: the open-time check finds it (store-integrity.test.ts). */
function damagePhotosTable(db: string): void {
  const sql = new BetterSqlite3(db, { readonly: true });
  const pageSize = sql.pragma('page_size', { simple: true }) as number;
  const root = sql.prepare(`SELECT rootpage FROM sqlite_schema WHERE name = 'photos'`).pluck().get() as number;
  sql.close();
  const fd = fs.openSync(db, 'r+');
  fs.writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (root - 1) * pageSize);
  fs.closeSync(fd);
}

export async function runDamagedUiCheck(root: string, screenshotDir: string): Promise<{ passed: number; failed: number }> {
  fs.mkdirSync(screenshotDir, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-ui-damaged-'));
  const models = path.join(tmp, 'models');
  await generateTestModels(models);
  const folder = path.join(tmp, '相册');
  await writeColourSet(folder, ['red', 'blue', 'green'], 2);
  const db = path.join(tmp, 'library.db');
  const env = { ...process.env, SHIGUANG_HOME: path.join(tmp, 'home'), SHIGUANG_LOG: 'warn' };
  execFileSync(process.execPath, ['--import', 'tsx', path.join(root, 'electron/cli/main.ts'), '--db', db, '--model', path.join(models, 'toy-colors'), '--threads', '1', 'index', folder], { cwd: root, env, stdio: 'ignore' });
  damagePhotosTable(db);
  const served = await serveToyColors(root, tmp, models);
  const browser = await launchChromium();
  const run = new CheckRun(null, { failureShot: (_name, n, tag) => path.join(screenshotDir, `damaged-FAILED-${tag ?? ''}-${n}.png`) });
  try {
    const pages = [];
    for (const size of SCREEN_SIZES) {
      const tag = `${size.width}x${size.height}`;
      const page = await chinesePage(browser, size);
      pages.push(page);
      await run.on(page, tag).check('the page says the library file is damaged, the photos are not, and offers to rebuild', async () => {
        await page.goto(served.url);
        await page.getByText('照片库的数据库文件已损坏').first().waitFor();
        assert.match(await page.locator('body').innerText(), /你的照片没有受到影响/);
        await page.getByRole('button', { name: '重建照片库' }).waitFor();
        await page.screenshot({ timeout: SHOT_TIMEOUT_MS, path: path.join(screenshotDir, `damaged-${tag}.png`), animations: 'disabled' });
      });
    }
    const page = pages[0]!;
    await run.on(page, 'rebuild').check('重建照片库 asks first; declined, nothing changes; confirmed, the library is rebuilt and indexed again', async () => {
      page.once('dialog', (d) => void d.dismiss());
      await page.getByRole('button', { name: '重建照片库' }).click();
      assert.deepEqual(fs.readdirSync(tmp).filter((f) => f.includes('.damaged-')), [], 'declined: nothing set aside');
      page.once('dialog', (d) => {
        assert.match(d.message(), /重新索引所有照片/);
        void d.accept();
      });
      await page.getByRole('button', { name: '重建照片库' }).click();
      await page.getByText('已重建照片库').first().waitFor({ timeout: 60_000 });
      await served.until((s) => (s.counts as { indexed: number }).indexed === 6, 'the photos indexed again', 120_000);
      const aside = fs.readdirSync(tmp).filter((f) => f.startsWith('library.db.damaged-') && !/-(wal|shm)$/.test(f));
      assert.equal(aside.length, 1, `the damaged file is kept beside the new one: ${aside.join(', ')}`);
      await page.getByRole('searchbox', { name: '搜索照片' }).fill('红色');
      await page.keyboard.press('Enter');
      await page.getByRole('list', { name: '搜索结果' }).getByRole('button', { name: /^red-1\.jpg/ }).first().waitFor({ timeout: 60_000 });
      await page.screenshot({ timeout: SHOT_TIMEOUT_MS, path: path.join(screenshotDir, 'damaged-rebuilt-1366x768.png'), animations: 'disabled' });
    });
  } finally {
    await browser.close();
    await served.close();
  }
  return { passed: run.passed, failed: run.failed };
}
