/**
 * Time, place and kind understood in a query, end to end as a person does it: real photos from
 * ../shared/photos, into which the test writes EXIF dates, cameras and GPS positions with
 * Debian's exiftool (installed by the test set-up; skipped with the reason when it cannot be),
 * real screenshot sizes and names (test/fixtures/screenshots), then `shiguang index` and
 * `shiguang search` with a fixed "now" (SHIGUANG_NOW = Sunday 6 December 2026, noon, Asia/Shanghai).
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueryReading } from '../../electron/shared/api.ts';
import { Engine } from '../../electron/engine/engine.ts';
import { createLogger } from '../../electron/engine/util/log.ts';

const run = promisify(execFile);
const models = process.env.SHIGUANG_TEST_MODELS ?? path.resolve('.cache/test-models');
const toy = path.join(models, 'toy-colors');
const shared = path.resolve('../shared/photos');
const exiftool = process.env.SHIGUANG_EXIFTOOL ?? 'ok';
const skip = exiftool !== 'ok' ? exiftool : !fs.existsSync(shared) ? `no reference photos at ${shared}` : null;
if (skip) console.warn(`when/where end-to-end tests skipped: ${skip}`);

const ZONE = 'Asia/Shanghai';
const NOW = '2026-12-06T12:00:00+08:00';
const HARBIN = [45.7567, 126.6424]; // 道里区
const XIAN = [34.2611, 108.9423]; // the Bell Tower
const BEIJING = [39.9087, 116.3975]; // Tiananmen

interface Json {
  parsed: QueryReading | null;
  hits: { path: string; takenAt: string | null }[];
}

describe.skipIf(skip !== null)('when and where, end to end (CLI)', () => {
  let tmp: string;
  let photos: string;
  let db: string;
  const env = (): NodeJS.ProcessEnv => ({ ...process.env, TZ: ZONE, SHIGUANG_NOW: NOW, SHIGUANG_HOME: path.join(tmp, 'home'), SHIGUANG_LOG: 'warn' });
  const cli = (args: string[]) =>
    run(process.execPath, ['--import', 'tsx', 'electron/cli/main.ts', '--db', db, '--model', toy, '--threads', '1', ...args], { env: env(), maxBuffer: 64 << 20 });
  const explain = async (q: string, ...more: string[]): Promise<Json> => JSON.parse((await cli(['search', q, '--json', '--explain', '--all', ...more])).stdout) as Json;
  const names = (j: Json): string[] => j.hits.map((h) => path.relative(photos, h.path));

  /** A real photo with EXIF written by exiftool: date taken, camera, GPS (WGS-84, as phones write it). */
  const photo = (rel: string, src: string, o: { taken: string; make?: string; model?: string; gps?: number[] }): void => {
    const file = path.join(photos, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.copyFileSync(path.join(shared, src), file);
    const args = ['-q', '-overwrite_original', `-DateTimeOriginal=${o.taken}`];
    if (o.make) args.push(`-Make=${o.make}`, `-Model=${o.model ?? ''}`);
    if (o.gps) args.push(`-GPSLatitude=${o.gps[0]}`, '-GPSLatitudeRef=N', `-GPSLongitude=${o.gps[1]}`, '-GPSLongitudeRef=E');
    execFileSync('exiftool', [...args, file]);
  };
  /** A screen capture: a real photo's pixels at a real screen size, no EXIF, saved when `mtime` says. */
  const capture = async (rel: string, src: string, size: [number, number], mtime: string): Promise<void> => {
    const file = path.join(photos, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const img = sharp(path.join(shared, src)).resize(size[0], size[1], { fit: 'fill' });
    await (file.endsWith('.jpg') ? img.jpeg() : img.png()).toFile(file);
    fs.utimesSync(file, new Date(mtime), new Date(mtime));
  };

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-when-where-'));
    photos = path.join(tmp, 'photos');
    db = path.join(tmp, 'lib.db');
    fs.mkdirSync(path.join(tmp, 'home'), { recursive: true });
    // Text in photos is not what these tests are about: OCR off keeps `index` quick.
    fs.writeFileSync(path.join(tmp, 'home', 'config.json'), JSON.stringify({ ocr: false }));
    photo('phone/IMG_0101.jpg', 'n09472597_volcano.JPEG', { taken: '2025:01:15 14:00:00', make: 'Apple', model: 'iPhone 13', gps: HARBIN });
    photo('phone/IMG_0102.jpg', 'n04147183_schooner.JPEG', { taken: '2024:07:20 10:00:00', make: 'HUAWEI', model: 'ELE-AL00', gps: HARBIN });
    photo('phone/IMG_0103.jpg', 'n02391049_zebra.JPEG', { taken: '2026:05:02 11:00:00', make: 'Apple', model: 'iPhone 13', gps: XIAN });
    photo('phone/IMG_0104.jpg', 'n03457902_greenhouse.JPEG', { taken: '2025:05:01 11:00:00', make: 'Apple', model: 'iPhone 13', gps: XIAN });
    photo('phone/IMG_0105.jpg', 'n04310018_steam_locomotive.JPEG', { taken: '2026:05:03 16:00:00', make: 'Xiaomi', model: 'Redmi Note 8', gps: BEIJING });
    photo('2019-哈尔滨冰雪节/DSC_0001.jpg', 'n01860187_black_swan.JPEG', { taken: '2024:12:25 19:30:00', make: 'Canon', model: 'Canon EOS 80D' });
    photo('phone/IMG_0106.jpg', 'n02444819_otter.JPEG', { taken: '2026:11:24 08:00:00', make: 'Apple', model: 'iPhone 13' });
    photo('相机/DSC_0107.jpg', 'n02894605_breakwater.JPEG', { taken: '2025:12:06 23:30:00', make: 'Canon', model: 'Canon EOS 80D' }); // a year before "now", late evening
    await capture('phone/IMG_0200.PNG', 'n03642806_laptop.JPEG', [1170, 2532], '2026-11-25T09:15:00+08:00');
    await capture('Screenshots/Screenshot_20261127-093000_WeChat.jpg', 'n04070727_refrigerator.JPEG', [1080, 2340], '2026-11-27T09:30:00+08:00');
    await capture('phone/IMG_0201.PNG', 'n02977058_cash_machine.JPEG', [1170, 2532], '2026-11-10T09:00:00+08:00');
    const { stderr } = await cli(['index', photos]);
    expect(stderr).toMatch(/encoded 11/);
  }, 300_000);
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('"前年冬天在哈尔滨": the winter before last (Dec 2024 – Feb 2025) at Harbin, GPS or a folder named after it; newest first', async () => {
    const j = await explain('前年冬天在哈尔滨');
    expect(j.parsed).toMatchObject({
      time: { from: '2024-12-01T00:00:00+08:00', to: '2025-03-01T00:00:00+08:00', label: '前年冬天' },
      place: { name: '哈尔滨', level: 'city', places: [{ id: 'CN-230100', level: 'city', name: '哈尔滨市' }], source: 'name' },
      kind: null,
      camera: null,
      remainder: '',
    });
    expect(j.parsed!.spans.map((s) => [s.text, s.what])).toEqual([
      ['前年冬天', 'time'],
      ['哈尔滨', 'place'],
    ]);
    expect(names(j)).toEqual(['phone/IMG_0101.jpg', '2019-哈尔滨冰雪节/DSC_0001.jpg']);
  });

  it('"五一在西安拍的": this year\'s May Day holiday (1–5 May 2026) at Xi\'an — not last year\'s, not Beijing\'s', async () => {
    const j = await explain('五一在西安拍的');
    expect(j.parsed).toMatchObject({ time: { from: '2026-05-01T00:00:00+08:00', to: '2026-05-06T00:00:00+08:00', label: '五一' }, place: { name: '西安' }, remainder: '' });
    expect(names(j)).toEqual(['phone/IMG_0103.jpg']);
  });

  it('"上周的截图": last week (Mon 23 – Sun 29 Nov) and screenshots only — by size or by name, not the camera photo', async () => {
    const j = await explain('上周的截图');
    expect(j.parsed).toMatchObject({ time: { from: '2026-11-23T00:00:00+08:00', to: '2026-11-30T00:00:00+08:00', label: '上周' }, kind: 'screenshot', place: null, remainder: '' });
    expect(names(j)).toEqual(['Screenshots/Screenshot_20261127-093000_WeChat.jpg', 'phone/IMG_0200.PNG']);
  });

  it('"周末": Saturdays and Sundays of any week, by the EXIF date; "上周末" is one weekend; "工作日的早上" weekday mornings', async () => {
    const j = await explain('周末');
    expect(j.parsed).toMatchObject({ time: { from: null, to: null, label: '周末', weekdays: [6, 7] }, remainder: '' });
    expect(names(j)).toEqual(['phone/IMG_0105.jpg', 'phone/IMG_0103.jpg', '相机/DSC_0107.jpg', 'phone/IMG_0102.jpg']); // Sun 3 May, Sat 2 May 2026, Sat 6 Dec 2025, Sat 20 Jul 2024
    expect(names(await explain('周末在西安拍的'))).toEqual(['phone/IMG_0103.jpg']); // not Thursday 1 May 2025 there
    expect((await explain('上周末')).parsed).toMatchObject({ time: { from: '2026-11-28T00:00:00+08:00', to: '2026-11-30T00:00:00+08:00', label: '上周末' }, remainder: '' });
    expect(names(await explain('工作日的早上'))).toEqual(['phone/IMG_0106.jpg']); // Tuesday 08:00; the 09:00–09:30 screenshots are not 5–9
    const { stdout } = await cli(['search', '周末', '--explain']);
    expect(stdout).toMatch(/^time: {3}周末, every Saturday, Sunday$/m);
  });

  it('"那年今日": this day (6 December) in earlier years, by the local EXIF date; "去年的今天" that one day', async () => {
    const j = await explain('那年今日');
    expect(j.parsed).toMatchObject({ time: { from: null, to: '2026-12-06T00:00:00+08:00', label: '那年今日', monthDay: { month: 12, day: 6 } }, remainder: '' });
    expect(names(j)).toEqual(['相机/DSC_0107.jpg']); // 23:30 local: 15:30 UTC, still the 6th either way; the 5 Dec and 7 Dec photos… none
    expect(names(await explain('去年的今天'))).toEqual(['相机/DSC_0107.jpg']);
    expect(names(await explain('前年的今天'))).toEqual([]);
    const { stdout } = await cli(['search', '那年今日', '--explain']);
    expect(stdout).toMatch(/^time: {3}那年今日 = … … 2026-12-06 00:00 \(end exclusive\), every year on 12\/6$/m);
  });

  it('"2025年以前": strictly before 2025, newest first; "2026年以来" from its first day on', async () => {
    const j = await explain('2025年以前');
    expect(j.parsed).toMatchObject({ time: { from: null, to: '2025-01-01T00:00:00+08:00', label: '2025年以前' }, remainder: '' });
    expect(names(j)).toEqual(['2019-哈尔滨冰雪节/DSC_0001.jpg', 'phone/IMG_0102.jpg']); // 25 Dec and 20 Jul 2024
    const since = await explain('2026年以来的截图');
    expect(since.parsed).toMatchObject({ time: { from: '2026-01-01T00:00:00+08:00', to: null }, kind: 'screenshot' });
    expect(names(since).sort()).toEqual(['Screenshots/Screenshot_20261127-093000_WeChat.jpg', 'phone/IMG_0200.PNG', 'phone/IMG_0201.PNG']);
  });

  it('parts of a year and a month: "2024年底", "去年年初", "十一月下旬" — not the whole year or month', async () => {
    expect(names(await explain('2024年底'))).toEqual(['2019-哈尔滨冰雪节/DSC_0001.jpg']); // 25 Dec; not 20 Jul 2024
    expect(names(await explain('去年年初'))).toEqual(['phone/IMG_0101.jpg']); // 15 Jan 2025; not 1 May
    const late = await explain('十一月下旬');
    expect(late.parsed).toMatchObject({ time: { from: '2026-11-21T00:00:00+08:00', to: '2026-12-01T00:00:00+08:00', label: '十一月下旬' }, remainder: '' });
    expect(names(late)).toEqual(['Screenshots/Screenshot_20261127-093000_WeChat.jpg', 'phone/IMG_0200.PNG', 'phone/IMG_0106.jpg']); // not 10 Nov
  });

  it('--explain prints the reading; --json alone keeps the array of hits', async () => {
    const { stdout } = await cli(['search', '前年冬天在哈尔滨', '--explain']);
    expect(stdout).toMatch(/^time: {3}前年冬天 = 2024-12-01 00:00 … 2025-03-01 00:00 \(end exclusive\)$/m);
    expect(stdout).toMatch(/^place: {2}哈尔滨 → 哈尔滨市 CN-230100 \(city\)$/m);
    expect(stdout).toMatch(/^words: {2}\(none: the photos above, newest first\)$/m);
    const plain = JSON.parse((await cli(['search', '前年冬天在哈尔滨', '--json'])).stdout) as unknown;
    expect(Array.isArray(plain)).toBe(true);
  });

  it('what is left is searched within the place: "哈尔滨的红色" ranks only Harbin\'s photos; a province finds its cities', async () => {
    const j = await explain('哈尔滨的红色');
    expect(j.parsed).toMatchObject({ remainder: '红色', place: { name: '哈尔滨' } });
    expect(names(j).sort()).toEqual(['2019-哈尔滨冰雪节/DSC_0001.jpg', 'phone/IMG_0101.jpg', 'phone/IMG_0102.jpg']);
    expect(names(await explain('黑龙江')).sort()).toEqual(['2019-哈尔滨冰雪节/DSC_0001.jpg', 'phone/IMG_0101.jpg', 'phone/IMG_0102.jpg']);
  });

  it('camera: "用iPhone拍的" lists the iPhone photos; the UI filter still holds (--after)', async () => {
    expect(names(await explain('用iPhone拍的'))).toEqual(['phone/IMG_0106.jpg', 'phone/IMG_0103.jpg', 'phone/IMG_0104.jpg', 'phone/IMG_0101.jpg']);
    expect(names(await explain('用iPhone拍的', '--after', '2026-01-01'))).toEqual(['phone/IMG_0106.jpg', 'phone/IMG_0103.jpg']);
  });

  it('--literal searches the whole query as words: nothing narrows it', async () => {
    const j = await explain('前年冬天在哈尔滨', '--literal', '--limit', '50');
    expect(j.parsed).toBeNull();
    expect(j.hits).toHaveLength(11); // every photo of the library
  });

  it('a chip removed in the UI: that piece is kept as words (plain), the rest still understood', async () => {
    const engine = await Engine.open({ dbPath: db, modelDir: toy, session: { threads: 1 }, vectorSearch: 'sqlite', logger: createLogger('test', 'error'), now: Date.parse(NOW) });
    try {
      const first = await engine.search.text('前年冬天在哈尔滨', 20, {}, undefined, 'all', { all: true });
      const place = first.parsed!.spans.find((s) => s.what === 'place')!;
      const res = await engine.search.text('前年冬天在哈尔滨', 20, {}, undefined, 'all', { plain: [{ start: place.start, end: place.end }], all: true });
      expect(res.parsed).toMatchObject({ place: null, time: { label: '前年冬天' }, remainder: '哈尔滨' });
      // The winter's photos wherever they were taken, ranked by how they look like the word 哈尔滨.
      expect(res.hits.map((h) => h.fileName).sort()).toEqual(['DSC_0001.jpg', 'IMG_0101.jpg']);
      const off = await engine.search.text('前年冬天在哈尔滨', 20, {}, undefined, 'all', { understand: false, all: true });
      expect(off.parsed).toBeUndefined();
      expect(off.hits).toHaveLength(11);
    } finally {
      await engine.close();
    }
  });
});
