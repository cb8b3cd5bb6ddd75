/**
 * `BENCH_ONLY=ocr-real npm run bench`: OCR accuracy on images other projects made (the whole of
 * test/data/ocr-real: 49 test and doc images of RapidOCR, CnOCR and PaddleOCR with the text their
 * tests and docs write down, and 11 shared photos labelled by hand), next to the project's own
 * rendered set (the hard set `ocr` reads: phone shots, turned photos, long screenshots), both
 * read by the same reader in the same run. Per kind: character accuracy, and how many 2–4
 * character pieces of the true text find the image through the text search.
 *
 * Options: BENCH_OCR_PER_KIND=6 (rendered images per kind)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeOcrFixtures, writeOcrFixtures } from '../../scripts/fixtures/ocr-images.ts';
import { evaluateRealOcrSet, loadRealOcrSet, type RealOcrCase } from '../../scripts/fixtures/ocr-real-set.ts';
import { PhotoReader } from '../../electron/engine/ocr/photo-reader.ts';

type Log = (m: string) => void;
const r2 = (x: number): number => Math.round(x * 100) / 100;

export async function benchOcrReal(sharedPhotos: string[], log: Log): Promise<Record<string, unknown>> {
  const perKind = Number(process.env.BENCH_OCR_PER_KIND ?? 6);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-bench-ocr-real-'));
  const reader = new PhotoReader({ provider: 'cpu', threads: os.availableParallelism() });
  try {
    await reader.info();
    const { cases, missing } = loadRealOcrSet();
    const ms: number[] = [];
    const real = await evaluateRealOcrSet(cases, (f) => reader.read(f), tmp, (_c, t) => ms.push(t));
    log(`ocr real set: ${real.percent}% of ${real.characters} characters, queries found ${real.queries.found}/${real.queries.asked}; by kind ${JSON.stringify(real.byKind)}`);

    // The rendered set through the same scorer (accuracy by kind, the same query pieces).
    const fixtures = await makeOcrFixtures({ photos: sharedPhotos, perKind, hard: true, seed: 20240611 });
    const files = writeOcrFixtures(path.join(tmp, 'rendered'), fixtures);
    const renderedCases: RealOcrCase[] = fixtures.map((f, i) => ({ file: f.name, path: files[i], source: 'rendered', kind: f.name.replace(/-\d+$/, ''), fast: false, truth: f.lines }));
    const rendered = await evaluateRealOcrSet(renderedCases, (f) => reader.read(f), path.join(tmp, 'rendered-lib'));
    log(`ocr rendered set: ${rendered.percent}% of ${rendered.characters} characters, queries found ${rendered.queries.found}/${rendered.queries.asked}; by kind ${JSON.stringify(rendered.byKind)}`);
    const sorted = [...ms].sort((a, b) => a - b);
    return { real: { ...real, missing, msPerImage: { p50: r2(sorted[sorted.length >> 1] ?? 0) } }, rendered: { ...rendered, perImage: undefined } };
  } finally {
    await reader.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
