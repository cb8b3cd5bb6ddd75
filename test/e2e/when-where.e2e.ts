/**
 * The when/where UI, driven in Chromium against the real web mode on its own library
 * (when-where-library.ts: real photos with EXIF written by exiftool, SHIGUANG_NOW fixed): the
 * Timeline as the home screen's content, the Places view and a place's photos, the chips under the
 * search box for what a query was understood to say, removing one, and the timeline at 100k
 * photos (the month counts and pages answered in the page, so the renderer's virtualisation is
 * what is measured). Screenshots at 1366×768 and 1920×1080.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { type Page } from 'playwright-core';
import type { PhotoFilter, PhotoHit, Timeline } from '../../electron/shared/api.ts';
import { ensureExiftool } from '../../scripts/ensure-exiftool.mjs';
import { startWhenWhereServer } from './when-where-library.ts';
import { apiBodyOf, apiMethodOf, chinesePage, imagesLoaded, launchChromium, pageProblems, SCREEN_SIZES, SHOT_TIMEOUT_MS } from './browser.ts';
import { CheckRun } from './check-run.ts';
import { isFreshnessProbe } from '../../renderer/src/lib/freshness.ts';


export async function runWhenWhereUiChecks(root: string, screenshotDir: string): Promise<{ passed: number; failed: number }> {
  const exiftool = ensureExiftool();
  if (!exiftool.ok) {
    console.warn(`when/where UI checks skipped: ${exiftool.reason}`);
    return { passed: 0, failed: 0 };
  }
  fs.mkdirSync(screenshotDir, { recursive: true });
  const server = await startWhenWhereServer(root);
  const browser = await launchChromium();
  let run: CheckRun | undefined;
  try {
    const page: Page = await chinesePage(browser);
    const problems = pageProblems(page);
    run = new CheckRun(page, { failureShot: (_name, n) => path.join(screenshotDir, `ww-FAILED-${n}.png`) });
    const { check } = run;
    const shots = async (name: string): Promise<void> => {
      for (const { width, height } of SCREEN_SIZES) {
        await page.setViewportSize({ width, height });
        await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
        await imagesLoaded(page);
        await page.screenshot({ timeout: SHOT_TIMEOUT_MS, path: path.join(screenshotDir, `ww-${name}-${width}x${height}.png`), animations: 'disabled' });
      }
      await page.setViewportSize({ width: 1366, height: 768 });
    };
    const api = (method: string, pred: (b: Record<string, unknown>) => boolean = () => true) => {
      // Not the "有新的结果" probe (the top of the list on screen, asked again while a pass runs).
      const p = page.waitForResponse((r) => apiMethodOf(r.request()) === method && !isFreshnessProbe(apiBodyOf(r.request())) && pred(apiBodyOf(r.request())), { timeout: 30_000 });
      p.catch(() => undefined);
      return p;
    };
    const gridNames = async (): Promise<string[]> =>
      (await page.getByRole('list', { name: '搜索结果' }).getByRole('button').evaluateAll((bs) => bs.map((b) => b.getAttribute('aria-label') ?? ''))).map((l) => l.split('，')[0]!);
    const searchbox = () => page.getByRole('searchbox', { name: '搜索照片' });
    const chips = () => page.getByRole('group', { name: '已理解的条件' });

    console.log(`when/where UI checks against ${new URL(server.baseUrl).origin}`);
    await page.goto(server.baseUrl);

    await check('home: the timeline by month, newest first, under the suggestions and the album strip', async () => {
      await page.getByRole('button', { name: '时间线', pressed: true }).waitFor();
      await page.getByRole('heading', { name: '相册' }).waitFor();
      // The months load after the heading shows: wait for them, not for luck.
      await page.locator('.timeline-month').nth(2).waitFor();
      const months = await page.locator('.timeline-month').allTextContents();
      assert.deepEqual(months.slice(0, 3), ['2026年11月 · 3 张', '2026年10月 · 2 张', '2026年5月 · 2 张']);
      await page.locator('.timeline-row button.thumb').first().waitFor();
      await shots('home-timeline');
    });

    await check('a timeline photo opens in the viewer', async () => {
      await page.locator('.timeline-row button.thumb').first().click();
      const dialog = page.getByRole('dialog');
      await dialog.getByRole('heading', { name: 'Screenshot_20261127-093000.png' }).waitFor();
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
    });

    await check('places: country → province → city with counts and covers; a city lists its photos, and the viewer says where each was taken', async () => {
      const loaded = api('places');
      await page.getByRole('button', { name: '地点', exact: true }).click();
      assert.equal((await loaded).status(), 200);
      const region = page.getByRole('region', { name: '拍摄地点' });
      await region.getByRole('button', { name: '中国，8 张照片' }).waitFor();
      await region.getByRole('button', { name: '黑龙江省，5 张照片' }).waitFor();
      await region.getByRole('button', { name: '日本，2 张照片' }).waitFor();
      await shots('places');
      const listed = api('browse', (b) => JSON.stringify((b.filter as PhotoFilter | undefined)?.place) === '["CN-230100"]');
      await region.getByRole('button', { name: '哈尔滨市，5 张照片' }).click();
      assert.equal((await listed).status(), 200);
      await page.getByRole('heading', { name: '地点：哈尔滨市' }).waitFor();
      await page.getByRole('list', { name: '搜索结果' }).getByRole('button').first().waitFor();
      assert.deepEqual((await gridNames()).sort(), ['DSC_0001.jpg', 'DSC_0002.jpg', 'DSC_0003.jpg', 'IMG_0101.jpg', 'IMG_0102.jpg']);
      await shots('place-harbin');
      // The viewer says where each was taken: from the GPS, and from the folder's name.
      const dialog = page.getByRole('dialog');
      const place = (): Promise<string | null> => dialog.locator('dt:text-is("地点") + dd').textContent();
      for (const [name, fromFolder] of [['IMG_0101.jpg', false], ['DSC_0001.jpg', true]] as const) {
        const details = api('photo');
        await page.getByRole('list', { name: '搜索结果' }).getByRole('button', { name: new RegExp(name.replace('.', '\\.')) }).first().click();
        assert.equal((await details).status(), 200);
        await dialog.getByRole('heading', { name }).waitFor();
        await dialog.locator('dt:text-is("地点")').waitFor();
        const text = (await place()) ?? '';
        assert.ok(text.startsWith('中国 · 黑龙江省 · 哈尔滨市'), `${name}: 地点 ${text}`);
        assert.equal(text.endsWith('（按文件夹名推断）'), fromFolder, `${name}: 地点 ${text}`);
        if (!fromFolder) await shots('viewer-place');
        await page.keyboard.press('Escape');
        await dialog.waitFor({ state: 'hidden' });
      }
      await page.getByRole('button', { name: '返回' }).first().click();
      await page.getByRole('button', { name: '地点', pressed: true }).waitFor();
    });

    await check("a place in the viewer's details opens the photos taken there, at its level", async () => {
      const region = page.getByRole('region', { name: '拍摄地点' });
      await region.getByRole('button', { name: '哈尔滨市，5 张照片' }).click();
      await page.getByRole('heading', { name: '地点：哈尔滨市' }).waitFor();
      const details = api('photo');
      await page.getByRole('list', { name: '搜索结果' }).getByRole('button', { name: /IMG_0101\.jpg/ }).first().click();
      assert.equal((await details).status(), 200);
      const dialog = page.getByRole('dialog');
      await dialog.getByRole('heading', { name: 'IMG_0101.jpg' }).waitFor();
      const listed = api('browse', (b) => JSON.stringify((b.filter as PhotoFilter | undefined)?.place) === '["CN-230000"]');
      await dialog.getByRole('button', { name: '黑龙江省', exact: true }).click();
      assert.equal((await listed).status(), 200);
      await dialog.waitFor({ state: 'hidden' });
      await page.getByRole('heading', { name: '地点：黑龙江省' }).waitFor();
      await page.getByRole('list', { name: '搜索结果' }).getByRole('button').first().waitFor();
      assert.deepEqual((await gridNames()).sort(), ['DSC_0001.jpg', 'DSC_0002.jpg', 'DSC_0003.jpg', 'IMG_0101.jpg', 'IMG_0102.jpg']);
      await page.getByRole('button', { name: '返回' }).first().click();
      await page.getByRole('button', { name: '地点', pressed: true }).waitFor();
    });

    await check("a place's page lists the places within it: 黑龙江省 → 哈尔滨市 → its district, each one click, and back up", async () => {
      const region = page.getByRole('region', { name: '拍摄地点' });
      await region.getByRole('button', { name: '黑龙江省，5 张照片' }).click();
      await page.getByRole('heading', { name: '地点：黑龙江省' }).waitFor();
      await page.getByRole('group', { name: '黑龙江省的各处' }).getByRole('button', { name: '哈尔滨市，5 张照片' }).click();
      await page.getByRole('heading', { name: '地点：哈尔滨市' }).waitFor();
      // Districts: the Places view stops at cities; the two Harbin photos with GPS have one, the
      // three placed by their folder's name (哈尔滨) do not.
      const districts = page.getByRole('group', { name: '哈尔滨市的各处' }).getByRole('button');
      await districts.first().waitFor();
      const labels = await districts.evaluateAll((bs) => bs.map((b) => b.getAttribute('aria-label')));
      assert.deepEqual(labels, ['道里区，2 张照片'], labels.join(' · '));
      await shots('place-districts');
      const listed = api('browse', (b) => JSON.stringify((b.filter as PhotoFilter | undefined)?.place) !== '["CN-230100"]');
      await districts.first().click();
      assert.equal((await listed).status(), 200);
      await page.getByRole('heading', { name: '地点：道里区' }).waitFor();
      await page.getByRole('list', { name: '搜索结果' }).getByRole('button').first().waitFor();
      assert.deepEqual((await gridNames()).sort(), ['IMG_0101.jpg', 'IMG_0102.jpg']);
      // Back goes up the way it came: the city, the province, then home (the Places view).
      await page.getByRole('button', { name: '返回“哈尔滨市”' }).click();
      await page.getByRole('heading', { name: '地点：哈尔滨市' }).waitFor();
      await page.getByRole('button', { name: '返回“黑龙江省”' }).click();
      await page.getByRole('heading', { name: '地点：黑龙江省' }).waitFor();
      await page.getByRole('button', { name: '返回首页' }).click();
      await page.getByRole('button', { name: '地点', pressed: true }).waitFor();
    });

    await check('"前年冬天在哈尔滨": chips for the time and the place; that winter\'s Harbin photos only', async () => {
      const res = api('search', (b) => b.query === '前年冬天在哈尔滨');
      await searchbox().fill('前年冬天在哈尔滨');
      const body = (await (await res).json()) as { hits: PhotoHit[] };
      await chips().getByText('前年冬天', { exact: true }).waitFor();
      await chips().getByText('哈尔滨', { exact: true }).waitFor();
      assert.deepEqual(body.hits.map((h) => h.fileName), ['IMG_0101.jpg', 'DSC_0003.jpg', 'DSC_0002.jpg', 'DSC_0001.jpg']);
      await page.getByRole('list', { name: '搜索结果' }).getByRole('button').first().waitFor();
      await shots('search-chips');
    });

    await check('"五月到十月": one chip for the range; the photos from May to October, newest first', async () => {
      const res = api('search', (b) => b.query === '五月到十月');
      await searchbox().fill('五月到十月');
      const body = (await (await res).json()) as { hits: PhotoHit[] };
      await chips().getByText('五月到十月', { exact: true }).waitFor();
      assert.deepEqual(body.hits.map((h) => h.fileName), ['IMG_0108.jpg', 'IMG_0107.jpg', 'IMG_0105.jpg', 'IMG_0103.jpg']);
      await page.getByRole('list', { name: '搜索结果' }).getByRole('button').first().waitFor();
      await shots('search-range');
    });

    await check('"上周的截图": removing the 截图 chip searches 截图 as words within last week', async () => {
      const res = api('search', (b) => b.query === '上周的截图' && b.plain === undefined);
      await searchbox().fill('上周的截图');
      const first = (await (await res).json()) as { hits: PhotoHit[] };
      assert.deepEqual(first.hits.map((h) => h.fileName), ['Screenshot_20261127-093000.png', 'IMG_0200.PNG']);
      await chips().getByText('截图', { exact: true }).waitFor();
      const again = api('search', (b) => b.query === '上周的截图' && Array.isArray(b.plain));
      await chips().getByRole('button', { name: '不按“截图”筛选，当作普通词语搜索' }).click();
      const req = await again;
      assert.deepEqual(apiBodyOf(req.request()).plain, [{ start: 3, end: 5 }]);
      const second = (await req.json()) as { hits: PhotoHit[]; weakerCursor?: string | null };
      // The words 截图 stand out in no photo (the toy model knows no such word): nothing is called
      // relevant, and last week's photos are the weaker rest, one click away.
      const week = ['IMG_0106.jpg', 'IMG_0200.PNG', 'Screenshot_20261127-093000.png'];
      const shown = second.hits.map((h) => h.fileName);
      assert.deepEqual(shown.filter((n) => !week.includes(n)), [], 'only last week is searched');
      if (shown.length < week.length) {
        assert.ok(second.weakerCursor, 'the weaker rest can be asked for');
        await page.getByRole('button', { name: '显示更多相关度较低的照片' }).click();
        await page.locator(`button[data-index="${week.length - 1}"]`).waitFor();
      }
      assert.deepEqual((await gridNames()).sort(), week);
      await chips().getByText('上周', { exact: true }).waitFor();
      assert.equal(await chips().getByText('截图', { exact: true }).count(), 0);
      assert.equal(await searchbox().inputValue(), '上周的截图');
    });

    await check('"周末": one chip saying every Saturday and Sunday; those days\' photos of any week, newest first', async () => {
      const res = api('search', (b) => b.query === '周末');
      await searchbox().fill('周末');
      const body = (await (await res).json()) as { hits: PhotoHit[] };
      const chip = chips().locator('li', { hasText: '周末' });
      await chip.waitFor();
      assert.equal(await chip.getAttribute('title'), '每周六、周日');
      // Sat 3 Oct 2026, Sun 3 May 2026, Sat 2 May 2026, Sat 20 Jul 2024 (EXIF dates, local time).
      assert.deepEqual(body.hits.map((h) => h.fileName), ['IMG_0108.jpg', 'IMG_0105.jpg', 'IMG_0103.jpg', 'IMG_0102.jpg']);
      await page.getByRole('list', { name: '搜索结果' }).getByRole('button').first().waitFor();
      await shots('search-weekend');
    });

    await check('"那年今日" on the home screen: one click lists this day (6 December) of earlier years; the chip says which day', async () => {
      await searchbox().fill('');
      await page.getByRole('button', { name: '时间线' }).click(); // the suggestions head the timeline
      const res = api('search', (b) => b.query === '那年今日');
      await page.getByRole('button', { name: '那年今日', exact: true }).click();
      const body = (await (await res).json()) as { hits: PhotoHit[] };
      assert.equal(await searchbox().inputValue(), '那年今日');
      const chip = chips().locator('li', { hasText: '那年今日' });
      await chip.waitFor();
      assert.equal(await chip.getAttribute('title'), '… – 2026-12-05 每年 12 月 6 日');
      assert.deepEqual(body.hits.map((h) => h.fileName), ['DSC_0200.jpg']); // 6 December 2024
      await page.getByRole('list', { name: '搜索结果' }).getByRole('button').first().waitFor();
      await shots('search-on-this-day');
    });

    await check('the timeline at 100k photos: only the rows in view exist, a month loads when it comes into view', async () => {
      await searchbox().fill('');
      await page.getByRole('button', { name: '时间线' }).click();
      await page.locator('.timeline-row button.thumb').first().waitFor();
      const realIds = await page.locator('.timeline-row button.thumb').evaluateAll((bs) => bs.map((b) => Number(b.getAttribute('data-photo-id'))));
      // 240 months × ~417 photos = 100k: counts and pages are answered here, thumbnails are real photos.
      const months: Timeline['months'] = Array.from({ length: 240 }, (_, i) => {
        const y = 2026 - Math.floor(i / 12);
        const m = 12 - (i % 12);
        return { month: `${y}-${String(m).padStart(2, '0')}`, from: Date.UTC(y, m - 1, 1), to: Date.UTC(y, m, 1), photos: 417 };
      });
      const browsed: string[] = [];
      await page.route('**/api/timeline', (r) => r.fulfill({ json: { months, undated: 0 } }));
      await page.route('**/api/browse', (r) => {
        const b = apiBodyOf(r.request()) as { filter?: PhotoFilter; limit: number; cursor?: string };
        const from = b.filter?.taken?.from ?? 0;
        browsed.push(months.find((m) => m.from === from)?.month ?? '?');
        const start = b.cursor ? Number(b.cursor) : 0;
        const n = Math.min(b.limit, 417 - start);
        const hits = Array.from({ length: n }, (_, k) => ({ id: realIds[(start + k) % realIds.length]!, path: `/x/${start + k}.jpg`, fileName: `${start + k}.jpg`, folder: '/x', score: 0, width: 4, height: 3, takenAt: null, tags: [] }));
        return r.fulfill({ json: { hits, nextCursor: start + n < 417 ? String(start + n) : null } });
      });
      try {
        await page.reload();
        await page.locator('.timeline-month', { hasText: '2026年12月 · 417 张' }).waitFor();
        const scroller = page.locator('.timeline-scroll');
        const height = await scroller.evaluate((el) => el.scrollHeight);
        assert.ok(height > 100_000 / 10 * 100, `the timeline is ${height} px tall: too short for 100k photos`);
        browsed.length = 0;
        // Jump to the middle (dragging the scrollbar), then scroll on a few screens, as a person does.
        const frames = await scroller.evaluate(async (el) => {
          const gaps: number[] = [];
          let last = performance.now();
          el.scrollTop = el.scrollHeight / 2;
          for (let i = 0; i < 60; i++) {
            await new Promise((r) => requestAnimationFrame(r));
            const now = performance.now();
            gaps.push(now - last);
            last = now;
            el.scrollTop += 120;
          }
          return gaps;
        });
        await page.locator('.timeline-row button.thumb').first().waitFor();
        const rendered = await page.locator('.timeline-row').count();
        assert.ok(rendered > 0 && rendered <= 40, `${rendered} photo rows in the DOM`);
        const distinct = [...new Set(browsed)];
        assert.ok(distinct.length >= 1 && distinct.length <= 3, `months requested after the jump: ${distinct.join(', ')}`);
        // Half-way down 240 months is the 120th (December 2016), give or take the rows in view.
        const at = distinct.map((m) => months.findIndex((x) => x.month === m));
        assert.ok(at.every((i) => i >= 117 && i <= 123), `half-way through 2026…2007 is about 2016-12; requested ${distinct.join(', ')}`);
        frames.sort((a, b) => a - b);
        console.log(`      frames while scrolling 100k: p50 ${frames[30]!.toFixed(1)} ms, p95 ${frames[57]!.toFixed(1)} ms (not asserted)`);
        await shots('timeline-100k');
      } finally {
        await page.unroute('**/api/timeline');
        await page.unroute('**/api/browse');
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
  console.log(`when/where: ${result.passed} passed, ${result.failed} failed`);
  return result;
}
