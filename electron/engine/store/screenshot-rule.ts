/**
 * What counts as a screenshot (the photo filter's `kind: 'screenshot'`, store/photo-filter.ts),
 * decided from what the library already stores — the path, the pixel size and the camera EXIF —
 * so nothing is re-read:
 *
 *   no camera Make and no camera Model in EXIF
 *   AND ( a screenshot word in the file's name, or a folder of screenshots it lies in directly:
 *           Screenshot_20230512-143012.png (Android), Screenshot 2023-05-12 at 14.30.12.png and
 *           Screen Shot … (macOS), 截屏2022-06-20 19.53.33.png (macOS, Chinese), 屏幕截图
 *           2024-10-01 163742.png (Windows 11, Chinese), 屏幕快照 … (older macOS, Chinese),
 *           微信截图_….png, QQ截图….png, Snipaste_….png, CleanShot …, スクリーンショット …;
 *           DCIM/Screenshots/…, 截图/… (the folder's whole name, so "旅行截图精选/" or a
 *           library root named "Screenshots and scans" do not make every photo a screenshot) —
 *           whatever the format (Samsung and MIUI save JPEG screenshots)
 *       OR a PNG, HEIC/HEIF or WebP the size of a screen (iOS names its screenshots IMG_1234.PNG):
 *           a phone — shorter side one of PHONE_WIDTHS and longer / shorter between 1.7 and 2.4
 *           (16:9 … 21:9) — or exactly one of SCREEN_SIZES (tablets, laptops, monitors), either
 *           orientation )
 *
 * Known misses and false positives (docs/decisions/when-where.md): a cropped capture without a
 * screenshot word in its path (a snipping tool's selection saved as 1.png); a JPEG screenshot
 * renamed; a screen whose size is not listed (NewPipe's tablet captures at 2560×1680). A PNG
 * wallpaper or slide exported at exactly 1920×1080 without EXIF is taken for a screenshot.
 */

/** Phone screens' shorter sides in pixels (iPhone SE … 16 Pro Max, common Android panels). */
export const PHONE_WIDTHS = [640, 720, 750, 828, 1080, 1125, 1170, 1179, 1206, 1220, 1224, 1236, 1240, 1242, 1256, 1260, 1264, 1284, 1290, 1320, 1344, 1440, 1644] as const;

/** Tablet, laptop and monitor screens, [long, short] (App Store Connect's iPad sizes; common PC panels). */
export const SCREEN_SIZES: readonly (readonly [number, number])[] = [
  [1024, 768], [1280, 720], [1280, 800], [1280, 1024], [1366, 768], [1440, 900], [1536, 864], [1600, 900], [1680, 1050],
  [1920, 1080], [1920, 1200], [2048, 1536], [2160, 1620], [2224, 1668], [2266, 1488], [2360, 1640], [2388, 1668],
  [2420, 1668], [2560, 1440], [2560, 1600], [2560, 1664], [2560, 1080], [2732, 2048], [2752, 2064], [2736, 1824],
  [2880, 1800], [2880, 1864], [2880, 1920], [2496, 1664], [2256, 1504], [3024, 1964], [3456, 2234], [3440, 1440],
  [3840, 2160], [4480, 2520], [5120, 2880],
];

/**
 * Words that mark a screenshot in a file name, as LIKE patterns: case-insensitive for ASCII, and
 * `_` is any one character (Screen Shot, Screen-Shot, Screen_Shot).
 */
export const SCREENSHOT_WORDS = ['screenshot', 'screen_shot', 'screencap', 'snipaste', 'cleanshot', '截屏', '截图', '屏幕快照', 'スクリーンショット'] as const;

/** Names of folders that hold screenshots (Android's DCIM/Screenshots, macOS's, a person's 截图). */
export const SCREENSHOT_FOLDERS = ['screenshots', 'screenshot', '截图', '截屏', '屏幕截图', '屏幕快照', 'スクリーンショット'] as const;

/** File types a screen capture is saved as without a screenshot name (iOS: PNG; newer phones: HEIC, WebP). */
export const SCREEN_CAPTURE_TYPES = ['png', 'heic', 'heif', 'webp'] as const;

const SCREEN_CODES = new Set(SCREEN_SIZES.map(([l, s]) => l * 100000 + s));
const PHONES = new Set<number>(PHONE_WIDTHS);
/** LIKE's semantics for the words: ASCII case-insensitive, `_` any one character. */
const WORD_RE = new RegExp(SCREENSHOT_WORDS.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/_/g, '.')).join('|'), 'i');
const FOLDER_RE = new RegExp(`[\\\\/](?:${SCREENSHOT_FOLDERS.join('|')})[\\\\/]$`, 'i');
const TYPE_RE = new RegExp(`\\.(?:${SCREEN_CAPTURE_TYPES.join('|')})$`, 'i');

/** A screen's size, either orientation: a phone's (by its shorter side and shape) or a listed screen. */
export function isScreenSize(width: number | null, height: number | null): boolean {
  if (!width || !height) return false;
  const short = Math.min(width, height);
  const long = Math.max(width, height);
  if (PHONES.has(short) && long * 10 >= short * 17 && long * 10 <= short * 24) return true;
  return SCREEN_CODES.has(long * 100000 + short);
}

/**
 * The rule for a photo without camera Make and Model (the SQL checks those first, cheaply): a
 * screenshot word in its name, a folder of screenshots, or a screen capture's type and size.
 * `dir` ends with the separator; `path` = dir + name.
 */
export function looksLikeScreenshot(path: string, dir: string, width: number | null, height: number | null): boolean {
  const name = path.slice(dir.length);
  return WORD_RE.test(name) || FOLDER_RE.test(dir) || (TYPE_RE.test(name) && isScreenSize(width, height));
}

/**
 * The condition over `photos p`: never NULL, so `NOT` of it is every other photo. The camera test
 * runs in SQL first; the rest is looksLikeScreenshot, registered on every connection as
 * is_screenshot() (sql-functions.ts).
 */
export const SCREENSHOT_SQL = '(p.camera_make IS NULL AND p.camera_model IS NULL AND is_screenshot(p.path, p.dir, p.width, p.height))';
