/**
 * `BENCH_ONLY=ocr-real npm run bench`: OCR accuracy on images other projects made (the whole of
 * test/data/ocr-real: 49 test and doc images of RapidOCR, CnOCR and PaddleOCR with the text their
 * tests and docs write down, and 11 shared photos labelled by hand), next to the project's own
 * rendered set (the hard set `ocr` reads: phone shots, turned photos, long screenshots), both
 * read by the same reader in the same run. Per kind: character accuracy, and how many 2–4
 * character pieces of the true text find the image through the text search.
 *
 * Options: BENCH_OCR_PER_KIND=6 (rendered images per kind); BENCH_OCR_VARIANTS=base,minw160,…
 * (ocr-variants.ts) reads both sets once per setting, the first one's figures at the top level,
 * every one's under `variants` with its accuracy difference to the first in points.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeOcrFixtures, writeOcrFixtures } from '../../scripts/fixtures/ocr-images.ts';
import { evaluateRealOcrSet, loadRealOcrSet, type RealOcrCase } from '../../scripts/fixtures/ocr-real-set.ts';
import { PhotoReader } from '../../electron/engine/ocr/photo-reader.ts';
import { ocrVariant, ocrVariantNames, variantManifest } from './ocr-variants.ts';

type Log = (m: string) => void;
const r2 = (x: number): number => Math.round(x * 100) / 100;

export async function benchOcrReal(sharedPhotos: string[], log: Log): Promise<Record<string, unknown>> {
  const perKind = Number(process.env.BENCH_OCR_PER_KIND ?? 6);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-bench-ocr-real-'));
  try {
    const { cases, missing } = loadRealOcrSet();
    const fixtures = await makeOcrFixtures({ photos: sharedPhotos, perKind, hard: true, seed: 20240611 });
    const files = writeOcrFixtures(path.join(tmp, 'rendered'), fixtures);
    const renderedCases: RealOcrCase[] = fixtures.map((f, i) => ({ file: f.name, path: files[i], source: 'rendered', kind: f.name.replace(/-\d+$/, ''), fast: false, truth: f.lines }));
    const variants: Record<string, Record<string, unknown>> = {};
    let first: { real: number; rendered: number } | null = null;
    for (const name of ocrVariantNames()) {
      const v = ocrVariant(name)!;
      const reader = new PhotoReader({ provider: 'cpu', threads: os.availableParallelism(), ...v.session }, variantManifest(v, path.join(tmp, `manifest-${name}`)));
      try {
        await reader.info();
        const ms: number[] = [];
        const real = await evaluateRealOcrSet(cases, (f) => reader.read(f), path.join(tmp, `real-lib-${name}`), (_c, t) => ms.push(t));
        log(`ocr real set [${name}]: ${real.percent}% of ${real.characters} characters, queries found ${real.queries.found}/${real.queries.asked}; by kind ${JSON.stringify(real.byKind)}`);
        // The rendered set through the same scorer (accuracy by kind, the same query pieces).
        const rendered = await evaluateRealOcrSet(renderedCases, (f) => reader.read(f), path.join(tmp, `rendered-lib-${name}`));
        log(`ocr rendered set [${name}]: ${rendered.percent}% of ${rendered.characters} characters, queries found ${rendered.queries.found}/${rendered.queries.asked}; by kind ${JSON.stringify(rendered.byKind)}`);
        const sorted = [...ms].sort((a, b) => a - b);
        first ??= { real: real.percent, rendered: rendered.percent };
        variants[name] = {
          real: { ...real, missing, msPerImage: { p50: r2(sorted[sorted.length >> 1] ?? 0) } },
          rendered: { ...rendered, perImage: undefined },
          pointsToFirst: { real: r2(real.percent - first.real), rendered: r2(rendered.percent - first.rendered) },
        };
      } finally {
        await reader.close();
      }
    }
    const [head] = Object.values(variants);
    return { ...head, variants: Object.keys(variants).length > 1 ? variants : undefined };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
