/**
 * Writes the 48 MP library the indexing process's memory was measured on (docs/decisions/ocr.md,
 * "Photos over 24 MP"): the rendered set's 18 phone shots of receipts, labels and small print and
 * the first 6 shared photos, each brought to 8000×6000 (a 48 MP phone camera's size).
 *   npx tsx scripts/experiments/write-ocr-rendered-set.ts /tmp/ocr-rendered
 *   npx tsx scripts/experiments/write-48mp-library.ts /tmp/ocr-rendered /tmp/mp48/photos
 *   /usr/bin/time -v npm run cli -- --db /tmp/mp48/lib.db --model <model> index /tmp/mp48/photos
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';

const [rendered, out] = process.argv.slice(2);
if (!rendered || !out) throw new Error('usage: write-48mp-library.ts <rendered-dir> <out-dir>');
fs.mkdirSync(out, { recursive: true });
const shared = path.resolve('../shared/photos');
const sources = [
  ...fs.readdirSync(rendered).filter((f) => /^photo-(receipt|label|small-print)-/.test(f)).sort().map((f) => path.join(rendered, f)),
  ...fs.readdirSync(shared).filter((f) => /\.jpe?g$/i.test(f)).sort().slice(0, 6).map((f) => path.join(shared, f)),
];
for (const [i, src] of sources.entries()) {
  await sharp(src).resize(8000, 6000, { fit: 'cover' }).jpeg({ quality: 90 }).toFile(path.join(out, `${String(i).padStart(2, '0')}-${path.parse(src).name}.jpg`));
}
console.log(`${sources.length} photos of 8000×6000 in ${out}`);
