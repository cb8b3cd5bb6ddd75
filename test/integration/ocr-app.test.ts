/**
 * Text in photos through the composition root, as the app and the web mode run it: a watching
 * app (background mode) reads the text of what it indexed once the indexer is idle; the viewer's
 * photoText comes through the router; turning OCR off in the settings stops it, turning it on
 * resumes; a deleted photo takes its text with it. Real PP-OCRv4 weights, the toy-colors model.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShiguangApp } from '../../electron/engine/app/app.ts';
import type { DataPaths } from '../../electron/engine/app/paths.ts';
import { createLogger } from '../../electron/engine/util/log.ts';
import type { ApiMethod, ApiRequest, ApiResponse } from '../../electron/shared/api.ts';
import { ApiRouter } from '../../electron/shared/router.ts';
import { renderChat, renderSign } from '../../scripts/fixtures/ocr-images.ts';
import { seeded } from '../../scripts/fixtures/ocr-text.ts';
import { writeColourSet } from '../../scripts/fixtures/colour-photos.ts';
import { untilValue } from '../support/wait.ts';

const fonts = process.env.SHIGUANG_CJK_FONTS ?? 'not checked (run through vitest so test/global-setup.ts runs)';
if (fonts !== 'ok') console.warn(`skipping the OCR app test: ${fonts}`);
const toyDir = path.join(process.env.SHIGUANG_TEST_MODELS ?? path.resolve('.cache/test-models'), 'toy-colors');
const shared = path.resolve('../shared/photos');

describe.skipIf(fonts !== 'ok')('OCR in the app', () => {
  let tmp: string;
  let photos: string;
  let app: ShiguangApp;
  let router: ApiRouter;
  let signLines: string[];
  const call = <M extends ApiMethod>(method: M, req: ApiRequest<M>): Promise<ApiResponse<M>> => router.invoke(method, req);

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-ocr-app-'));
    const home = path.join(tmp, 'home');
    const paths: DataPaths = { home, db: path.join(home, 'library.db'), models: path.join(home, 'models'), cache: path.join(home, 'cache'), config: path.join(home, 'config.json') };
    photos = path.join(tmp, 'photos');
    await writeColourSet(photos, ['red', 'blue'], 2);
    const rand = seeded(77);
    const sign = await renderSign(rand, path.join(shared, fs.readdirSync(shared).find((f) => f.endsWith('.JPEG'))!), 'sign');
    signLines = sign.lines;
    fs.writeFileSync(path.join(photos, 'sign.jpg'), sign.bytes);
    fs.writeFileSync(path.join(photos, 'chat.png'), (await renderChat(rand, 'chat', { dark: true, fontPx: 32, width: 750, height: 1334 })).bytes);
    app = await ShiguangApp.open({
      config: { paths, dbPath: paths.db, modelDir: toyDir, sessionOverrides: { threads: 1 } },
      logger: createLogger('test', 'error'),
      engine: { autoTag: false },
      watch: true,
    });
    router = new ApiRouter('http').registerAll(app.services());
  }, 300_000);

  afterAll(async () => {
    await app?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('reads the text of what it indexed in the background', async () => {
    await call('addFolder', { path: photos });
    const status = await untilValue('the OCR pass', async () => {
      const s = await call('status', {});
      return s.counts.indexed === 6 && s.ocr && s.ocr.pending === 0 && !s.ocr.running ? s : undefined;
    });
    expect(status.ocr).toMatchObject({ enabled: true, done: 6, failed: 0, withText: 2, model: 'pp-ocrv4-ch', provider: 'cpu', error: null });
    expect(app.requireEngine().library.folders()[0].photoCount).toBe(6);
  }, 300_000);

  it('gives the viewer each line with its box in the photo’s pixels', async () => {
    const engine = app.requireEngine();
    const id = engine.ocr.search(signLines[0], 5)[0]?.photoId;
    expect(id).toBeDefined();
    const text = await call('photoText', { photoId: id! });
    expect(text).toMatchObject({ state: 'read', width: 1280, height: 960, error: null });
    expect(text.lines.map((l) => l.text).join('')).toContain(signLines[0].replace(/\s/g, '').slice(0, 3));
    for (const l of text.lines) {
      expect(l.box).toHaveLength(4);
      for (const [x, y] of l.box) {
        expect(x).toBeGreaterThanOrEqual(0);
        expect(x).toBeLessThanOrEqual(1280);
        expect(y).toBeLessThanOrEqual(960);
      }
    }
    const plain = (await call('search', { query: 'blue', limit: 10, all: true })).hits.find((h) => h.fileName.startsWith('blue-'))!;
    expect(await call('photoText', { photoId: plain.id })).toMatchObject({ state: 'read', lines: [] });
    await expect(call('photoText', { photoId: 999_999 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('answers a text query from the text in photos and their looks in one list, paged, filtered, saying why', async () => {
    const piece = signLines[0].replace(/\s/g, '').slice(0, 3);
    // The whole list (past the relevance boundary: the photo with the text is relevant, the others by looks).
    const all = await call('search', { query: piece, limit: 50, all: true });
    expect(all.hits[0].fileName).toBe('sign.jpg');
    expect(all.hits[0].matchedBy === 'text' || all.hits[0].matchedBy === 'both').toBe(true);
    const m = all.hits[0].matchedText!;
    expect(m.text.slice(m.start, m.end).replace(/\s/g, '')).toBe(piece);
    expect(all.hits[0].score).toBeGreaterThan(-1);
    // The rest of the library follows by looks; every photo once.
    expect(all.hits.slice(1).every((h) => h.matchedBy === 'visual' || h.matchedBy === 'both')).toBe(true);
    expect(new Set(all.hits.map((h) => h.id)).size).toBe(all.hits.length);
    expect(all.hits).toHaveLength(6);
    // Page by page (2 at a time): the same list, no photo twice.
    const paged: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await call('search', { query: piece, limit: 2, cursor, all: true });
      paged.push(...page.hits.map((h) => h.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(paged).toEqual(all.hits.map((h) => h.id));
    // Text only, visual only.
    const text = await call('search', { query: piece, limit: 50, mode: 'text' });
    expect(text.hits.map((h) => h.fileName)).toEqual(['sign.jpg']);
    const visual = await call('search', { query: piece, limit: 50, mode: 'visual' });
    expect(visual.hits.every((h) => h.matchedText === undefined)).toBe(true);
    // Filters apply to both sides: outside the sign's folder nothing matches by text.
    const sub = path.join(photos, 'elsewhere');
    fs.mkdirSync(sub, { recursive: true });
    expect((await call('search', { query: piece, limit: 50, filter: { folder: sub } })).hits).toEqual([]);
    expect((await call('search', { query: piece, limit: 50, filter: { after: '2999-01-01' } })).hits).toEqual([]);
    // A query no photo's text holds: exactly the visual list.
    const red = await call('search', { query: '红色', limit: 50, all: true });
    const redVisual = await call('search', { query: '红色', limit: 50, mode: 'visual', all: true });
    expect(red.hits.map((h) => h.id)).toEqual(redVisual.hits.map((h) => h.id));
    expect(red.hits.every((h) => h.matchedBy === 'visual')).toBe(true);
    await expect(call('search', { query: piece, limit: 2, cursor: (await call('search', { query: '红色', limit: 2 })).nextCursor! })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('stops reading when turned off and resumes when turned on; deleted photos take their text along', async () => {
    const engine = app.requireEngine();
    expect((await call('updateSettings', { ocrEnabled: false })).ocrEnabled).toBe(false);
    await writeColourSet(photos, ['green'], 1, 40);
    await untilValue('the new photo indexed', async () => ((await call('status', {})).counts.indexed === 7 ? true : undefined));
    await engine.settled();
    await engine.passes.idle();
    const off = await call('status', {});
    expect(off.ocr).toMatchObject({ enabled: false, pending: 1, done: 6 });
    expect(engine.ocr.search(signLines[0], 5)).toHaveLength(1); // what was read stays searchable
    expect((await call('updateSettings', { ocrEnabled: true })).ocrEnabled).toBe(true);
    await untilValue('the OCR pass after turning it on', async () => {
      const s = await call('status', {});
      return s.ocr?.pending === 0 && !s.ocr.running ? true : undefined;
    });
    fs.rmSync(path.join(photos, 'sign.jpg'));
    await untilValue('the deleted photo gone', async () => (engine.ocr.search(signLines[0], 5).length === 0 ? true : undefined), 60_000);
    expect((await call('status', {})).ocr).toMatchObject({ withText: 1, done: 6 });
  }, 300_000);
});
