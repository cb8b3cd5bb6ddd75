/**
 * DEVELOPMENT checks of the renderer against the fake server (not part of npm run test:e2e):
 *  1. the grid at 100 000 results: pages load as you scroll, the DOM stays bounded, End reaches
 *     the last photo;
 *  2. the IPC transport and native-shell UI, with a stand-in window.shiguang bridge injected
 *     before the app loads (the desktop preload's shape, forwarding to the fake over HTTP);
 *  3. first run without a model: the chooser, a failed download and its retry, live progress,
 *     automatic use when done, then the library UI; the settings dialog and "change model".
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

async function firstRunChooser(): Promise<void> {
  const server = await startFakeServer({ noModel: true, downloadMs: 3000, failFirstDownload: true, sourcesEnv: true });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN', colorScheme: 'light' });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(server.url);
    await page.getByRole('heading', { name: '先选一个模型' }).waitFor();
    assert.equal(await page.getByRole('searchbox', { name: '搜索照片' }).count(), 0, 'the search box is shown without a model');
    const cards = page.locator('.model-card');
    await until(page, `document.querySelectorAll('.model-card').length === 3`);
    const b16 = cards.filter({ hasText: 'ViT-B/16' });
    await b16.getByText('推荐').waitFor();
    for (const text of ['188M', '512', '224 × 224', '快', '52.1%', '62.7%', 'fp32 753.0 MB']) await b16.getByText(text, { exact: false }).first().waitFor();
    const h14 = cards.filter({ hasText: 'ViT-H/14' });
    assert.equal(await h14.getByRole('button', { name: /^下载/ }).count(), 0, 'a non-downloadable model offers download');
    await h14.locator('pre').getByText('npm run cli -- models import deploy').waitFor();
    await h14.getByText('npm run cli -- models import DIR').waitFor();
    await h14.getByText('—').waitFor();
    await page.screenshot({ path: path.join(shots, 'ui-first-run-chooser.png') });

    // First attempt fails half way (simulated NETWORK error) → message + retry.
    await b16.getByRole('combobox', { name: 'Chinese-CLIP ViT-B/16 的下载精度' }).selectOption('fp16');
    await b16.getByRole('button', { name: '下载 Chinese-CLIP ViT-B/16' }).click();
    await b16.getByRole('progressbar').waitFor();
    // The failure in Chinese, from its code and parameters (no engine English on the screen).
    await b16.getByText(/下载失败：与 .+ 的连接中断了/).waitFor({ timeout: 10_000 });
    await page.screenshot({ path: path.join(shots, 'ui-first-run-failed.png') });
    await b16.getByRole('button', { name: '重试下载 Chinese-CLIP ViT-B/16' }).click();
    const bar = b16.getByRole('progressbar', { name: 'Chinese-CLIP ViT-B/16 下载进度' });
    await bar.waitFor();
    await until(page, `(() => { const v = Number(document.querySelector('.model-card [role="progressbar"]')?.getAttribute('aria-valuenow')); return v >= 30 && v < 90; })()`);
    await b16.getByText(/\/ 377\.0 MB/).waitFor();
    await b16.getByText(/MB\/秒/).waitFor();
    await b16.getByText(/剩余约/).waitFor();
    await page.screenshot({ path: path.join(shots, 'ui-first-run-downloading.png') });
    // Done → used automatically → the library UI.
    await page.getByRole('searchbox', { name: '搜索照片' }).waitFor({ timeout: 15_000 });
    await page.getByRole('region', { name: '图库' }).waitFor();
    await page.getByText('已启用 Chinese-CLIP ViT-B/16').waitFor();

    // Add photos so a later switch has vectors to rebuild.
    const library = page.getByRole('region', { name: '图库' });
    await library.getByLabel('文件夹路径（服务器上）').fill(server.photosFolder);
    await library.getByRole('button', { name: '添加', exact: true }).click();
    await until(page, `document.querySelector('[role="progressbar"]')?.getAttribute('aria-valuenow') === '100'`);

    // Settings: provider, threads, sources; save.
    await page.getByRole('button', { name: '设置' }).click();
    const dialog = page.getByRole('dialog', { name: '设置' });
    await dialog.getByText('Chinese-CLIP ViT-B/16').waitFor();
    const provider = dialog.getByLabel('推理设备');
    assert.equal(await provider.locator('option:checked').textContent(), '自动');
    await dialog.getByText('环境变量 SHIGUANG_MODEL_SOURCES 已设置').waitFor();
    await dialog.getByRole('button', { name: '上移 hf-mirror' }).click();
    await dialog.getByLabel('自定义下载源').fill('hf:https://models.example.cn');
    await dialog.getByLabel('自定义下载源').press('Enter');
    await dialog.getByLabel('线程数').fill('0');
    await dialog.getByText('线程数必须是 1 到 1024 之间的整数').waitFor();
    await dialog.getByLabel('线程数').fill('4');
    await provider.selectOption('cpu');
    await page.screenshot({ path: path.join(shots, 'ui-settings.png') });
    await dialog.getByRole('button', { name: '保存' }).click();
    await page.getByText('设置已保存').waitFor();
    const saved = (await (await fetch(new URL('/api/settings', server.url), {
      method: 'POST',
      headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' },
      body: '{}',
    })).json()) as { provider: string; threads: number | null; sources: string[] };
    assert.deepEqual(saved.sources, ['hf-mirror', 'huggingface', 'modelscope', 'hf:https://models.example.cn']);
    assert.equal(saved.threads, 4);
    assert.equal(saved.provider, 'cpu');

    // Change model: the chooser comes back with a way out; the old model serves during the switch.
    await page.getByRole('button', { name: '设置' }).click();
    await page.getByRole('dialog', { name: '设置' }).getByRole('button', { name: '更换模型' }).click();
    await page.getByRole('heading', { name: '更换模型' }).waitFor();
    await page.getByText('切换期间仍使用旧模型搜索').first().waitFor();
    await page.getByRole('button', { name: '返回图库' }).waitFor();
    await page.screenshot({ path: path.join(shots, 'ui-change-model.png') });
    const l14 = cards.filter({ hasText: 'ViT-L/14' });
    await l14.getByRole('button', { name: '下载 Chinese-CLIP ViT-L/14' }).click();
    await l14.getByRole('button', { name: '使用 Chinese-CLIP ViT-L/14' }).click({ timeout: 15_000 });
    await page.getByRole('searchbox', { name: '搜索照片' }).waitFor();
    await page.getByRole('button', { name: '设置' }).click();
    await page.getByRole('dialog', { name: '设置' }).getByText(/正在切换到 Chinese-CLIP ViT-L\/14.*切换期间仍使用旧模型搜索/).waitFor();
    await page.screenshot({ path: path.join(shots, 'ui-settings-switching.png') });
    assert.deepEqual(problems, []);
    console.log('  ✓ first run: chooser → failed download → retry → progress → used → library; settings saved; model switch');
  } finally {
    await browser.close();
    await server.close();
  }
}

let failed = 0;
for (const check of [gridAt100k, ipcAndNativeShell, firstRunChooser]) {
  try {
    await check();
  } catch (err) {
    failed++;
    console.log(`  ✗ ${check.name}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
console.log(failed ? `${failed} dev check(s) failed` : 'dev checks passed');
process.exitCode = failed ? 1 : 0;
