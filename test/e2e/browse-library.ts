/**
 * The library the browsing UI checks run on: real photos from ../shared/photos with EXIF written
 * by exiftool — cameras as real ones write them (Canon / Canon DIGITAL IXUS, NIKON CORPORATION /
 * NIKON D750, OLYMPUS IMAGING CORP. / E-M5), dates — in an album with a very long folder name and
 * in a short one, a file with a long name; indexed with the CLI, tags included, and served.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { indexAndServe } from './when-where-library.ts';

export const LONG_ALBUM = '2024 秋天 去北海道看红叶的旅行 顺便住了温泉旅馆 Hokkaido autumn trip with a very long folder name';
export const SHORT_ALBUM = '海边';
export const LONG_FILE = 'IMG_20241017_183045_HDR_panorama_from_the_hill.JPEG';
/** The library folder itself: the sidebar lists it by name. */
export const LONG_ROOT = '照片 2019–2024 全家福 旅行 聚会 毕业典礼 宝宝成长记录 Family photos from the old laptop';

interface Shot {
  rel: string;
  src: string;
  taken: string;
  make?: [string, string];
}

const SHOTS: Shot[] = [
  { rel: `${LONG_ALBUM}/DSC_0001.JPG`, src: 'n09472597_volcano.JPEG', taken: '2024:10:15 09:00:00', make: ['Canon', 'Canon DIGITAL IXUS'] },
  { rel: `${LONG_ALBUM}/DSC_0002.JPG`, src: 'n03457902_greenhouse.JPEG', taken: '2024:10:16 10:00:00', make: ['NIKON CORPORATION', 'NIKON D750'] },
  { rel: `${LONG_ALBUM}/${LONG_FILE}`, src: 'n02444819_otter.JPEG', taken: '2024:10:17 18:30:45', make: ['OLYMPUS IMAGING CORP.', 'E-M5'] },
  { rel: `${LONG_ALBUM}/DSC_0004.JPG`, src: 'n02391049_zebra.JPEG', taken: '2024:10:14 08:00:00', make: ['Canon', 'Canon DIGITAL IXUS'] },
  { rel: `${SHORT_ALBUM}/IMG_0101.jpg`, src: 'n04147183_schooner.JPEG', taken: '2025:07:01 10:00:00', make: ['Apple', 'iPhone 13'] },
  { rel: `${SHORT_ALBUM}/IMG_0102.jpg`, src: 'n02894605_breakwater.JPEG', taken: '2025:07:02 10:00:00', make: ['Apple', 'iPhone 13'] },
  { rel: `${SHORT_ALBUM}/IMG_0103.jpg`, src: 'n01860187_black_swan.JPEG', taken: '2025:07:03 10:00:00', make: ['Apple', 'iPhone 13'] },
];

export interface BrowseServer {
  baseUrl: string;
  photos: string;
  /** A real photo outside the library, for the image-search button. */
  outsidePhoto: string;
  /** Copies a real photo into an album, taken after every other photo there (the watcher indexes it). */
  addPhoto(album: string, name: string): string;
  close(): Promise<void>;
}

function writeExif(file: string, taken: string, make?: [string, string]): void {
  const args = ['-q', '-overwrite_original', `-DateTimeOriginal=${taken}`];
  if (make) args.push(`-Make=${make[0]}`, `-Model=${make[1]}`);
  execFileSync('exiftool', [...args, file]);
}

export async function startBrowseServer(root: string): Promise<BrowseServer> {
  const shared = path.resolve(root, '../shared/photos');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-ui-browse-'));
  const photos = path.join(tmp, LONG_ROOT);
  for (const s of SHOTS) {
    const file = path.join(photos, s.rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.copyFileSync(path.join(shared, s.src), file);
    writeExif(file, s.taken, s.make);
  }
  const outside = path.join(tmp, 'outside');
  fs.mkdirSync(outside);
  const outsidePhoto = path.join(outside, 'picked-schooner.jpg');
  fs.copyFileSync(path.join(shared, 'n04147183_schooner.JPEG'), outsidePhoto);
  const served = await indexAndServe(root, tmp, photos, { tags: true });
  return {
    ...served,
    photos,
    outsidePhoto,
    addPhoto: (album, name) => {
      const staged = path.join(tmp, name);
      fs.copyFileSync(path.join(shared, 'n02088094_Afghan_hound.JPEG'), staged);
      writeExif(staged, '2026:12:01 12:00:00', ['Apple', 'iPhone 13']);
      // Moved in whole, so the watcher never sees half a file.
      const file = path.join(photos, album, name);
      fs.renameSync(staged, file);
      return file;
    },
  };
}
