/**
 * Text in photos through the CLI as a user runs it: `index` reads the text before it exits
 * (`--no-ocr` leaves it), `search` fuses text and looks (`--mode`, `--json` with the match), `status`
 * and `inspect ocr`. Real PP-OCRv4 weights, the toy-colors model.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeColourSet } from '../../scripts/fixtures/colour-photos.ts';
import { renderSign } from '../../scripts/fixtures/ocr-images.ts';
import { seeded } from '../../scripts/fixtures/ocr-text.ts';

const run = promisify(execFile);
const fonts = process.env.SHIGUANG_CJK_FONTS ?? 'not checked (run through vitest so test/global-setup.ts runs)';
if (fonts !== 'ok') console.warn(`skipping the OCR CLI test: ${fonts}`);
const toy = path.join(process.env.SHIGUANG_TEST_MODELS ?? path.resolve('.cache/test-models'), 'toy-colors');
const shared = path.resolve('../shared/photos');

interface JsonHit {
  path: string;
  score: number;
  matchedBy?: string;
  matchedText?: string;
  matchedRange?: [number, number];
}

describe.skipIf(fonts !== 'ok')('shiguang CLI with text in photos', () => {
  let tmp: string;
  let db: string;
  let piece: string;
  const cli = (args: string[]) =>
    run(process.execPath, ['--import', 'tsx', 'electron/cli/main.ts', '--db', db, '--model', toy, '--threads', '1', ...args], {
      env: { ...process.env, SHIGUANG_HOME: path.join(tmp, 'home'), SHIGUANG_LOG: 'warn' },
      maxBuffer: 64 << 20,
    });

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-ocr-cli-'));
    db = path.join(tmp, 'lib.db');
    const photos = path.join(tmp, 'photos');
    await writeColourSet(photos, ['red', 'blue'], 1);
    const sign = await renderSign(seeded(9), path.join(shared, fs.readdirSync(shared).find((f) => f.endsWith('.JPEG'))!), 'sign');
    fs.writeFileSync(path.join(photos, 'sign.jpg'), sign.bytes);
    piece = sign.lines[0].replace(/\s/g, '').slice(0, 3);
    await writeColourSet(path.join(tmp, 'later'), ['green'], 2);
  }, 120_000);
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('index reads the text before it exits; --no-ocr leaves it for later', async () => {
    const { stderr } = await cli(['index', path.join(tmp, 'photos')]);
    expect(stderr).toMatch(/text \(OCR\): read 3 photos in [\d.]+ s, text in 1, 0 could not be read/);
    const later = await cli(['index', path.join(tmp, 'later'), '--no-ocr', '--json']);
    expect(JSON.parse(later.stdout).ocr).toBeNull();
    const status = JSON.parse((await cli(['status', '--json'])).stdout);
    expect(status.ocr).toMatchObject({ enabled: true, done: 3, pending: 2, withText: 1, model: 'pp-ocrv4-ch' });
  }, 300_000);

  it('search finds the photo by its text first, says why, and --mode narrows to one side', async () => {
    const all = JSON.parse((await cli(['search', piece, '--json', '--all'])).stdout) as JsonHit[];
    expect(path.basename(all[0].path)).toBe('sign.jpg');
    expect(['text', 'both']).toContain(all[0].matchedBy);
    expect(all[0].matchedText!.slice(...all[0].matchedRange!).replace(/\s/g, '')).toBe(piece);
    expect(all.length).toBe(5);
    const text = JSON.parse((await cli(['search', piece, '--mode', 'text', '--json'])).stdout) as JsonHit[];
    expect(text.map((h) => path.basename(h.path))).toEqual(['sign.jpg']);
    const visual = JSON.parse((await cli(['search', piece, '--mode', 'visual', '--json'])).stdout) as JsonHit[];
    expect(visual.every((h) => h.matchedText === undefined)).toBe(true);
    const bad = await cli(['search', piece, '--mode', 'pictures']).catch((e: { code: number; stderr: string }) => e);
    expect((bad as { code: number }).code).toBe(2);
    const plain = (await cli(['search', piece])).stdout;
    expect(plain).toMatch(/sign\.jpg.*text(\+visual)?: “/);
  }, 300_000);

  it('inspect ocr --json prints lines with boxes and confidences', async () => {
    const [r] = JSON.parse((await cli(['inspect', 'ocr', path.join(tmp, 'photos', 'sign.jpg'), '--json'])).stdout);
    expect(r).toMatchObject({ file: 'sign.jpg', width: 1280, height: 960, model: 'pp-ocrv4-ch' });
    expect(r.lines.map((l: { text: string }) => l.text).join('').replace(/\s/g, '')).toContain(piece);
    for (const l of r.lines) {
      expect(l.box).toHaveLength(4);
      expect(l.confidence).toBeGreaterThan(0.5);
    }
  }, 120_000);
});
