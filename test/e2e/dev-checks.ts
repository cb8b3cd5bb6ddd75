/**
 * DEVELOPMENT checks of the renderer against the fake server (not part of npm run test:e2e):
 *  1. the grid at 100 000 results: pages load as you scroll, the DOM stays bounded, End reaches
 *     the last photo;
 *  2. the IPC transport and native-shell UI, with a stand-in window.shiguang bridge injected
 *     before the app loads (the desktop preload's shape, forwarding to the fake over HTTP).
 *
 * Run: npx tsx test/e2e/dev-checks.ts   (after vite build --config renderer/vite.config.ts)
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { startFakeServer } from './fake-api-server.ts';
import { CHROMIUM_ARGS } from './ui.e2e.ts';

const shots = path.resolve('test-results');
const inPage = <T>(page: Page, expr: string): Promise<T> => page.evaluate(expr) as Promise<T>;

async function until(page: Page, expr: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await inPage<boolean>(page, `!!(${expr})`))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${expr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function gridAt100k(): Promise<void> {
  const server = await startFakeServer({ photos: 100_000 });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(server.url);
    await page.getByRole('searchbox', { name: '搜索照片' }).fill('红');
    const grid = page.getByRole('list', { name: '搜索结果' });
    await grid.getByRole('button').first().waitFor();
    const domButtons = () => inPage<number>(page, `document.querySelectorAll('.grid-sizer button').length`);
    let maxButtons = 0;
    // Scroll to the bottom until the list stops growing (500 → 2k → 10k → 50k → 100k).
    for (let i = 0; i < 40; i++) {
      await inPage(page, `(() => { const s = document.querySelector('.grid-scroll'); s.scrollTop = s.scrollHeight; })()`);
      await page.waitForTimeout(300);
      maxButtons = Math.max(maxButtons, await domButtons());
      const meta = (await page.locator('.results-meta').textContent()) ?? '';
      if (meta.includes('100,000 张照片') && !meta.includes('前')) break;
    }
    const meta = (await page.locator('.results-meta').textContent()) ?? '';
    assert.match(meta, /^100,000 张照片/, `did not reach 100k results: "${meta}"`);
    assert.ok(maxButtons < 400, `the grid rendered ${maxButtons} result buttons at once`);
    const setsize = await grid.getByRole('listitem').first().getAttribute('aria-setsize');
    assert.equal(setsize, '100000');
    await grid.getByRole('button').last().focus();
    await page.keyboard.press('End');
    await until(page, `document.activeElement?.dataset?.index === '99999'`);
    await page.keyboard.press('Home');
    await until(page, `document.activeElement?.dataset?.index === '0'`);
    await page.screenshot({ path: path.join(shots, 'dev-100k.png') });
    console.log(`  ✓ 100k results: at most ${maxButtons} buttons in the DOM, End/Home reach both ends`);
  } finally {
    await browser.close();
    await server.close();
  }
}

async function ipcAndNativeShell(): Promise<void> {
  const server = await startFakeServer({ nativeShell: true, rate: 200 });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    // What electron/preload exposes: invoke rejecting with plain {code, message}, and mediaUrl.
    // A string, not a function: tsx wraps functions with helpers (__name) that do not exist in the page.
    const t = JSON.stringify(server.token);
    await page.addInitScript(`window.shiguang = {
      invoke: async (method, req) => {
        const r = await fetch('/api/' + method, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + ${t} },
          body: JSON.stringify(req),
        });
        const body = await r.json();
        if (!r.ok) throw body;
        return body;
      },
      mediaUrl: (id, kind) => '/media/' + kind + '/' + id + '?token=' + ${t},
    };`);
    const seen: string[] = [];
    page.on('request', (r) => {
      const m = /\/api\/(\w+)$/.exec(r.url());
      if (m) seen.push(m[1]!);
    });
    await page.goto(server.url.replace(/\?token=.*/, ''));
    const library = page.getByRole('region', { name: '图库' });
    await library.getByRole('button', { name: '添加文件夹…' }).click();
    await until(page, `document.querySelector('[role="progressbar"]')?.getAttribute('aria-valuenow') === '100'`);
    assert.equal(await library.getByLabel('文件夹路径（服务器上）').count(), 0, 'the web-mode path input is shown on desktop');
    await page.getByRole('searchbox', { name: '搜索照片' }).fill('蓝色');
    await page.getByRole('list', { name: '搜索结果' }).getByRole('button').first().click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: '在文件夹中显示' }).click();
    const opened = page.waitForResponse((r) => r.url().endsWith('/api/openPhoto'));
    await dialog.getByRole('button', { name: '用系统查看器打开' }).click();
    assert.equal((await opened).status(), 200);
    await page.screenshot({ path: path.join(shots, 'dev-native-viewer.png') });
    for (const m of ['chooseFolders', 'addFolder', 'search', 'revealPhoto', 'openPhoto']) assert.ok(seen.includes(m), `no ${m} call`);
    console.log('  ✓ IPC transport + native shell: choose folder, reveal, open');
  } finally {
    await browser.close();
    await server.close();
  }
}

let failed = 0;
for (const check of [gridAt100k, ipcAndNativeShell]) {
  try {
    await check();
  } catch (err) {
    failed++;
    console.log(`  ✗ ${check.name}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
console.log(failed ? `${failed} dev check(s) failed` : 'dev checks passed');
process.exitCode = failed ? 1 : 0;
