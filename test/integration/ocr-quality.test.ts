/**
 * OCR with the real PP-OCRv4 weights on images the project renders (a handful: signs over real
 * photos, receipts, chat screenshots light and dark, parcel labels; 16–72 px). The larger
 * accuracy run, with phone shots and long screenshots, is in the bench (BENCH_ONLY=ocr).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { characterAccuracy } from '../../scripts/fixtures/ocr-accuracy.ts';
import { makeOcrFixtures, writeOcrFixtures, type OcrFixture } from '../../scripts/fixtures/ocr-images.ts';
import { normaliseText } from '../../electron/engine/ocr/normalise-text.ts';
import { runOcrPass } from '../../electron/engine/ocr/ocr-pass.ts';
import { PhotoReader } from '../../electron/engine/ocr/photo-reader.ts';
import { searchText } from '../../electron/engine/ocr/text-search.ts';
import { openLibrary, type Library } from '../../electron/engine/store/index.ts';
import { createLogger } from '../../electron/engine/util/log.ts';

const fonts = process.env.SHIGUANG_CJK_FONTS ?? 'not checked (run through vitest so test/global-setup.ts runs)';
if (fonts !== 'ok') console.warn(`skipping the OCR quality tests: ${fonts}`);

const shared = path.resolve('../shared/photos');
const sharedPhotos = fs.existsSync(shared) ? fs.readdirSync(shared).filter((f) => /\.jpe?g$/i.test(f)).sort().map((f) => path.join(shared, f)) : [];

describe.skipIf(fonts !== 'ok')('OCR quality with the real weights', () => {
  let dir: string;
  let fixtures: OcrFixture[];
  let files: string[];
  let reader: PhotoReader;
  let lib: Library;
  const ids = new Map<string, number>();

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-ocr-'));
    fixtures = await makeOcrFixtures({ photos: sharedPhotos.length ? sharedPhotos : [], perKind: 2, seed: 4242 });
    files = writeOcrFixtures(path.join(dir, 'fixtures'), fixtures);
    reader = new PhotoReader({ provider: 'cpu' });
    lib = openLibrary(path.join(dir, 'lib.db'));
    // Two library folders, as a person's would be: the rendered images and ../shared/photos (the
    // pass reads only what lies inside the library's folders).
    const folder = lib.folders.add(dir);
    const sharedFolder = sharedPhotos.length ? lib.folders.add(shared) : folder;
    for (const file of [...files, ...sharedPhotos]) {
      const folderId = file.startsWith(dir + path.sep) ? folder.id : sharedFolder.id;
      const { row } = lib.photos.upsertDiscovered({ path: file, folderId, size: fs.statSync(file).size, mtimeMs: 1 });
      lib.photos.setHash(row.id, `hash-${ids.size}`);
      lib.photos.markIndexed(row.id, { width: 1, height: 1, takenAt: 0, takenAtSource: 'mtime', cameraMake: null, cameraModel: null, gpsLat: null, gpsLon: null });
      ids.set(file, row.id);
    }
  }, 300_000);

  afterAll(async () => {
    await reader?.close();
    lib?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads clear text of 16 px and more with at least 95 % character accuracy', async () => {
    let chars = 0;
    let errors = 0;
    const report: string[] = [];
    for (let i = 0; i < fixtures.length; i++) {
      const r = await reader.read(files[i]);
      const acc = characterAccuracy(fixtures[i].lines, r.lines.map((l) => l.text));
      chars += acc.chars;
      errors += acc.errors;
      report.push(`${fixtures[i].name} (${fixtures[i].minFontPx}px) ${(acc.accuracy * 100).toFixed(1)}% ${JSON.stringify(acc.misses.slice(0, 3))}`);
      expect(fixtures[i].minFontPx).toBeGreaterThanOrEqual(16);
      // Boxes are in the original's pixels, corners in reading order.
      for (const l of r.lines) {
        for (const [x, y] of l.box) {
          expect(x).toBeGreaterThanOrEqual(0);
          expect(y).toBeGreaterThanOrEqual(0);
          expect(x).toBeLessThanOrEqual(r.width);
          expect(y).toBeLessThanOrEqual(r.height);
        }
        expect(l.box[1][0]).toBeGreaterThan(l.box[0][0]);
        expect(l.confidence).toBeGreaterThan(0.5);
      }
      expect(acc.accuracy, report[i]).toBeGreaterThanOrEqual(0.9);
    }
    console.info(`OCR accuracy ${((1 - errors / chars) * 100).toFixed(2)}% over ${chars} characters\n  ${report.join('\n  ')}`);
    expect(1 - errors / chars).toBeGreaterThanOrEqual(0.95);
  }, 300_000);

  it('reads a photo stored sideways with an EXIF orientation upright, boxes in upright pixels', async () => {
    const sign = fixtures.find((f) => f.kind === 'sign')!;
    const meta = await sharp(sign.bytes).metadata();
    // Orientation 6: the viewer turns the stored pixels 90° clockwise; store them turned back.
    const sideways = await sharp(sign.bytes).rotate(-90).withMetadata({ orientation: 6 }).jpeg({ quality: 92 }).toBuffer();
    const file = path.join(dir, 'sideways.jpg');
    fs.writeFileSync(file, sideways);
    const upright = await reader.read(files[fixtures.indexOf(sign)]);
    const r = await reader.read(file);
    expect([r.width, r.height]).toEqual([meta.width, meta.height]);
    expect(r.lines.map((l) => l.text)).toEqual(upright.lines.map((l) => l.text));
    r.lines.forEach((l, i) => l.box.forEach(([x, y], k) => {
      expect(Math.abs(x - upright.lines[i].box[k][0])).toBeLessThanOrEqual(4);
      expect(Math.abs(y - upright.lines[i].box[k][1])).toBeLessThanOrEqual(4);
    }));
  }, 120_000);

  it('finds each photo first by a 2–4 character piece of its text, and none of the 50 photos without text for common words', async () => {
    const summary = await runOcrPass(lib, reader, createLogger('test', 'warn'));
    expect(summary.failed).toBe(0);
    const norms = fixtures.map((f) => normaliseText(f.lines.join('')));
    for (let i = 0; i < fixtures.length; i++) {
      // A piece of this photo's text that no other fixture shows, preferring the shorter.
      const chars = [...norms[i]];
      let piece: string | null = null;
      for (const n of [2, 3, 4]) {
        for (let at = 0; at + n <= chars.length && !piece; at++) {
          const p = chars.slice(at, at + n).join('');
          if (/\p{Script=Han}/u.test(p) && norms.every((o, j) => j === i || !o.includes(p))) piece = p;
        }
        if (piece) break;
      }
      expect(piece, fixtures[i].name).not.toBeNull();
      const hits = searchText(lib, piece!, 5);
      expect(hits[0]?.photoId, `${fixtures[i].name}: "${piece}"`).toBe(ids.get(files[i]));
      expect(hits[0].snippet?.text).toBeTruthy();
    }
    const plain = new Set(sharedPhotos.map((p) => ids.get(p)));
    for (const q of ['营业', '时间', '快递', '微信', '支付', '开会', '谢谢', '欢迎光临', '合计', '单号', '收件人', 'open', '星巴克']) {
      const hits = searchText(lib, q, 100).filter((h) => plain.has(h.photoId));
      expect(hits, `"${q}" matched a photo without text`).toEqual([]);
    }
  }, 300_000);
});
