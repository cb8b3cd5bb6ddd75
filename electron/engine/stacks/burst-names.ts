/**
 * Burst keys from file names, for cameras that mark bursts only in the name. Frames of one burst
 * share the key; copies of a frame elsewhere (a backup folder) keep the name and so the key. A
 * key only proposes candidates: the frames must still be similar (relations.ts).
 *
 * Patterns (the key is what frames of one burst have in common):
 * - Google Camera / Pixel, Sony Xperia: `00001IMG_00001_BURST20190830175543127.jpg`,
 *   `…_BURST20190830175543127_COVER.jpg`, `DSC_0001_BURST20180101120000123.JPG` → the
 *   `BURST<timestamp>` part.
 * - Huawei, Honor, Xiaomi and older Android cameras: `IMG_20230101_120000_BURST001.jpg`,
 *   `IMG_20230101_120000_BURST001_COVER.jpg` → `IMG_20230101_120000`.
 * - Samsung: `20170806_184210_Burst01.jpg`, and One UI's `20230101_120000_001.jpg` … `_010.jpg`
 *   (several shots in one second) → `20170806_184210`.
 * Names such as `IMG_1234_1.jpg` or `IMG_1234 (1).jpg` are what file managers give copies, not
 * bursts, and yield nothing.
 */

const PATTERNS: { re: RegExp; key: (m: RegExpMatchArray) => string }[] = [
  { re: /BURST(\d{14,17})(?:_COVER)?\.[a-z0-9]+$/i, key: (m) => `BURST${m[1]}` },
  { re: /^(IMG_\d{8}_\d{6})_BURST\d{1,3}(?:_COVER)?\.[a-z0-9]+$/i, key: (m) => m[1].toUpperCase() },
  { re: /^(\d{8}_\d{6})_Burst\d{1,3}(?:_COVER)?\.[a-z0-9]+$/i, key: (m) => m[1] },
  { re: /^(\d{8}_\d{6})_\d{3}\.[a-z0-9]+$/i, key: (m) => m[1] },
];

/** The burst key of a file name (the base name, not a path), or null. */
export function burstKeyFromName(fileName: string): string | null {
  const base = fileName.slice(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1);
  for (const { re, key } of PATTERNS) {
    const m = base.match(re);
    if (m) return `name:${key(m)}`;
  }
  return null;
}
