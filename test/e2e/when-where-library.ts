/**
 * The library the when/where UI checks run on: real photos from ../shared/photos with EXIF dates,
 * cameras and GPS written by exiftool (Harbin, Xi'an, Beijing, Tokyo; a folder named after a
 * place; screen captures at real screen sizes), indexed with the CLI and served with `shiguang
 * serve` — TZ Asia/Shanghai and SHIGUANG_NOW fixed, so 前年冬天 means the same winter every run.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { generateTestModels } from '../../scripts/models/generate-test-models.ts';
import { servedUrl, stopServe } from './serve-process.ts';

export const WHEN_WHERE_NOW = '2026-12-06T12:00:00+08:00';

export interface WhenWhereServer {
  baseUrl: string;
  photos: string;
  close(): Promise<void>;
}

interface Shot {
  rel: string;
  src: string;
  taken: string;
  gps?: [number, number];
  make?: [string, string];
}

const HARBIN: [number, number] = [45.7567, 126.6424];
const XIAN: [number, number] = [34.2611, 108.9423];
const BEIJING: [number, number] = [39.9087, 116.3975];
const TOKYO: [number, number] = [35.6812, 139.7671];
const IPHONE: [string, string] = ['Apple', 'iPhone 13'];

/** Which real photo goes where, when and with what. */
const SHOTS: Shot[] = [
  { rel: '手机/IMG_0101.jpg', src: 'n09472597_volcano.JPEG', taken: '2025:01:15 14:00:00', gps: HARBIN, make: IPHONE },
  { rel: '手机/IMG_0102.jpg', src: 'n04147183_schooner.JPEG', taken: '2024:07:20 10:00:00', gps: HARBIN, make: ['HUAWEI', 'ELE-AL00'] },
  { rel: '手机/IMG_0103.jpg', src: 'n02391049_zebra.JPEG', taken: '2026:05:02 11:00:00', gps: XIAN, make: IPHONE },
  { rel: '手机/IMG_0104.jpg', src: 'n03457902_greenhouse.JPEG', taken: '2025:05:01 11:00:00', gps: XIAN, make: IPHONE },
  { rel: '手机/IMG_0105.jpg', src: 'n04310018_steam_locomotive.JPEG', taken: '2026:05:03 16:00:00', gps: BEIJING, make: ['Xiaomi', 'Redmi Note 8'] },
  { rel: '手机/IMG_0106.jpg', src: 'n02444819_otter.JPEG', taken: '2026:11:24 08:00:00', make: IPHONE },
  { rel: '相机/DSC_0200.jpg', src: 'n02894605_breakwater.JPEG', taken: '2024:12:06 20:00:00', make: ['Canon', 'Canon EOS 80D'] }, // 那年今日
  { rel: '手机/IMG_0107.jpg', src: 'n02088094_Afghan_hound.JPEG', taken: '2026:10:02 09:30:00', gps: TOKYO, make: IPHONE },
  { rel: '手机/IMG_0108.jpg', src: 'n02107908_Appenzeller.JPEG', taken: '2026:10:03 18:30:00', gps: TOKYO, make: IPHONE },
  { rel: '2019-哈尔滨冰雪节/DSC_0001.jpg', src: 'n01860187_black_swan.JPEG', taken: '2024:12:25 19:30:00', make: ['Canon', 'Canon EOS 80D'] },
  { rel: '2019-哈尔滨冰雪节/DSC_0002.jpg', src: 'n02120505_grey_fox.JPEG', taken: '2024:12:26 10:00:00', make: ['Canon', 'Canon EOS 80D'] },
  { rel: '2019-哈尔滨冰雪节/DSC_0003.jpg', src: 'n03042490_cliff_dwelling.JPEG', taken: '2024:12:26 11:00:00', make: ['Canon', 'Canon EOS 80D'] },
];

async function capture(file: string, src: string, size: [number, number], mtime: string): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await sharp(src).resize(size[0], size[1], { fit: 'fill' }).png().toFile(file);
  fs.utimesSync(file, new Date(mtime), new Date(mtime));
}

export async function startWhenWhereServer(root: string): Promise<WhenWhereServer> {
  const shared = path.resolve(root, '../shared/photos');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-ui-ww-'));
  const photos = path.join(tmp, '照片');
  for (const s of SHOTS) {
    const file = path.join(photos, s.rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.copyFileSync(path.join(shared, s.src), file);
    const args = ['-q', '-overwrite_original', `-DateTimeOriginal=${s.taken}`];
    if (s.make) args.push(`-Make=${s.make[0]}`, `-Model=${s.make[1]}`);
    if (s.gps) args.push(`-GPSLatitude=${s.gps[0]}`, '-GPSLatitudeRef=N', `-GPSLongitude=${s.gps[1]}`, '-GPSLongitudeRef=E');
    execFileSync('exiftool', [...args, file]);
  }
  await capture(path.join(photos, '手机/IMG_0200.PNG'), path.join(shared, 'n03642806_laptop.JPEG'), [1170, 2532], '2026-11-25T09:15:00+08:00');
  await capture(path.join(photos, 'Screenshots/Screenshot_20261127-093000.png'), path.join(shared, 'n04070727_refrigerator.JPEG'), [1080, 2340], '2026-11-27T09:30:00+08:00');

  const served = await indexAndServe(root, tmp, photos);
  return { ...served, photos };
}

/**
 * Index `photos` with the CLI (tags too with `tags`: the toy model's taxonomy prompts) and serve
 * them with `shiguang serve`, in `tmp` (removed on close), OCR off, TZ and SHIGUANG_NOW fixed.
 */
export async function indexAndServe(root: string, tmp: string, photos: string, opts: { tags?: boolean } = {}): Promise<{ baseUrl: string; close(): Promise<void> }> {
  const models = path.join(tmp, 'models');
  if (!fs.existsSync(path.join(models, 'toy-colors'))) await generateTestModels(models);
  const home = path.join(tmp, 'home');
  fs.mkdirSync(home, { recursive: true });
  fs.writeFileSync(path.join(home, 'config.json'), JSON.stringify({ ocr: false }));
  const env = { ...process.env, TZ: 'Asia/Shanghai', SHIGUANG_NOW: WHEN_WHERE_NOW, SHIGUANG_HOME: home, SHIGUANG_LOG: 'warn' };
  const base = ['--import', 'tsx', path.join(root, 'electron/cli/main.ts'), '--db', path.join(tmp, 'library.db'), '--model', path.join(models, 'toy-colors'), '--threads', '1'];
  await promisify(execFile)(process.execPath, [...base, 'index', ...(opts.tags ? ['--tags'] : []), photos], { cwd: root, env });
  const child: ChildProcess = spawn(process.execPath, [...base, 'serve'], { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
  const baseUrl = await servedUrl(child);
  return {
    baseUrl,
    close: async () => {
      await stopServe(child);
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}
