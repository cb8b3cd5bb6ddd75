/**
 * The end-to-end UI suite: drives the real renderer in Chromium (playwright-core, system Chromium)
 * against a running web-mode server at `baseUrl` (full URL including ?token=…).
 *
 * It expects a fresh, empty library and a folder of photos whose red ones are named in
 * opts.redPhotoNames (toy-colors model: "红色" must rank them first). Checks are sequential and
 * share one page: a failure is recorded (with a screenshot) and the suite carries on, printing
 * "N passed, N failed" at the end; runUiSuite rejects if anything failed.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, type Page, type Response } from 'playwright-core';
import { apiBodyOf, apiMethodOf, launchChromium, SHOT_TIMEOUT_MS } from './browser.ts';
import { UI_PAGE_SIZE, type PhotoFilter } from '../../electron/shared/api.ts';
import { isFreshnessProbe } from '../../renderer/src/lib/freshness.ts';
import { CheckRun } from './check-run.ts';

export interface UiSuiteOptions {
  /** Folder to add through the library panel (a path on the server's machine). */
  photosFolder: string;
  /** File names of the photos that "红色" must rank first. */
  redPhotoNames: string[];
  /** File names the engine is expected to skip (listed with reasons), if the fixture has any. */
  skippedNames?: string[];
  /** Where screenshots go; default test-results/ in the working directory. */
  screenshotDir?: string;
  /** How long indexing the folder may take. */
  indexTimeoutMs?: number;
  /** Photos with text in them (file name → lines drawn) in `folder`; the OCR checks need them. */
  textPhotos?: { folder: string; lines: Record<string, string[]> };
  /** A second folder the suite can make go away and come back (an unplugged drive). */
  awayFolder?: { path: string; unplug(): void; plugIn(): void };
}

const RESULTS = '搜索结果';

const norm = (p: string) => p.replace(/\\/g, '/').replace(/\/+$/, '');
const inFolder = (dir: string, root: string) => norm(dir) === norm(root) || norm(dir).startsWith(`${norm(root)}/`);

export async function runUiSuite(baseUrl: string, opts: UiSuiteOptions): Promise<void> {
  const shots = path.resolve(opts.screenshotDir ?? 'test-results');
  fs.mkdirSync(shots, { recursive: true });
  const red = new Set(opts.redPhotoNames);
  const k = opts.redPhotoNames.length;
  assert.ok(k > 0, 'redPhotoNames must not be empty');

  const browser: Browser = await launchChromium();
  const context: BrowserContext = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN', colorScheme: 'light' });
  const page: Page = await context.newPage();
  page.setDefaultTimeout(15_000);

  const consoleProblems: string[] = [];
  /** Photos the suite deleted (their folder removed): a list on screen from before may still ask for their thumbnails. */
  const deletedIds = new Set<number>();
  page.on('console', (m) => {
    if (m.type() === 'error') consoleProblems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => consoleProblems.push(`pageerror: ${e.message}`));
  // Which resource failed (the console line does not say): the API's own errors are checked where they are expected.
  page.on('response', (r) => {
    if (r.status() >= 400 && !apiMethodOf(r.request())) consoleProblems.push(`HTTP ${r.status()} for ${new URL(r.url()).pathname}`);
  });
  const apiCalls: { method: string; body: Record<string, unknown> }[] = [];
  page.on('request', (r) => {
    const m = apiMethodOf(r);
    if (!m || m === 'status') return;
    const body = apiBodyOf(r);
    // "有新的结果" asks for the top of the list on screen while a pass runs (useFreshness.ts): a
    // probe of its own, not a search the person made — the checks below count the person's.
    if (isFreshnessProbe(body)) return;
    apiCalls.push({ method: m, body });
  });

  let shotNo = 0;
  const shot = async (name: string) => {
    shotNo++;
    // Transitions frozen so a theme switch is not captured half-way.
    await page.screenshot({ timeout: SHOT_TIMEOUT_MS, path: path.join(shots, `ui-${String(shotNo).padStart(2, '0')}-${name}.png`), animations: 'disabled' });
  };
  const run = new CheckRun(page, { failureShot: (name) => path.join(shots, `ui-FAILED-${name.replace(/[^\w\u4e00-\u9fff]+/g, '_').slice(0, 60)}.png`) });
  const { check } = run;

  const searchbox = () => page.getByRole('searchbox', { name: '搜索照片' });
  const grid = () => page.getByRole('list', { name: RESULTS });
  const resultButtons = () => grid().getByRole('button');
  const libraryRegion = () => page.getByRole('region', { name: '图库' });
  const tagsRegion = () => page.getByRole('region', { name: '标签' });
  const filters = () => page.getByRole('group', { name: '筛选' });

  /**
   * Page-side expressions are strings: this file compiles without the DOM lib (tsconfig.node.json),
   * and a string keeps browser globals out of the Node type environment.
   */
  const inPage = <T>(expr: string): Promise<T> => page.evaluate(expr) as Promise<T>;
  /**
   * Poll a page expression until it is truthy. Not page.waitForFunction: that evaluates strings with
   * eval inside the page, which the app's CSP (rightly) forbids.
   */
  const waitInPage = async (expr: string, timeoutMs = 15_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await inPage<boolean>(`!!(${expr})`)) return;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${expr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const waitActiveIndex = (i: number) => waitInPage(`document.activeElement?.dataset?.index === '${i}'`);

  /** File names of the first n results in grid order (they are rendered: the grid starts at the top). */
  const topNames = async (n: number): Promise<string[]> => {
    await resultButtons().first().waitFor();
    const labels = await inPage<string[]>(`[...document.querySelectorAll('[role="list"][aria-label="${RESULTS}"] button[data-index]')]
      .sort((a, b) => Number(a.dataset.index) - Number(b.dataset.index))
      .map((b) => b.getAttribute('aria-label') ?? '')`);
    return labels.slice(0, n).map((l) => l.split(/，(?:相似度|相关度)/)[0]!);
  };

  const waitApi = (method: string, pred: (body: Record<string, unknown>) => boolean = () => true): Promise<Response> => {
    const waiting = page.waitForResponse((r) => apiMethodOf(r.request()) === method && !isFreshnessProbe(apiBodyOf(r.request())) && pred(apiBodyOf(r.request())), { timeout: 30_000 });
    // A check that fails before awaiting it must not leave an unhandled rejection behind: that
    // would end the run before the server is closed (and leave it running).
    waiting.catch(() => undefined);
    return waiting;
  };

  /** The photo filter a list request carried. */
  const filterOf = (body: Record<string, unknown>): PhotoFilter => (body.filter ?? {}) as PhotoFilter;

  /** Wait for the response and for React to have rendered its first hit. */
  const hitsOf = async (res: Response): Promise<{ fileName: string; folder: string; id: number }[]> => {
    assert.equal(res.status(), 200, `${res.url()} → HTTP ${res.status()}: ${await res.text().catch(() => '')}`);
    const body = (await res.json()) as { hits?: { fileName: string; folder: string; id: number }[] } | { fileName: string; folder: string; id: number }[];
    const hits = Array.isArray(body) ? body : (body.hits ?? []);
    if (hits.length > 0) await page.locator(`button[data-index="0"][data-photo-id="${hits[0]!.id}"]`).waitFor();
    return hits;
  };

  const searchFor = async (text: string) => {
    const res = waitApi('search', (b) => b.query === text);
    await searchbox().fill(text);
    return hitsOf(await res);
  };

  try {
    console.log(`UI suite against ${new URL(baseUrl).origin}`);

    await check('loads: header 拾光, labelled search box, zh-CN, token scrubbed from the URL', async () => {
      await page.goto(baseUrl);
      await page.getByRole('heading', { level: 1, name: '拾光' }).waitFor();
      await searchbox().waitFor();
      assert.equal(await inPage('document.documentElement.lang'), 'zh-CN');
      assert.ok(!page.url().includes('token='), `token still visible in ${page.url()}`);
      assert.equal(await inPage(`!!document.querySelector('meta[http-equiv="Content-Security-Policy"]')`), true);
    });

    await check('empty library says what to do', async () => {
      await page.getByText('还没有照片 — 在左侧添加一个文件夹').waitFor();
      await shot('empty-light');
    });

    await check('adding a folder shows indexing progress up to 100%', async () => {
      await libraryRegion().getByLabel('文件夹路径（服务器上）').fill(opts.photosFolder);
      const added = waitApi('addFolder');
      await libraryRegion().getByRole('button', { name: '添加', exact: true }).click();
      assert.equal((await added).status(), 200, 'addFolder failed');
      const bar = libraryRegion().getByRole('progressbar', { name: '索引进度' });
      await bar.waitFor({ timeout: 30_000 });
      const first = Number(await bar.getAttribute('aria-valuenow'));
      if (first < 100) await shot('indexing-light');
      await waitInPage(`document.querySelector('[role="progressbar"]')?.getAttribute('aria-valuenow') === '100'`, opts.indexTimeoutMs ?? 180_000);
      await libraryRegion().getByText('索引完成').waitFor();
      const counts = (await libraryRegion().getByText(/已索引 [\d,]+ 张/).textContent()) ?? '';
      const n = Number(/已索引 ([\d,]+) 张/.exec(counts)?.[1]?.replace(/,/g, ''));
      assert.ok(n >= k, `expected at least ${k} indexed photos, UI says "${counts}"`);
      await libraryRegion().getByRole('button', { name: new RegExp(`^移除文件夹 `) }).first().waitFor();
    });

    await check('home view shows albums once indexed', async () => {
      await page.getByRole('heading', { name: '相册' }).waitFor();
      await page.getByRole('button', { name: /^打开相册“.+”，\d+ 张照片$/ }).first().waitFor();
      await shot('home-light');
    });

    await check('IME: no query while composing pinyin; the committed 红色 is searched', async () => {
      await searchbox().focus();
      const before = apiCalls.length;
      const cdp = await context.newCDPSession(page);
      for (const t of ['h', 'hong', 'hongse']) await cdp.send('Input.imeSetComposition', { text: t, selectionStart: t.length, selectionEnd: t.length });
      assert.equal(await searchbox().inputValue(), 'hongse');
      // Four debounce periods with the composition still open: nothing may have been sent.
      await page.waitForTimeout(800);
      assert.deepEqual(apiCalls.slice(before).filter((c) => c.method === 'search'), [], 'a search fired during composition');
      const res = waitApi('search', (b) => b.query === '红色');
      await cdp.send('Input.insertText', { text: '红色' });
      const hits = await hitsOf(await res);
      assert.ok(hits.length > 0, 'no hits for 红色');
      const queries = apiCalls.slice(before).filter((c) => c.method === 'search').map((c) => c.body.query);
      assert.deepEqual(queries, ['红色'], `unexpected queries ${JSON.stringify(queries)}`);
      await cdp.detach();
    });

    await check(`red photos come first (top ${k})`, async () => {
      const names = await topNames(k);
      const wrong = names.filter((n) => !red.has(n));
      assert.deepEqual(wrong, [], `non-red photos in the top ${k}: ${names.join(', ')}`);
      const label = await resultButtons().first().getAttribute('aria-label');
      assert.match(label ?? '', /^.+，相关度 \d+%$/);
      await page.getByRole('heading', { name: '“红色”' }).waitFor();
      await resultButtons().first().hover();
      await shot('results-light');
    });

    await check(`a new search asks for one page of ${UI_PAGE_SIZE}, without a cursor`, async () => {
      const last = apiCalls.filter((c) => c.method === 'search').at(-1);
      assert.equal(last?.body.limit, UI_PAGE_SIZE);
      assert.equal(last?.body.cursor, undefined);
    });

    await check('results grid at 1280×720, 1366×768 and 1920×1080: rows and tiles never overlap', async () => {
      // Geometry of the rendered rows once every thumbnail has loaded (a portrait thumbnail once
      // stretched its row and spilled over the next one).
      const layoutProblems = `(() => {
        const problems = [];
        const scroller = document.querySelector('.grid-scroll').getBoundingClientRect();
        const rows = [...document.querySelectorAll('.grid-row')].map((r) => ({ el: r, box: r.getBoundingClientRect() })).sort((a, b) => a.box.top - b.box.top);
        if (rows.length < 2) problems.push('fewer than two rows rendered');
        rows.forEach(({ el, box }, i) => {
          const next = rows[i + 1];
          if (next && box.bottom > next.box.top + 0.5) problems.push('row ' + i + ' ends at ' + box.bottom + ' below the next row top ' + next.box.top);
          for (const part of el.querySelectorAll('.cell, .thumb')) {
            const b = part.getBoundingClientRect();
            if (b.top < box.top - 0.5 || b.bottom > box.bottom + 0.5) problems.push('row ' + i + ': ' + part.className + ' spans ' + b.top + '–' + b.bottom + ' outside ' + box.top + '–' + box.bottom);
            if (b.right > scroller.right + 0.5) problems.push('row ' + i + ': ' + part.className + ' overflows the grid to the right');
          }
          // Layout boxes (offset*), not painted ones: the hover zoom scales an image inside its clipped tile.
          for (const img of el.querySelectorAll('.thumb img')) {
            if (img.offsetTop < 0 || img.offsetTop + img.offsetHeight > img.parentElement.clientHeight + 0.5) problems.push('row ' + i + ': an image of ' + img.offsetHeight + ' px overflows its ' + img.parentElement.clientHeight + ' px tile');
          }
        });
        return problems;
      })()`;
      await page.mouse.move(0, 0); // no hover zoom on a thumbnail while measuring
      // The relevant red photos may fill less than two rows: open the weaker rest, as a person
      // scrolling on would, so the geometry is checked on a full grid.
      const weaker = page.getByRole('button', { name: '显示更多相关度较低的照片' });
      if (await weaker.isVisible()) {
        await weaker.click();
        await waitInPage(`document.querySelectorAll('.grid-row').length >= 2`);
      }
      try {
        for (const [width, height] of [
          [1280, 720],
          [1366, 768],
          [1920, 1080],
        ] as const) {
          await page.setViewportSize({ width, height });
          await waitInPage(`[...document.querySelectorAll('.grid-row img')].length > 0 && [...document.querySelectorAll('.grid-row img')].every((i) => i.complete && i.naturalWidth > 0)`);
          await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
          assert.deepEqual(await inPage<string[]>(layoutProblems), [], `at ${width}×${height}`);
          await shot(`results-${width}x${height}`);
        }
      } finally {
        await page.setViewportSize({ width: 1400, height: 900 });
      }
    });

    await check('grid keyboard navigation moves focus between results', async () => {
      await resultButtons().first().focus();
      await page.keyboard.press('ArrowRight');
      await waitActiveIndex(1);
      await page.keyboard.press('ArrowRight');
      await waitActiveIndex(2);
      await page.keyboard.press('ArrowLeft');
      await waitActiveIndex(1);
      await page.keyboard.press('Home');
      await waitActiveIndex(0);
    });

    await check('viewer: opens from the keyboard, shows details, arrows navigate, Esc returns focus', async () => {
      const [first, second] = await topNames(2);
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog');
      await dialog.waitFor();
      await dialog.getByRole('heading', { name: first }).waitFor();
      await waitInPage(`(() => { const img = document.querySelector('dialog .viewer-image'); return !!img && img.complete && img.naturalWidth > 0; })()`);
      for (const label of ['拍摄时间', '相机', '尺寸', '文件大小', '文件夹']) await dialog.getByText(label, { exact: true }).waitFor();
      await dialog.getByRole('button', { name: '更多类似的' }).waitFor();
      await shot('viewer-light');
      if (second) {
        await page.keyboard.press('ArrowRight');
        await dialog.getByRole('heading', { name: second }).waitFor();
        await page.keyboard.press('ArrowLeft');
        await dialog.getByRole('heading', { name: first }).waitFor();
      }
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      await waitActiveIndex(0);
    });

    await check('more like this: similar photos to a red photo are red', async () => {
      const [first] = await topNames(1);
      await resultButtons().first().click();
      const res = waitApi('similar');
      await page.getByRole('dialog').getByRole('button', { name: '更多类似的' }).click();
      await page.getByRole('dialog').waitFor({ state: 'hidden' });
      const hits = await hitsOf(await res);
      assert.ok(hits.length > 0);
      await page.getByRole('heading', { name: `与 ${first} 相似` }).waitFor();
      // The engine may or may not list the photo itself first; the other red photos must follow.
      const others = Math.min(3, k - 1);
      const top = (await topNames(others + 1)).filter((n) => n !== first).slice(0, others);
      assert.ok(top.length === others, `only ${top.length} similar photos`);
      assert.deepEqual(top.filter((n) => !red.has(n)), [], `similar to ${first}: ${top.join(', ')}`);
      await shot('similar-light');
    });

    await check('back returns to the text query', async () => {
      const res = waitApi('search', (b) => b.query === '红色');
      await page.getByRole('button', { name: '返回“红色”' }).click();
      await hitsOf(await res);
      assert.equal(await searchbox().inputValue(), '红色');
      await page.getByRole('heading', { name: '“红色”' }).waitFor();
    });

    await check('folder filter is sent with the search and results stay inside it', async () => {
      const select = filters().getByLabel('文件夹');
      const values = (await select.locator('option').evaluateAll((os) => os.map((o) => o.getAttribute('value') ?? ''))).filter(Boolean);
      const value = values.find((v) => inFolder(v, opts.photosFolder) || inFolder(opts.photosFolder, v)) ?? values[0];
      assert.ok(value, 'no folder in the filter');
      const res = waitApi('search', (b) => b.query === '红色' && filterOf(b).folder === value);
      await select.selectOption(value);
      const hits = await hitsOf(await res);
      assert.ok(hits.length > 0, 'folder filter returned nothing');
      const outside = hits.filter((h) => !inFolder(h.folder, value));
      assert.deepEqual(outside.map((h) => h.folder), [], 'hits outside the filtered folder');
      const names = await topNames(k);
      assert.deepEqual(names.filter((n) => !red.has(n)), []);
    });

    await check('a date range with no photos shows a helpful empty state; clearing filters restores results', async () => {
      const res = waitApi('search', (b) => typeof filterOf(b).after === 'string' && filterOf(b).after!.startsWith('2100-01-01'));
      await filters().getByLabel('拍摄于').fill('2100-01-01');
      assert.equal((await res).status(), 200);
      await page.getByRole('heading', { name: '没有找到“红色”' }).waitFor();
      await page.getByText('试试别的说法').waitFor();
      await shot('no-results-light');
      const back = waitApi('search', (b) => b.query === '红色' && filterOf(b).after === undefined && filterOf(b).folder === undefined);
      await page.locator('.main-content').getByRole('button', { name: '清除筛选' }).click();
      const hits = await hitsOf(await back);
      assert.ok(hits.length > 0);
    });

    /** The key the engine gave the dropped image (SearchResponse.imageKey). */
    let dropKey: string | null = null;
    await check('drop an image file on the window → photos similar to it', async () => {
      const src = await resultButtons().first().locator('img').getAttribute('src');
      assert.ok(src, 'no thumbnail src');
      const res = waitApi('similarToImage');
      // What a real drag of a file delivers: a DataTransfer holding a File, dispatched enter → over → drop.
      await inPage(`(async () => {
        const blob = await (await fetch(${JSON.stringify(src)})).blob();
        const file = new File([blob], 'dropped-red.jpg', { type: blob.type || 'image/jpeg' });
        const dt = new DataTransfer();
        dt.items.add(file);
        for (const type of ['dragenter', 'dragover', 'drop']) {
          document.body.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
        }
      })()`);
      const dropped = await res;
      const hits = await hitsOf(dropped);
      assert.ok(hits.length > 0);
      await page.getByRole('heading', { name: '与拖入的图片 dropped-red.jpg 相似' }).waitFor();
      const top = await topNames(Math.min(3, k));
      assert.deepEqual(top.filter((n) => !red.has(n)), [], `similar to the dropped red photo: ${top.join(', ')}`);
      dropKey = ((await dropped.json()) as { imageKey?: string }).imageKey ?? null;
      assert.ok(dropKey, 'the answer to a dropped image gives its key');
    });

    await check("the dropped image under other filters: asked by its key, its bytes not sent again", async () => {
      // Only the key, and no bytes: each of the dropped photo's lists after the first.
      const byKey = (b: Record<string, unknown>): boolean => b.imageKey === dropKey && b.dataBase64 === undefined;
      const none = waitApi('similarToImage', (b) => byKey(b) && typeof filterOf(b).after === 'string' && filterOf(b).after!.startsWith('2100-01-01'));
      await filters().getByLabel('拍摄于').fill('2100-01-01');
      assert.deepEqual(await hitsOf(await none), []);
      const back = waitApi('similarToImage', (b) => byKey(b) && filterOf(b).after === undefined);
      await page.locator('.main-content').getByRole('button', { name: '清除筛选' }).click();
      const top = (await hitsOf(await back)).slice(0, Math.min(3, k)).map((h) => h.fileName);
      assert.deepEqual(top.filter((n) => !red.has(n)), [], `similar to the dropped red photo, by its key: ${top.join(', ')}`);
      await page.getByRole('heading', { name: '与拖入的图片 dropped-red.jpg 相似' }).waitFor();
    });

    await check('custom tag: add, browse its photos, remove', async () => {
      const name = '红色的东西';
      await tagsRegion().getByLabel('新建自定义标签').fill(name);
      const added = waitApi('addCustomTag');
      await tagsRegion().getByRole('button', { name: '添加', exact: true }).click();
      assert.equal((await added).status(), 200);
      const tagButton = tagsRegion().getByRole('button', { name: new RegExp(`^${name}，`) });
      await tagButton.waitFor();
      const res = waitApi('browse', (b) => (b.filter as { tag?: string } | undefined)?.tag === name);
      await tagButton.click();
      const hits = await hitsOf(await res);
      await page.getByRole('heading', { name: `标签：${name}` }).waitFor();
      // Browsing lists a tag's photos newest first, so: every red photo carries the tag.
      const tagged = new Set(hits.map((h) => h.fileName));
      const missing = opts.redPhotoNames.filter((n) => !tagged.has(n));
      assert.deepEqual(missing, [], `red photos without the custom tag ${name}`);
      await shot('tag-light');
      const removed = waitApi('removeTag', (b) => b.name === name);
      await tagsRegion().getByRole('button', { name: `删除标签 ${name}` }).click();
      assert.equal((await removed).status(), 200);
      await tagButton.waitFor({ state: 'detached' });
    });

    if (opts.skippedNames && opts.skippedNames.length > 0) {
      await check('skipped files are listed with reasons', async () => {
        await libraryRegion().getByText('跳过的文件').click();
        for (const n of opts.skippedNames!) await libraryRegion().locator('.skipped-list').getByText(n, { exact: true }).waitFor();
      });
    }

    await check('model and execution provider are shown', async () => {
      const info = libraryRegion().locator('.engine-info');
      await info.getByText('模型', { exact: true }).waitFor();
      const provider = (await info.locator('.provider-name').textContent())?.trim() ?? '';
      assert.ok(provider.length > 0, 'no execution provider shown');
    });

    if (opts.textPhotos) {
      const textPhotos = opts.textPhotos;
      const ocrBlock = () => libraryRegion().locator('.ocr-progress');
      await check('reading the text in photos has its own progress, apart from indexing, and finishes', async () => {
        await ocrBlock().getByText(/文字识别 · /).waitFor();
        await ocrBlock().getByText(/文字识别 · 已完成/).waitFor({ timeout: 240_000 });
        const withText = Number(/([\d,]+) 张含文字/.exec((await ocrBlock().textContent()) ?? '')?.[1]?.replace(/,/g, ''));
        assert.ok(withText >= Object.keys(textPhotos.lines).length, `only ${withText} photos with text`);
        await libraryRegion().getByRole('progressbar', { name: '文字识别进度' }).waitFor();
        await shot('ocr-progress');
      });

      await check('a piece of a photo\'s text finds it first, the grid shows the matching line; the viewer draws the text over it, selectable, listed and copyable', async () => {
        await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(baseUrl).origin });
        // A piece of one chat line that no other photo shows: found by its text, first, with the line.
        const others = Object.entries(textPhotos.lines).filter(([f]) => f !== '聊天截图.png').flatMap(([, l]) => l).join('');
        const piece = textPhotos.lines['聊天截图.png']!
          .map((l) => l.replace(/[^\p{Script=Han}]/gu, ''))
          .flatMap((l) => [...l].map((_, i) => l.slice(i, i + 4)).filter((x) => x.length === 4))
          .find((x) => !others.includes(x))!;
        const hits = await searchFor(piece);
        assert.equal(hits[0]?.fileName, '聊天截图.png', `"${piece}" did not find the chat screenshot first`);
        const first = page.getByRole('button', { name: /^聊天截图\.png，相关度 .*，文字“/ });
        await first.locator('.thumb-text mark').getByText(piece).waitFor();
        await shot('results-text-match');
        await first.click();
        const dialog = page.getByRole('dialog');
        const panel = dialog.getByRole('region', { name: '照片中的文字' });
        await panel.locator('.text-lines li').first().waitFor();
        const listed = await panel.locator('.text-lines li').allTextContents();
        const drawn = textPhotos.lines['聊天截图.png']!;
        const norm = (x: string) => x.replace(/\s/g, '');
        const found = drawn.filter((l) => listed.some((r) => norm(r).includes(norm(l))));
        assert.ok(found.length >= drawn.length * 0.8, `read ${found.length} of ${drawn.length} lines: ${JSON.stringify(listed)}`);
        await waitInPage(`document.querySelectorAll('dialog svg.text-overlay .text-box').length === ${listed.length}`);
        // Select the first line's text where it sits on the photo, as a person dragging over it would.
        const selected = await inPage<string>(`(() => {
          const t = document.querySelector('dialog svg.text-overlay .text-box text');
          const r = document.createRange(); r.selectNodeContents(t);
          const s = getSelection(); s.removeAllRanges(); s.addRange(r); return s.toString();
        })()`);
        assert.equal(selected, listed[0]);
        await dialog.locator('.text-box').first().hover();
        await shot('viewer-text');
        await panel.getByRole('button', { name: '复制全部' }).click();
        await panel.getByRole('button', { name: '已复制' }).waitFor();
        assert.equal(await inPage<string>('navigator.clipboard.readText()'), listed.join('\n'));
        await panel.getByLabel('显示文字框').uncheck();
        await waitInPage(`document.querySelector('dialog svg.text-overlay')?.classList.contains('is-hidden')`);
        await panel.getByLabel('显示文字框').check();
        await page.keyboard.press('Escape');
        await dialog.waitFor({ state: 'hidden' });
      });

      await check('settings: reading text can be turned off and on again', async () => {
        await page.getByRole('button', { name: '设置' }).click();
        const dialog = page.getByRole('dialog', { name: '设置' });
        const box = dialog.getByLabel('识别照片中的文字（OCR），以便按文字搜索');
        await box.waitFor();
        assert.equal(await box.isChecked(), true, 'OCR should be on by default');
        await box.uncheck();
        await shot('settings-ocr');
        const saved = waitApi('updateSettings', (b) => b.ocrEnabled === false);
        await dialog.getByRole('button', { name: '保存' }).click();
        assert.equal((await saved).status(), 200);
        await ocrBlock().getByText(/文字识别 · 已关闭/).waitFor();
        await page.getByRole('button', { name: '设置' }).click();
        await dialog.getByLabel('识别照片中的文字（OCR），以便按文字搜索').check();
        const back = waitApi('updateSettings', (b) => b.ocrEnabled === true);
        await dialog.getByRole('button', { name: '保存' }).click();
        assert.equal((await back).status(), 200);
        await ocrBlock().getByText(/文字识别 · 已完成/).waitFor({ timeout: 60_000 });
      });
    }

    await check('"/" focuses the search box; Esc in it clears the query and goes home', async () => {
      await page.locator('.main').focus();
      await page.keyboard.press('/');
      assert.equal(await inPage(`document.activeElement?.getAttribute('aria-label')`), '搜索照片');
      await searchFor('红色');
      await page.keyboard.press('Escape');
      await page.getByRole('heading', { name: '相册' }).waitFor();
    });

    await check('English can be switched on and back', async () => {
      await page.getByRole('button', { name: 'Switch to English' }).click();
      await page.getByRole('searchbox', { name: 'Search photos' }).waitFor();
      assert.equal(await inPage('document.documentElement.lang'), 'en');
      await page.getByRole('heading', { name: 'Albums' }).waitFor();
      await shot('home-english');
      await page.getByRole('button', { name: '切换到中文' }).click();
      await searchbox().waitFor();
    });

    await check('dark theme follows prefers-color-scheme', async () => {
      await page.emulateMedia({ colorScheme: 'dark' });
      const bg = await inPage<string>('getComputedStyle(document.body).backgroundColor');
      const m = /rgba?\((\d+), (\d+), (\d+)/.exec(bg);
      const lum = m ? (0.2126 * Number(m[1]) + 0.7152 * Number(m[2]) + 0.0722 * Number(m[3])) / 255 : 1;
      assert.ok(lum < 0.2, `body background is not dark (luminance ${lum.toFixed(2)})`);
      await shot('home-dark');
      await searchFor('红色');
      await resultButtons().nth(1).hover();
      await shot('results-dark');
      await resultButtons().first().click();
      await page.getByRole('dialog').waitFor();
      await waitInPage(`document.querySelector('dialog .viewer-image')?.naturalWidth`);
      await shot('viewer-dark');
      await page.keyboard.press('Escape');
      await page.getByRole('dialog').waitFor({ state: 'hidden' });
      await page.emulateMedia({ colorScheme: 'light' });
    });

    const away = opts.awayFolder;
    if (away) {
      await check('a folder whose drive is unplugged is marked offline since when; its photos stay, marked; plugged back it is not', async () => {
        const indexedNow = async (): Promise<number> => Number(/已索引 ([\d,]+) 张/.exec((await libraryRegion().getByText(/已索引 [\d,]+ 张/).textContent()) ?? '')?.[1]?.replace(/,/g, ''));
        const before = await indexedNow();
        await searchbox().fill('');
        await libraryRegion().getByLabel('文件夹路径（服务器上）').fill(away.path);
        const added = waitApi('addFolder');
        await libraryRegion().getByRole('button', { name: '添加', exact: true }).click();
        assert.equal((await added).status(), 200, 'addFolder failed');
        const item = libraryRegion().getByRole('listitem').filter({ hasText: away.path });
        await item.getByText('3 张').waitFor({ timeout: 60_000 });
        // Its three photos indexed (not only found) before the drive goes.
        await libraryRegion().getByText(`已索引 ${before + 3} 张`).waitFor({ timeout: 60_000 });
        away.unplug();
        // The engine checks its folders every second here; the status carries the state to the panel.
        await item.getByText('离线', { exact: true }).waitFor({ timeout: 30_000 });
        await item.getByText(/^自 .+ 起离线：找不到该文件夹/).waitFor();
        assert.match((await item.textContent()) ?? '', /3 张/, 'its photos are still counted');
        const hits = await searchFor('红色');
        assert.ok(hits.some((h) => inFolder(h.folder, away.path)), 'its photos are still found');
        for (const h of hits) if (inFolder(h.folder, away.path)) deletedIds.add(h.id);
        await grid().getByRole('button', { name: /（所在文件夹离线）$/ }).first().waitFor();
        await shot('offline-folder');
        away.plugIn();
        await item.getByText('离线', { exact: true }).waitFor({ state: 'detached', timeout: 30_000 });
        await grid().getByRole('button', { name: /（所在文件夹离线）$/ }).first().waitFor({ state: 'detached' });
        // Leave one library folder for the next check.
        await libraryRegion().getByRole('button', { name: `移除文件夹 ${away.path}` }).click();
        const removed = waitApi('removeFolder');
        await libraryRegion().getByRole('button', { name: /^确认移除文件夹 / }).click();
        assert.equal((await removed).status(), 200);
        await item.waitFor({ state: 'detached' });
        await searchbox().fill('');
      });
    }

    // From the moment the last folder goes, every photo is deleted: a thumbnail still asked for
    // by a list on screen is then rightly a 404 (the check after next).
    let libraryRemovedAt: number | null = null;
    await check('removing the folder empties the library again', async () => {
      await libraryRegion().getByRole('button', { name: /^移除文件夹 / }).first().click();
      const res = waitApi('removeFolder');
      libraryRemovedAt = consoleProblems.length;
      await libraryRegion().getByRole('button', { name: /^确认移除文件夹 / }).click();
      assert.equal((await res).status(), 200);
      await searchbox().fill('');
      await page.getByText('还没有照片 — 在左侧添加一个文件夹').waitFor({ timeout: 30_000 });
    });

    await check('no console errors, page errors or CSP violations', async () => {
      // A thumbnail of a photo deleted a moment before (its folder removed while a list showing it
      // was on screen) is rightly a 404; so is the browser's console line for it. Nothing else is.
      const deleted = (p: string, i: number): boolean =>
        [...deletedIds].some((id) => p === `HTTP 404 for /media/thumb/${id}`) || (libraryRemovedAt !== null && i >= libraryRemovedAt && /^HTTP 404 for \/media\/thumb\/\d+$/.test(p));
      let unexplained = consoleProblems.filter(deleted).length;
      const rest = consoleProblems.filter((p, i) => {
        if (deleted(p, i)) return false;
        if (unexplained > 0 && /^console: Failed to load resource: .*404/.test(p)) {
          unexplained--;
          return false;
        }
        return true;
      });
      assert.deepEqual(rest, []);
    });
  } finally {
    await browser.close();
  }

  console.log(`${run.passed} passed, ${run.failed} failed`);
  if (run.failed > 0) throw new Error(`${run.failed} UI check(s) failed`);
}
