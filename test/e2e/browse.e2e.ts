/**
 * Browsing without typing, driven in Chromium against the real web mode on its own library
 * (browse-library.ts: real photos, EXIF cameras as cameras write them, a very long album name):
 * album cards with covers that open as photo lists, the filter bar's tag list opening a tag, the
 * grid's focus ring, the image-search button's file picker, the sidebar with a long folder name
 * and running progress, the viewer's camera name and file-name wrapping, focus traps with focus
 * handed back, and "有新的结果" while indexing goes on. Screenshots at 1366×768 and 1920×1080.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { type Page } from 'playwright-core';
import sharp from 'sharp';
import type { AlbumSummary, EngineStatus, PhotoFilter, PhotoHit, TagInfo } from '../../electron/shared/api.ts';
import { ensureExiftool } from '../../scripts/ensure-exiftool.mjs';
import { LONG_ALBUM, LONG_FILE, LONG_ROOT, SHORT_ALBUM, startBrowseServer } from './browse-library.ts';
import { apiBodyOf, apiMethodOf, chinesePage, imagesLoaded, launchChromium, pageProblems, SCREEN_SIZES, type ScreenSize, SHOT_TIMEOUT_MS } from './browser.ts';
import { CheckRun } from './check-run.ts';

const filterOf = (b: Record<string, unknown>): PhotoFilter => (b.filter ?? {}) as PhotoFilter;

export async function runBrowseUiChecks(root: string, screenshotDir: string): Promise<{ passed: number; failed: number }> {
  const exiftool = ensureExiftool();
  if (!exiftool.ok) {
    console.warn(`browsing UI checks skipped: ${exiftool.reason}`);
    return { passed: 0, failed: 0 };
  }
  fs.mkdirSync(screenshotDir, { recursive: true });
  const server = await startBrowseServer(root);
  const browser = await launchChromium();
  let run: CheckRun | undefined;
  try {
    const page: Page = await chinesePage(browser);
    const problems = pageProblems(page);
    // Playwright turns on catching file choosers when a listener is added, asynchronously: one added
    // just before the key press can lose the race (the chooser then opens natively and is never seen).
    page.on('filechooser', () => undefined);
    run = new CheckRun(page, { failureShot: (_name, n) => path.join(screenshotDir, `browse-FAILED-${n}.png`) });
    const { check } = run;
    /**
     * Ends a check's /api/status stand-in, waiting for a status request still in its handler (a
     * route.fetch in flight): unrouted under it, its fulfill meets the next check's route as
     * "already handled" and ends the process.
     */
    const unrouteStatus = (): Promise<void> => page.unrouteAll({ behavior: 'wait' });
    const shots = async (name: string, sizes: readonly ScreenSize[] = SCREEN_SIZES): Promise<void> => {
      for (const { width, height } of sizes) {
        await page.setViewportSize({ width, height });
        await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
        await imagesLoaded(page);
        await page.screenshot({ timeout: SHOT_TIMEOUT_MS, path: path.join(screenshotDir, `browse-${name}-${width}x${height}.png`), animations: 'disabled' });
      }
      await page.setViewportSize({ width: 1366, height: 768 });
    };
    const api = (method: string, pred: (b: Record<string, unknown>) => boolean = () => true) => {
      const p = page.waitForResponse((r) => apiMethodOf(r.request()) === method && pred(apiBodyOf(r.request())), { timeout: 60_000 });
      p.catch(() => undefined);
      return p;
    };
    /** Poll a page expression until it is truthy (not waitForFunction: the CSP forbids its eval). */
    const waitInPage = async (expr: string, timeoutMs = 20_000): Promise<void> => {
      const deadline = Date.now() + timeoutMs;
      while (!(await page.evaluate(`!!(${expr})`))) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${expr}`);
        await page.waitForTimeout(100);
      }
    };
    const grid = () => page.getByRole('list', { name: '搜索结果' });
    const gridNames = async (): Promise<string[]> => {
      await grid().getByRole('button').first().waitFor();
      return page.evaluate(`[...document.querySelectorAll('[role="list"][aria-label="搜索结果"] button[data-index]')]
        .sort((a, b) => Number(a.dataset.index) - Number(b.dataset.index)).map((b) => b.title.split(' · ')[0])`);
    };
    const home = async (): Promise<void> => {
      await page.getByRole('button', { name: '返回首页' }).click();
      await page.getByRole('heading', { name: '相册', exact: true }).waitFor();
    };
    /** Each check starts at home, whatever the one before left open. */
    const startHome = async (): Promise<void> => {
      if (await page.getByRole('dialog').isVisible()) await page.keyboard.press('Escape');
      if (await page.getByRole('button', { name: '返回首页' }).isVisible()) await home();
      await page.getByRole('heading', { name: '相册', exact: true }).waitFor();
    };
    const activeInDialog = (): Promise<boolean> => page.evaluate(`!!document.querySelector('dialog[open]')?.contains(document.activeElement)`);
    /** Tab (or Shift+Tab) past every control of the open dialog and more: focus never leaves it. */
    const tabAround = async (key: 'Tab' | 'Shift+Tab'): Promise<number> => {
      const n = await page.evaluate<number>(`document.querySelector('dialog[open]').querySelectorAll('button:not([disabled]), input:not([disabled]), select:not([disabled]), a[href], [tabindex="0"]').length`);
      for (let i = 0; i < n + 3; i++) {
        await page.keyboard.press(key);
        assert.ok(await activeInDialog(), `${key} #${i + 1} of ${n + 3} left the dialog: focus on ${await page.evaluate('document.activeElement?.outerHTML.slice(0, 120)')}`);
      }
      return n;
    };

    const albumsLoaded = api('albums');
    const tagsLoaded = api('listTags');
    console.log(`browsing UI checks against ${new URL(server.baseUrl).origin}`);
    await page.goto(server.baseUrl);
    const albums = (await (await albumsLoaded).json()) as AlbumSummary[];
    const tags = (await (await tagsLoaded).json()) as TagInfo[];
    const longAlbum = albums.find((a) => a.folder.endsWith(LONG_ALBUM));

    await check('album cards show a cover photo from the album; an album opens as its photos, newest first, with a way back', async () => {
      assert.ok(longAlbum, `no album for the long folder among ${albums.map((a) => a.folder).join(', ')}`);
      assert.equal(albums.length, 2);
      for (const a of albums) {
        assert.notEqual(a.cover, null, `album ${a.title} has no cover`);
        const card = page.getByRole('button', { name: `打开相册“${a.title}”，${a.photoCount} 张照片` });
        const src = await card.locator('img.album-cover').getAttribute('src');
        assert.match(src ?? '', new RegExp(`/media/thumb/${a.cover}\\b`));
      }
      await imagesLoaded(page);
      assert.equal(await page.evaluate(`[...document.querySelectorAll('img.album-cover')].filter((i) => i.naturalWidth > 0).length`), 2);
      await shots('home-albums');
      const listed = api('browse', (b) => filterOf(b).folder === longAlbum!.folder);
      await page.getByRole('button', { name: `打开相册“${longAlbum!.title}”，4 张照片` }).click();
      assert.equal((await listed).status(), 200);
      await page.getByRole('heading', { name: `相册：${longAlbum!.title}` }).waitFor();
      assert.deepEqual(await gridNames(), [LONG_FILE, 'DSC_0002.JPG', 'DSC_0001.JPG', 'DSC_0004.JPG']);
      // The cover is one of the album's photos.
      const ids = await page.evaluate<number[]>(`[...document.querySelectorAll('button[data-photo-id]')].map((b) => Number(b.dataset.photoId))`);
      assert.ok(ids.includes(longAlbum!.cover!), `cover ${longAlbum!.cover} is not in the album (${ids.join(', ')})`);
      await shots('album-open');
      await home();
    });

    await check('the filter bar\'s tag list opens a tag as a photo list; 全部标签 goes back home', async () => {
      await startHome();
      const tag = tags.filter((x) => x.photoCount > 0).sort((a, b) => b.photoCount - a.photoCount)[0];
      assert.ok(tag, 'no tag has photos: the tags pass did not run');
      const listed = api('browse', (b) => filterOf(b).tag === tag.name);
      await page.getByRole('group', { name: '筛选' }).getByLabel('标签').selectOption(tag.name);
      assert.equal((await listed).status(), 200);
      await page.getByRole('heading', { name: `标签：${tag.name}` }).waitFor();
      assert.equal((await gridNames()).length, tag.photoCount);
      // The tag is what the list is, not a hidden filter left behind for the next search.
      assert.equal(await page.getByRole('group', { name: '筛选' }).getByLabel('标签').inputValue(), tag.name);
      await shots('tag-open');
      await page.getByRole('group', { name: '筛选' }).getByLabel('标签').selectOption('');
      await page.getByRole('heading', { name: '相册', exact: true }).waitFor();
      assert.equal(await page.getByRole('group', { name: '筛选' }).getByLabel('标签').inputValue(), '');
    });

    await check('a grid tile focused from the keyboard shows its focus ring, inside the tile (not clipped)', async () => {
      await startHome();
      await page.getByRole('button', { name: `打开相册“${longAlbum!.title}”，4 张照片` }).click();
      await grid().getByRole('button').first().waitFor();
      await page.locator('button[data-index="0"]').focus();
      await page.keyboard.press('ArrowRight');
      await waitInPage(`document.activeElement?.dataset?.index === '1'`);
      assert.equal(await page.evaluate(`document.activeElement.matches(':focus-visible')`), true);
      const tile = page.locator('button[data-index="1"]');
      const box = (await tile.boundingBox())!;
      const png = await page.screenshot({ timeout: SHOT_TIMEOUT_MS, clip: box, animations: 'disabled' });
      await sharp(png).toFile(path.join(screenshotDir, 'browse-focus-ring-tile.png'));
      const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      // The ring's colour (--focus, #2563eb) along a 2-px band just inside each edge, at device pixels.
      let ring = 0;
      let band = 0;
      const inset = Math.round(info.width / box.width);
      for (let y = 0; y < info.height; y++) {
        for (let x = 0; x < info.width; x++) {
          const d = Math.min(x, y, info.width - 1 - x, info.height - 1 - y);
          if (d < inset || d >= 3 * inset) continue;
          // Corners are rounded: the ring follows the radius there.
          if ((x < 12 || x > info.width - 13) && (y < 12 || y > info.height - 13)) continue;
          band++;
          const i = (y * info.width + x) * info.channels;
          if (Math.abs(data[i]! - 37) < 40 && Math.abs(data[i + 1]! - 99) < 40 && Math.abs(data[i + 2]! - 235) < 40) ring++;
        }
      }
      assert.ok(ring / band > 0.8, `only ${ring} of ${band} pixels just inside the focused tile's edge are the focus colour`);
      await shots('focus-ring');
      await home();
    });

    await check('image search: the button (from the keyboard) opens a file picker; the picked photo finds its copy first', async () => {
      await startHome();
      await page.getByRole('searchbox', { name: '搜索照片' }).focus();
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(`document.activeElement?.getAttribute('aria-label')`), '以图搜图：选择一张图片，查找相似的照片');
      const chooser = page.waitForEvent('filechooser');
      await page.keyboard.press('Enter');
      const searched = api('similarToImage');
      await (await chooser).setFiles(server.outsidePhoto);
      const res = await searched;
      assert.equal(res.status(), 200);
      const body = (await res.json()) as { hits: PhotoHit[] };
      assert.equal(body.hits[0]?.fileName, 'IMG_0101.jpg', `the same picture is not first: ${body.hits.map((h) => h.fileName).join(', ')}`);
      await page.getByRole('heading', { name: '与图片 picked-schooner.jpg 相似' }).waitFor();
      assert.equal((await gridNames())[0], 'IMG_0101.jpg');
      await shots('image-search');
      await home();
    });

    await check('viewer: cameras named without the make twice, a long file name wraps before its extension, Tab stays inside, Esc hands focus back to the tile', async () => {
      await startHome();
      await page.getByRole('button', { name: `打开相册“${longAlbum!.title}”，4 张照片` }).click();
      await grid().getByRole('button').first().waitFor();
      await page.locator('button[data-index="2"]').focus();
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog');
      const camera = () => dialog.locator('dt:text-is("相机") + dd');
      await dialog.getByRole('heading', { name: 'DSC_0001.JPG' }).waitFor();
      await waitInPage(`document.querySelector('dialog[open] dt + dd') && [...document.querySelectorAll('dialog[open] dd')].some((d) => d.textContent === 'Canon DIGITAL IXUS')`);
      await page.keyboard.press('ArrowLeft');
      await dialog.getByRole('heading', { name: 'DSC_0002.JPG' }).waitFor();
      await waitInPage(`[...document.querySelectorAll('dialog[open] dd')].some((d) => d.textContent === 'NIKON D750')`);
      await page.keyboard.press('ArrowLeft');
      await dialog.getByRole('heading', { name: LONG_FILE }).waitFor();
      await waitInPage(`[...document.querySelectorAll('dialog[open] dd')].some((d) => d.textContent === 'OLYMPUS E-M5')`);
      assert.equal(await camera().textContent(), 'OLYMPUS E-M5');
      let wrapped = 0;
      for (const { width, height } of [...SCREEN_SIZES, { width: 800, height: 600 }]) {
        await page.setViewportSize({ width, height });
        await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
        const lines = await page.evaluate<{ title: number; ext: number; lineHeight: number }>(`(() => {
          const h = document.querySelector('dialog[open] .viewer-title');
          const ext = h.querySelector('.file-ext');
          return { title: h.getBoundingClientRect().height, ext: ext.getClientRects().length, lineHeight: parseFloat(getComputedStyle(h).lineHeight) || 22 };
        })()`);
        assert.equal(lines.ext, 1, `at ${width}×${height} the extension .JPEG is split over ${lines.ext} lines`);
        if (lines.title > lines.lineHeight * 1.5) wrapped++;
      }
      // The narrow layout gives the name the whole width; the side panel of the wide ones wraps it.
      assert.ok(wrapped >= 1, 'the long name wrapped at no size: the check would prove nothing');
      await page.setViewportSize({ width: 1366, height: 768 });
      await shots('viewer-long-name', [...SCREEN_SIZES, { width: 800, height: 600 }]);
      const n = await tabAround('Tab');
      await tabAround('Shift+Tab');
      assert.ok(n >= 3, `only ${n} controls in the viewer`);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      await waitInPage(`document.activeElement?.dataset?.index === '0'`);
      await home();
    });

    await check('settings: Tab stays inside; Esc hands focus back to the settings button', async () => {
      await startHome();
      const open = page.getByRole('button', { name: '设置', exact: true });
      await open.focus();
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog');
      await dialog.waitFor();
      await waitInPage(`document.querySelector('dialog[open] select')`);
      await tabAround('Tab');
      await tabAround('Shift+Tab');
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      assert.equal(await page.evaluate(`document.activeElement?.getAttribute('aria-label')`), '设置');
    });

    await check('sidebar: a very long folder name and "6.3 张/秒 · 剩余约 4 秒" keep whole lines at 1366×768 and in a narrow window', async () => {
      await startHome();
      const longPath = path.join(server.photos, LONG_ALBUM, LONG_FILE);
      let phase: 'indexing' | 'pass' = 'indexing';
      // What a running engine reports mid-run (a real status, with the run's progress filled in).
      await page.route('**/api/status', async (route) => {
        const real = await route.fetch();
        const s = (await real.json()) as EngineStatus;
        if (phase === 'indexing') s.progress = { running: true, done: 30, total: 56, rate: 6.3, etaSeconds: 4, current: longPath };
        else s.passes = s.passes.map((p) => (p.name === 'tags' ? { ...p, running: true, pending: 26, rate: 6.3, etaSeconds: 4, current: longPath, waiting: null, preparing: null } : p));
        await route.fulfill({ response: real, json: s });
      });
      try {
        const sidebar = page.locator('aside.sidebar');
        for (const p of ['indexing', 'pass'] as const) {
          phase = p;
          await page.getByText('6.3 张/秒').first().waitFor({ timeout: 20_000 });
          for (const [width, height] of [[1366, 768], [800, 600], [1920, 1080]] as const) {
            await page.setViewportSize({ width, height });
            await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
            const pieces = await page.evaluate<{ text: string; rects: number; height: number }[]>(`[...document.querySelectorAll('aside.sidebar .progress-meta > span:not(.progress-file)')]
              .filter((s) => s.offsetParent).map((s) => ({ text: s.textContent, rects: s.getClientRects().length, height: s.getBoundingClientRect().height }))`);
            assert.ok(pieces.some((x) => x.text === '6.3 张/秒') && pieces.some((x) => x.text === '剩余约 4 秒'), `${p} at ${width}×${height}: ${JSON.stringify(pieces)}`);
            for (const x of pieces) assert.ok(x.rects === 1 && x.height < 24, `${p} at ${width}×${height}: "${x.text}" is squeezed over ${x.rects} boxes, ${x.height} px tall`);
            const overflow = await sidebar.evaluate((el) => el.scrollWidth - el.clientWidth);
            assert.ok(overflow <= 1, `${p} at ${width}×${height}: the sidebar scrolls sideways by ${overflow} px`);
            const folder = page.locator('.folder-name', { hasText: LONG_ROOT.slice(0, 12) });
            assert.ok((await folder.evaluate((el) => el.getBoundingClientRect().height)) < 24, 'the long folder name is not one line');
            await page.screenshot({ timeout: SHOT_TIMEOUT_MS, path: path.join(screenshotDir, `browse-sidebar-${p}-${width}x${height}.png`), animations: 'disabled' });
          }
          await page.setViewportSize({ width: 1366, height: 768 });
        }
      } finally {
        await unrouteStatus();
      }
    });

    await check('new results: while indexing goes on, a list that changed says 有新的结果 and the button shows them', async () => {
      await startHome();
      // The run's end is what reloads lists by itself; a long run (hours of OCR) is what this is for,
      // so the end is held back: the engine keeps reporting a run in progress.
      let generation: number | undefined;
      await page.route('**/api/status', async (route) => {
        const real = await route.fetch();
        const s = (await real.json()) as EngineStatus;
        generation ??= s.libraryGeneration;
        s.libraryGeneration = generation;
        s.progress = { ...s.progress, running: true };
        await route.fulfill({ response: real, json: s });
      });
      try {
        const album = albums.find((a) => a.folder.endsWith(SHORT_ALBUM))!;
        await page.getByRole('button', { name: `打开相册“${album.title}”，3 张照片` }).click();
        assert.deepEqual(await gridNames(), ['IMG_0103.jpg', 'IMG_0102.jpg', 'IMG_0101.jpg']);
        // The page has seen the held-back status (the generation it keeps is the one before the photo).
        await api('status');
        server.addPhoto(SHORT_ALBUM, 'IMG_0104.jpg');
        const notice = page.getByRole('status').filter({ hasText: '有新的结果' });
        await notice.waitFor({ timeout: 90_000 });
        // Said, not done under the person's eyes.
        assert.deepEqual(await gridNames(), ['IMG_0103.jpg', 'IMG_0102.jpg', 'IMG_0101.jpg']);
        await shots('fresh-results');
        await notice.getByRole('button', { name: '显示新结果' }).click();
        await waitInPage(`document.querySelectorAll('button[data-index]').length === 4`);
        assert.deepEqual(await gridNames(), ['IMG_0104.jpg', 'IMG_0103.jpg', 'IMG_0102.jpg', 'IMG_0101.jpg']);
        await notice.waitFor({ state: 'detached' });
      } finally {
        await unrouteStatus();
      }
    });

    await check('no console errors or page errors', async () => {
      assert.deepEqual(problems.filter((p) => !p.includes('favicon')), []);
    });
  } finally {
    await browser.close();
    await server.close();
  }
  const result = { passed: run?.passed ?? 0, failed: run?.failed ?? 0 };
  console.log(`browsing: ${result.passed} passed, ${result.failed} failed`);
  return result;
}
