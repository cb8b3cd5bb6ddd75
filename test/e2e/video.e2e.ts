/**
 * Videos in the UI, against the real web mode (`shiguang serve`, the toy-colors model) with its
 * own library: the 12-second red → blue → green clip, AndroidX Media's H.264 sample, an H.263 3GP
 * (which a browser cannot play) and a few coloured photos. Checked in Chromium at 1366×768 and
 * 1920×1080, with screenshots (test-results/video-*.png):
 *
 * - 蓝色 lists the clip once, as a video tile showing its length, the matching part (0:03–0:07) and
 *   the frame that matched (a /media/frame/<id>/3000 picture, a real JPEG of the blue part);
 * - the viewer plays it from the segment's start (currentTime 3 s), the segment marked on the
 *   timeline at 3/12 to 7/12 of its width, the original streamed with HTTP Range requests (206);
 * - the kind filter leaves only videos; a format the page cannot play shows its frame and a note.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Page } from 'playwright-core';
import { generateTestModels } from '../../scripts/models/generate-test-models.ts';
import { writeColourSet } from '../../scripts/fixtures/colour-photos.ts';
import { makeClip } from '../../scripts/fixtures/video-clips.ts';
import { chinesePage, launchChromium, SCREEN_SIZES, SHOT_TIMEOUT_MS } from './browser.ts';
import { serveToyColors } from './toy-serve.ts';
import { CheckRun } from './check-run.ts';

const RESULTS = '搜索结果';
interface Served {
  url: string;
  token: string;
  folder: string;
  close(): Promise<void>;
}

/** `shiguang serve` on a fresh library holding the folder, once its videos are read. */
async function serveLibraryWithVideos(root: string): Promise<Served> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-ui-video-'));
  const models = path.join(tmp, 'models');
  await generateTestModels(models);
  const folder = path.join(tmp, '手机相册');
  await writeColourSet(folder, ['red', 'blue', 'green'], 2);
  fs.copyFileSync(makeClip('rgb-12s.mp4'), path.join(folder, 'VID_红蓝绿.mp4'));
  fs.copyFileSync(path.join(root, 'test/fixtures/video/sample.mp4'), path.join(folder, 'VID_sample.mp4'));
  fs.copyFileSync(path.join(root, 'test/fixtures/video/bbb_176x144_128kbps_15fps_h263.3gp'), path.join(folder, 'old-phone.3gp'));
  // Two Live Photos: a photo and its short clip of the same name (not an item of its own). The
  // clips are other people's files: AndroidX Media's H.264 sample, and its iPhone HEVC clip.
  const [red] = await writeColourSet(path.join(tmp, 'live'), ['red'], 1, 40);
  fs.copyFileSync(red!, path.join(folder, 'IMG_0001.JPG'));
  fs.copyFileSync(path.join(root, 'test/fixtures/video/sample.mp4'), path.join(folder, 'IMG_0001.MOV'));
  const [green] = await writeColourSet(path.join(tmp, 'live'), ['green'], 1, 41);
  fs.copyFileSync(green!, path.join(folder, 'IMG_0002.JPG'));
  fs.copyFileSync(path.join(root, 'test/fixtures/video/dolbyVision-hdr.MOV'), path.join(folder, 'IMG_0002.MOV'));
  // A motion photo as Android cameras write it (Google's MicroVideo XMP, written by exiftool; the
  // MP4 appended after the picture): its video lives inside the JPEG.
  const [motion] = await writeColourSet(path.join(tmp, 'live'), ['red'], 1, 42);
  execFileSync('exiftool', ['-q', '-overwrite_original', '-XMP-GCamera:MicroVideo=1', '-XMP-GCamera:MicroVideoVersion=1', `-XMP-GCamera:MicroVideoOffset=${fs.statSync(path.join(root, 'test/fixtures/video/sample.mp4')).size}`, motion!]);
  fs.appendFileSync(motion!, fs.readFileSync(path.join(root, 'test/fixtures/video/sample.mp4')));
  fs.copyFileSync(motion!, path.join(folder, 'MVIMG_0003.jpg'));
  // The same iPhone clip alone: a video of its own, in a codec (HEVC) many browsers cannot show.
  fs.copyFileSync(path.join(root, 'test/fixtures/video/dolbyVision-hdr.MOV'), path.join(folder, 'iphone-hdr.MOV'));
  const old = Date.now() / 1000 - 3600;
  for (const f of fs.readdirSync(folder)) fs.utimesSync(path.join(folder, f), old, old);
  const served = await serveToyColors(root, tmp, models);
  try {
    await served.api('addFolder', { path: folder });
    // The videos pass runs in the background once the photos are embedded: wait for its state.
    await served.until((s) => (s.videos as { indexed: number } | undefined)?.indexed === 4, 'videos indexed');
    return { url: served.url, token: served.token, folder, close: served.close };
  } catch (err) {
    await served.close();
    throw err;
  }
}

/**
 * The viewer's clip (a Live Photo's, a motion photo's), its button just pressed: where this
 * Chromium has H.264 it plays with a picture over the still (the button now stops it) and the
 * still comes back when the one-second clip ends; elsewhere the viewer says it cannot play it.
 */
async function playsOverTheStill(page: Page, shot: string, stopLabel: string): Promise<void> {
  const viewer = page.locator('dialog.viewer[open]');
  if (!(await page.evaluate(`document.createElement('video').canPlayType('video/mp4; codecs="avc1.42E01E"') !== ''`))) {
    await viewer.locator('.live-failed').waitFor();
    return;
  }
  await waitInPage(page, `(() => { const v = document.querySelector('dialog.viewer[open] video.viewer-live'); return !!v && v.currentTime > 0.2 && v.videoWidth > 0; })()`);
  await viewer.getByRole('button', { name: stopLabel }).waitFor();
  await page.screenshot({ timeout: SHOT_TIMEOUT_MS, path: shot, animations: 'disabled' });
  await waitInPage(page, `!document.querySelector('dialog.viewer[open] video.viewer-live')`);
}

/** Search, then open the photo with this file name in the viewer. */
async function openPhoto(page: Page, query: string, fileName: string): Promise<void> {
  await page.getByRole('searchbox', { name: '搜索照片' }).fill(query);
  await page.keyboard.press('Enter');
  const tile = page.getByRole('list', { name: RESULTS }).locator(`button[aria-label^="${fileName}"]`);
  await tile.first().click();
  await page.locator('dialog.viewer[open]').waitFor();
}

/** Page-side expressions as strings (this file compiles without the DOM lib; the CSP forbids eval-based waits). */
async function waitInPage(page: Page, expr: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await page.evaluate(`!!(${expr})`)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${expr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function runVideoUiCheck(root: string, screenshotDir: string): Promise<{ passed: number; failed: number }> {
  fs.mkdirSync(screenshotDir, { recursive: true });
  const served = await serveLibraryWithVideos(root);
  const browser = await launchChromium();
  const run = new CheckRun(null, { failureShot: (_name, n, tag) => path.join(screenshotDir, `video-FAILED-${tag}-${n}.png`) });
  try {
    for (const size of SCREEN_SIZES) {
      const tag = `${size.width}x${size.height}`;
      const page = await chinesePage(browser, size);
      const ranged: number[] = [];
      page.on('response', (r) => {
        if (r.url().includes('/media/original/') && r.request().headers().range) ranged.push(r.status());
      });
      const { check } = run.on(page, tag);
      await page.goto(served.url);
      const grid = page.getByRole('list', { name: RESULTS });
      const clip = grid.locator('button[aria-label^="视频 VID_红蓝绿.mp4"]');

      await check('蓝色 lists the clip once, as a video tile with its length, the matching part and its frame', async () => {
        await page.getByRole('searchbox', { name: '搜索照片' }).fill('蓝色');
        await page.keyboard.press('Enter');
        await grid.getByRole('button').first().waitFor();
        const tiles = grid.locator('button[aria-label^="视频 VID_红蓝绿.mp4"]');
        assert.equal(await tiles.count(), 1);
        const tile = tiles.first();
        assert.match((await tile.getAttribute('aria-label'))!, /0:03 至 0:07/);
        assert.equal(await tile.locator('.video-length').innerText(), '0:12');
        assert.equal(await tile.locator('.video-moment').innerText(), '0:03–0:07');
        const src = (await tile.locator('img').getAttribute('src'))!;
        assert.match(src, /\/media\/frame\/\d+\/3000\?token=/);
        await waitInPage(page, `[...document.querySelectorAll('button[data-kind="video"] img')].every((i) => i.complete && i.naturalWidth > 0)`);
        // The picture is the blue part: its pixels are blue.
        const rgb = await page.evaluate(`(() => { const i = document.querySelector('button[aria-label^="视频 VID_红蓝绿.mp4"] img'); const c = document.createElement('canvas'); c.width = 8; c.height = 8; const g = c.getContext('2d'); g.drawImage(i, 0, 0, 8, 8); return [...g.getImageData(4, 4, 1, 1).data].slice(0, 3); })()`);
        const [r, g, b] = rgb as number[];
        assert.ok(b! > 200 && r! < 60 && g! < 60, `tile colour ${rgb}`);
        // The header counts what the list holds: photos and a video clip, not "N 张照片".
        const shownVideos = await grid.locator('button[data-kind="video"]').count();
        const shownPhotos = (await grid.locator('button[data-index]').count()) - shownVideos;
        const meta = await page.locator('.results-meta').innerText();
        assert.match(meta, new RegExp(`^相关的有 ${shownPhotos} 张照片、${shownVideos} 段视频`), meta);
        // The weaker rest may hold either kind.
        await page.getByRole('button', { name: '显示更多相关度较低的照片和视频' }).waitFor();
        await page.screenshot({ timeout: SHOT_TIMEOUT_MS, path: path.join(screenshotDir, `video-${tag}-results.png`), animations: 'disabled' });
      });

      await check('the viewer plays it from the segment, marked on the timeline, streamed with Range requests', async () => {
        await clip.first().click();
        const viewer = page.locator('dialog.viewer[open]');
        await viewer.locator('.video-timeline').waitFor();
        const seg = viewer.locator('.video-segment');
        assert.equal(await seg.getAttribute('data-start'), '3');
        assert.equal(await seg.getAttribute('data-end'), '7');
        const track = (await viewer.locator('.video-track').boundingBox())!;
        const mark = (await seg.boundingBox())!;
        assert.ok(Math.abs((mark.x - track.x) / track.width - 3 / 12) < 0.02, `segment starts at ${(mark.x - track.x) / track.width}`);
        assert.ok(Math.abs(mark.width / track.width - 4 / 12) < 0.03, `segment is ${mark.width / track.width} of the timeline`);
        const playable = await page.evaluate(`document.createElement('video').canPlayType('video/mp4; codecs="avc1.42E01E"') !== ''`);
        if (playable) {
          await waitInPage(page, `(() => { const v = document.querySelector('dialog.viewer[open] video'); return v && v.readyState >= 1 && v.currentTime >= 2.9; })()`);
          const t = (await page.evaluate(`document.querySelector('dialog.viewer[open] video').currentTime`)) as number;
          assert.ok(t >= 2.9 && t < 7, `playing from ${t} s`);
          assert.ok(ranged.includes(206), `range responses: ${ranged.join(', ')}`);
          await page.evaluate(`document.querySelector('dialog.viewer[open] video').pause()`);
        } else {
          // This Chromium has no H.264: the page says so and shows the matching frame.
          await viewer.locator('.video-fallback').waitFor();
        }
        await page.screenshot({ timeout: SHOT_TIMEOUT_MS, path: path.join(screenshotDir, `video-${tag}-viewer.png`), animations: 'disabled' });
        await page.keyboard.press('Escape');
        await viewer.waitFor({ state: 'detached' }).catch(() => undefined);
      });

      await check('the kind filter leaves only videos', async () => {
        await page.getByRole('group', { name: '筛选' }).getByLabel('类型').selectOption('video');
        await waitInPage(page, `(() => { const b = [...document.querySelectorAll('[role="list"][aria-label="${RESULTS}"] button[data-index]')]; return b.length > 0 && b.every((x) => x.dataset.kind === 'video'); })()`);
        const meta = await page.locator('.results-meta').innerText();
        assert.match(meta, /段(相关)?视频/, meta);
        // The weaker rest, when there is one, is videos too.
        const weaker = page.locator('.show-weaker button');
        if ((await weaker.count()) > 0) assert.equal(await weaker.innerText(), '显示更多相关度较低的视频');
        await page.screenshot({ timeout: SHOT_TIMEOUT_MS, path: path.join(screenshotDir, `video-${tag}-videos-only.png`), animations: 'disabled' });
      });

      await check('a format the page cannot play shows its frame and says so', async () => {
        const old = grid.locator('button[aria-label^="视频 old-phone.3gp"]');
        await old.first().click();
        const viewer = page.locator('dialog.viewer[open]');
        await viewer.locator('.video-fallback').waitFor();
        assert.match(await viewer.locator('.video-fallback').innerText(), /无法在这里播放/);
        await page.screenshot({ timeout: SHOT_TIMEOUT_MS, path: path.join(screenshotDir, `video-${tag}-cannot-play.png`), animations: 'disabled' });
        await page.keyboard.press('Escape');
        await viewer.waitFor({ state: 'detached' }).catch(() => undefined);
        // A video track this browser cannot decode (HEVC here) would play its sound over black.
        if (await page.evaluate(`document.createElement('video').canPlayType('video/mp4; codecs="hvc1.2.4.L153.B0"') === ''`)) {
          await grid.locator('button[aria-label^="视频 iphone-hdr.MOV"]').first().click();
          await page.locator('dialog.viewer[open] .video-fallback').waitFor();
          await page.keyboard.press('Escape');
          await page.locator('dialog.viewer[open]').waitFor({ state: 'detached' }).catch(() => undefined);
        }
        await page.getByRole('group', { name: '筛选' }).getByLabel('类型').selectOption('');
      });
      await check('a Live Photo plays its clip over the still from the 实况 button, then shows the still again', async () => {
        await openPhoto(page, '红色', 'IMG_0001.JPG');
        const viewer = page.locator('dialog.viewer[open]');
        const live = viewer.getByRole('button', { name: '播放实况照片' });
        await live.waitFor();
        assert.equal(await live.innerText(), '实况');
        await live.click();
        await playsOverTheStill(page, path.join(screenshotDir, `video-${tag}-live-playing.png`), '停止播放实况照片');
        await live.waitFor(); // the button to play it once more
        await page.keyboard.press('Escape');
        await viewer.waitFor({ state: 'detached' }).catch(() => undefined);
      });

      await check('a motion photo plays the video inside it from the 动态 button', async () => {
        await openPhoto(page, '红色', 'MVIMG_0003.jpg');
        const viewer = page.locator('dialog.viewer[open]');
        const motion = viewer.getByRole('button', { name: '播放动态照片' });
        await motion.waitFor();
        assert.equal(await motion.innerText(), '动态');
        await motion.click();
        await playsOverTheStill(page, path.join(screenshotDir, `video-${tag}-motion-playing.png`), '停止播放动态照片');
        await page.keyboard.press('Escape');
        await viewer.waitFor({ state: 'detached' }).catch(() => undefined);
      });

      await check('a photo without a clip has no 实况 button; a clip this browser cannot decode says so and keeps the still', async () => {
        await openPhoto(page, '红色', 'red-1.jpg');
        const viewer = page.locator('dialog.viewer[open]');
        // Its details are loaded (the dimensions come with them) and announce no clip.
        await viewer.getByText('文件大小').waitFor();
        await waitInPage(page, `!!document.querySelector('dialog.viewer[open] .viewer-info') && /KB|MB/.test(document.querySelector('dialog.viewer[open] .viewer-info').textContent)`);
        assert.equal(await viewer.locator('.live-badge').count(), 0);
        await page.keyboard.press('Escape');
        await viewer.waitFor({ state: 'detached' }).catch(() => undefined);

        await openPhoto(page, '绿色', 'IMG_0002.JPG');
        const hevc = page.locator('dialog.viewer[open]');
        await hevc.getByRole('button', { name: '播放实况照片' }).click();
        if (await page.evaluate(`document.createElement('video').canPlayType('video/mp4; codecs="hvc1.2.4.L153.B0"') === ''`)) {
          await hevc.locator('.live-failed').waitFor();
          assert.match(await hevc.locator('.live-failed').innerText(), /无法在这里播放/);
          assert.ok(await hevc.locator('img.viewer-image').isVisible());
          await page.screenshot({ timeout: SHOT_TIMEOUT_MS, path: path.join(screenshotDir, `video-${tag}-live-cannot-play.png`), animations: 'disabled' });
        }
        await page.keyboard.press('Escape');
        await hevc.waitFor({ state: 'detached' }).catch(() => undefined);
      });
      await page.context().close();
    }
  } finally {
    await browser.close();
    await served.close();
  }
  return { passed: run.passed, failed: run.failed };
}
