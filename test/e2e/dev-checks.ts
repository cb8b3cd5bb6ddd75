/**
 * DEVELOPMENT checks of the renderer against the real engine (app-server.ts), not part of
 * `npm run test:e2e` (they take a few minutes and a 100 000-photo database):
 *  1. the grid at 100 000 results: a library database written ahead (big-library.ts) in the
 *     toy-colors model's space; browsing a tag every photo carries, pages load as you scroll
 *     until all 100 000 are listed, the DOM stays bounded, End/Home reach both ends; then a query
 *     (encoded for real by toy-colors) is paged through the same way;
 *  2. the IPC transport and the native-shell UI: the real preload in the page, the main process's
 *     IPC listener and shell service (desktop-bridge.ts), with the Electron calls recorded;
 *  3. first run without a model (dev-first-run.ts): the chooser, a failed download and its
 *     retry, live progress, automatic use when done, then the library UI; the settings dialog
 *     and "change model" with the switch in the background.
 *
 * Run: npx tsx test/e2e/dev-checks.ts [grid|ipc|first-run…]
 *      (after npx vite build --config renderer/vite.config.ts)
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Page } from 'playwright-core';
import { parseManifest } from '../../electron/engine/ml/manifest.ts';
import { generateTestModels } from '../../scripts/models/generate-test-models.ts';
import { writeColourSet } from '../../scripts/fixtures/colour-photos.ts';
import { recordingShell, startAppServer, type AppServer } from './app-server.ts';
import { BIG_LIBRARY_TAG, copyBigLibrary } from './big-library.ts';
import { installDesktopBridge } from './desktop-bridge.ts';
import { firstRunChooser } from './dev-first-run.ts';
import { eventually, inPage, until, type CheckContext } from './dev-support.ts';
import { launchChromium, SHOT_TIMEOUT_MS } from './browser.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const shots = path.join(ROOT, 'test-results');

/**
 * Scrolls the result grid to the end of its list: the list grows a page at a time as the bottom
 * comes into view, until the header no longer says there are more ("前 N 张…").
 */
async function scrollToEnd(page: Page, what: string): Promise<{ listed: number; maxButtons: number; pages: number }> {
  const grid = page.getByRole('list', { name: '搜索结果' });
  await grid.getByRole('button').first().waitFor({ timeout: 60_000 });
  const meta = async () => (await page.locator('.results-meta').textContent()) ?? '';
  const loaded = async () => Number(await grid.getByRole('listitem').first().getAttribute('aria-setsize'));
  let maxButtons = 0;
  let pages = 1;
  while ((await meta()).startsWith('前')) {
    const before = await loaded();
    await inPage(page, `(() => { const s = document.querySelector('.grid-scroll'); s.scrollTop = s.scrollHeight; })()`);
    const grew = `Number(document.querySelector('.grid-sizer [role="listitem"]')?.getAttribute('aria-setsize')) > ${before}`;
    await until(page, `${grew} || !document.querySelector('.results-meta')?.textContent?.startsWith('前')`, 60_000).catch(async () => {
      throw new Error(`${what}: page ${pages + 1} did not load after ${before} photos: "${await meta()}"`);
    });
    if ((await loaded()) > before) pages++;
    maxButtons = Math.max(maxButtons, await inPage<number>(page, `document.querySelectorAll('.grid-sizer button').length`));
  }
  const listed = await loaded();
  assert.match(await meta(), new RegExp(`^${listed.toLocaleString('en-US')} 张照片`), `${what}: the header does not say ${listed}`);
  await grid.getByRole('button').last().focus();
  await page.keyboard.press('End');
  await until(page, `document.activeElement?.dataset?.index === '${listed - 1}'`);
  await page.keyboard.press('Home');
  await until(page, `document.activeElement?.dataset?.index === '0'`);
  assert.ok(maxButtons < 400, `${what}: the grid rendered ${maxButtons} result buttons at once`);
  return { listed, maxButtons, pages };
}

async function gridAt100k(ctx: CheckContext): Promise<void> {
  const n = 100_000;
  const toy = path.join(ctx.models, 'toy-colors');
  const manifest = parseManifest(JSON.parse(fs.readFileSync(path.join(toy, 'manifest.json'), 'utf8')), toy);
  const dbPath = path.join(ctx.tmp, 'big.db');
  const wrote = copyBigLibrary(path.join(ctx.root, '.cache', 'e2e'), dbPath, n, manifest);
  if (wrote) console.log(`    wrote ${n} indexed photos in ${wrote.toFixed(1)} s (cached in .cache/e2e/)`);
  // No catch-up (its folder is not on this disk) and passes on demand (nothing to read in rows without files).
  const server = await startAppServer({ root: ctx.root, home: path.join(ctx.tmp, 'home-grid'), dbPath, modelDir: toy, catchUp: false, passes: 'on-demand' });
  try {
    const page = await ctx.browser.newPage({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN' });
    await page.goto(server.url);
    // Every photo, browsed by its tag (library.browse: newest first, keyset pages).
    await page.getByRole('button', { name: `${BIG_LIBRARY_TAG}，100,000 张照片` }).click();
    const browsed = await scrollToEnd(page, `tag ${BIG_LIBRARY_TAG}`);
    assert.equal(browsed.listed, n, `browsing the tag listed ${browsed.listed} of ${n} photos`);
    assert.equal(await page.getByRole('list', { name: '搜索结果' }).getByRole('listitem').first().getAttribute('aria-setsize'), String(n));
    await page.screenshot({ timeout: SHOT_TIMEOUT_MS, path: path.join(ctx.shots, 'dev-100k.png') });
    console.log(`  ✓ 100k photos (tag): ${browsed.pages} pages, at most ${browsed.maxButtons} buttons in the DOM, End/Home reach both ends`);

    // A query over the same library, encoded by the toy-colors model: the grid pages through the
    // vector search's list the same way. (How much of the library that list holds is the
    // engine's affair: its deep pages are approximate, see docs/desktop.md, development checks.)
    await page.getByRole('button', { name: '返回首页' }).click();
    await page.getByRole('searchbox', { name: '搜索照片' }).fill('红');
    const searched = await scrollToEnd(page, 'query 红');
    assert.ok(searched.pages > 10, `the query's list ended after ${searched.pages} pages (${searched.listed} photos)`);
    await page.screenshot({ timeout: SHOT_TIMEOUT_MS, path: path.join(ctx.shots, 'dev-100k-query.png') });
    console.log(`  ✓ query at 100k: ${searched.listed} photos in ${searched.pages} pages, at most ${searched.maxButtons} buttons in the DOM, End/Home reach both ends`);
  } finally {
    await server.close();
  }
}

async function ipcAndNativeShell(ctx: CheckContext): Promise<void> {
  const photos = path.join(ctx.tmp, 'Desktop photos');
  await writeColourSet(photos, ['red', 'blue', 'green'], 3);
  const shell = recordingShell([photos]);
  let server: AppServer | undefined;
  try {
    server = await startAppServer({ root: ctx.root, home: path.join(ctx.tmp, 'home-ipc'), modelDir: path.join(ctx.models, 'toy-colors'), shell });
    const page = await ctx.browser.newPage({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN' });
    const invoked = await installDesktopBridge(page, ctx.root, server);
    const httpApi: string[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname.startsWith('/api/')) httpApi.push(r.url());
    });
    // The desktop window has no token: everything goes over the bridge.
    await page.goto(new URL('/', server.url).href);
    const library = page.getByRole('region', { name: '图库' });
    await library.getByRole('button', { name: '添加文件夹…' }).click();
    await until(page, `document.querySelector('[role="progressbar"]')?.getAttribute('aria-valuenow') === '100'`);
    assert.equal(await library.getByLabel('文件夹路径（服务器上）').count(), 0, 'the web-mode path input is shown on desktop');
    assert.deepEqual((await server.ipc.invoke('listFolders', {})).map((f) => f.path), [photos]);
    await page.getByRole('searchbox', { name: '搜索照片' }).fill('蓝色');
    const first = page.getByRole('list', { name: '搜索结果' }).getByRole('button').first();
    await first.waitFor();
    await first.click();
    const dialog = page.getByRole('dialog');
    const shown = await dialog.getByRole('heading').first().textContent();
    assert.match(shown ?? '', /^blue-\d\.jpg$/, `the first result for 蓝色 is ${shown}`);
    await dialog.getByRole('button', { name: '在文件夹中显示' }).click();
    await dialog.getByRole('button', { name: '用系统查看器打开' }).click();
    await eventually("the viewer's open to reach the shell", () => shell.calls.some((c) => c.call === 'openPath'), 15_000);
    await page.screenshot({ timeout: SHOT_TIMEOUT_MS, path: path.join(ctx.shots, 'dev-native-viewer.png') });
    // The shell got the real file of the photo shown, through the guard.
    const file = fs.realpathSync(path.join(photos, shown!));
    assert.deepEqual(shell.calls, [{ call: 'chooseFolders' }, { call: 'showItemInFolder', arg: file }, { call: 'openPath', arg: file }]);
    for (const m of ['capabilities', 'chooseFolders', 'addFolder', 'search', 'revealPhoto', 'openPhoto']) assert.ok(invoked.includes(m), `no ${m} over IPC`);
    assert.deepEqual(httpApi, [], 'the desktop page called the HTTP API');
    console.log('  ✓ IPC transport + native shell: choose folder, reveal, open');
  } finally {
    await server?.close();
  }
}

const CHECKS: Record<string, (ctx: CheckContext) => Promise<void>> = { grid: gridAt100k, ipc: ipcAndNativeShell, 'first-run': firstRunChooser };

async function main(): Promise<number> {
  const wanted = process.argv.slice(2);
  for (const w of wanted) if (!CHECKS[w]) throw new Error(`unknown check ${w}; known: ${Object.keys(CHECKS).join(', ')}`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-dev-checks-'));
  fs.mkdirSync(shots, { recursive: true });
  const browser = await launchChromium();
  let failed = 0;
  try {
    const models = path.join(tmp, 'models');
    await generateTestModels(models);
    const ctx: CheckContext = { tmp, models, browser, root: ROOT, shots };
    for (const [name, check] of Object.entries(CHECKS)) {
      if (wanted.length && !wanted.includes(name)) continue;
      try {
        await check(ctx);
      } catch (err) {
        failed++;
        console.log(`  ✗ ${name}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  } finally {
    await browser.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  console.log(failed ? `${failed} dev check(s) failed` : 'dev checks passed');
  return failed;
}

process.exitCode = (await main()) ? 1 : 0;
