/**
 * Writes the rendered OCR set (the hard set `BENCH_ONLY=ocr-real` reads beside the real one, same
 * seed, same shared photos in the same order) to a folder, with its truth in labels.json: the
 * calibration images of scripts/experiments/ocr-int8-mixed.py.
 *   npx tsx scripts/experiments/write-ocr-rendered-set.ts <dir>
 */
import fs from 'node:fs';
import path from 'node:path';
import { makeOcrFixtures, writeOcrFixtures } from '../fixtures/ocr-images.ts';

const dir = process.argv[2];
if (!dir) throw new Error('usage: write-ocr-rendered-set.ts <dir>');
const shared = path.resolve('../shared/photos');
const photos = fs.readdirSync(shared).filter((f) => /\.jpe?g$/i.test(f)).sort().map((f) => path.join(shared, f));
const fixtures = await makeOcrFixtures({ photos, perKind: 6, hard: true, seed: 20240611 });
console.log(`${writeOcrFixtures(dir, fixtures).length} images in ${dir}`);
