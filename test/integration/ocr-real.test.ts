/**
 * OCR with the real PP-OCRv4 weights on images other projects made (the fast subset of
 * test/data/ocr-real: RapidOCR's and CnOCR's test images and PaddleOCR's doc images with the
 * text their tests and docs write down, and shared photos labelled by hand). The whole set is in
 * the bench (BENCH_ONLY=ocr-real). Each check below failed before the pipeline learnt the step it
 * names (docs/decisions/ocr.md, "What PP-OCR's pipelines do").
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateRealOcrSet, loadRealOcrSet, type RealOcrReport } from '../../scripts/fixtures/ocr-real-set.ts';
import { PhotoReader, type PhotoText } from '../../electron/engine/ocr/photo-reader.ts';

const { cases, missing } = loadRealOcrSet({ fastOnly: true });
if (missing.length) console.warn(`real OCR set: ${missing.length} images absent (../shared not there?): ${missing.join(', ')}`);

describe('OCR on real images other projects made (fast subset)', () => {
  let reader: PhotoReader;
  let dir: string;
  let report: RealOcrReport;
  const reads = new Map<string, PhotoText>();

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-ocr-real-'));
    reader = new PhotoReader({ provider: 'cpu' });
    report = await evaluateRealOcrSet(
      cases,
      async (file) => {
        const r = await reader.read(file);
        reads.set(path.basename(file), r);
        return r;
      },
      dir,
    );
    console.info(`real OCR set (fast): ${report.percent}% of ${report.characters} characters, ${report.queries.found}/${report.queries.asked} queries found\n  ${Object.entries(report.perImage).map(([f, v]) => `${f} ${v.percent}% ${JSON.stringify(v.misses.slice(0, 2))}`).join('\n  ')}`);
  }, 600_000);

  afterAll(async () => {
    await reader?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const lines = (file: string): string[] => reads.get(file)?.lines.map((l) => l.text) ?? [];

  it('reads white text on a transparent PNG (put on a contrasting background)', () => {
    expect(lines('rapidocr-white_font_color_transparent.png')).toEqual(['我是中国人']);
  });

  it('reads a word crop upside down as one line, the right way round (one orientation decision)', () => {
    expect(lines('rapidocr-text_cls.jpg')).toEqual(['怪我咯']);
  });

  it('reads a photo stored upside down with its EXIF orientation once, not turned back by the classifier', () => {
    expect(lines('rapidocr-img_exif_orientation.jpg')).toEqual(['我是中国人']);
  });

  it('finds text in tight crops and very wide lines (margins, small inputs scaled up)', () => {
    expect(lines('paddleocr-en-word_10.png').join('')).toBe('PAIN');
    expect(lines('cnocr-rand_cn2.png').join('')).toBe('凉芦');
    expect(report.perImage['rapidocr-test_letterbox_like.jpg'].percent).toBeGreaterThanOrEqual(95);
  });

  it('reads vertical Chinese columns as whole columns, right to left', () => {
    const r = reads.get('rapidocr-text_vertical_words.jpg')!;
    expect(r.lines).toHaveLength(3);
    // Rightmost column first.
    const xs = r.lines.map((l) => Math.min(...l.box.map((p) => p[0])));
    expect(xs[0]).toBeGreaterThan(xs[1]);
    expect(xs[1]).toBeGreaterThan(xs[2]);
    expect(report.perImage['rapidocr-text_vertical_words.jpg'].percent).toBeGreaterThanOrEqual(90);
  });

  it('reads nothing where there is nothing', () => {
    expect(report.linesOnNoText).toBe(0);
  });

  it('reads the subset at 95 % or better, and finds its images by 2–4 character pieces of their text', () => {
    expect(report.images).toBe(cases.length);
    expect(report.percent).toBeGreaterThanOrEqual(95);
    expect(report.queries.found / report.queries.asked).toBeGreaterThanOrEqual(0.9);
  });
});
