import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DecodeError } from '../../electron/engine/media/errors.ts';
import { MAX_OCR_PIXELS } from '../../electron/engine/media/ocr-image.ts';
import { flightWeight, IN_FLIGHT, inFlight, PIXELS_IN_FLIGHT, runOcrPass, type TextReader } from '../../electron/engine/ocr/ocr-pass.ts';
import type { OcrLine, PhotoText } from '../../electron/engine/ocr/photo-reader.ts';
import { OcrUnavailableError } from '../../electron/engine/ocr/photo-reader.ts';
import { normaliseText } from '../../electron/engine/ocr/normalise-text.ts';
import { searchText, snippetFor } from '../../electron/engine/ocr/text-search.ts';
import { fuseRankings } from '../../electron/engine/search/fuse.ts';
import { openLibrary, type Library } from '../../electron/engine/store/index.ts';
import { createLogger } from '../../electron/engine/util/log.ts';
import { until } from './video-helpers.ts';

const BOX: OcrLine['box'] = [[0, 0], [10, 0], [10, 5], [0, 5]];
const log = createLogger('test', 'silent');
let lib: Library;

/** An indexed photo: a real (empty) file in a library folder, since the pass checks what it reads. */
function photo(name: string, size = { width: 10, height: 10 }, hash = `h-${name}`): number {
  const root = lib.folders.list()[0]?.path ?? fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-ocr-lib-'));
  const folder = lib.folders.list()[0] ?? lib.folders.add(root);
  fs.writeFileSync(path.join(root, name), '');
  const { row } = lib.photos.upsertDiscovered({ path: path.join(root, name), folderId: folder.id, size: 1, mtimeMs: 1 });
  lib.photos.setHash(row.id, hash);
  lib.photos.markIndexed(row.id, { ...size, takenAt: 0, takenAtSource: 'mtime', cameraMake: null, cameraModel: null, gpsLat: null, gpsLon: null });
  return row.id;
}

/** A reader that knows each file's text, fails on some, and records what it was asked. */
function fakeReader(texts: Record<string, string[] | Error>): TextReader & { calls: string[] } {
  const calls: string[] = [];
  return {
    engineKey: 'fake-ocr',
    calls,
    async read(p: string): Promise<PhotoText> {
      calls.push(path.basename(p));
      const t = texts[path.basename(p)] ?? [];
      if (t instanceof Error) throw t;
      return { width: 10, height: 10, lines: t.map((text) => ({ text, confidence: 0.9, box: BOX })), timings: { decodeMs: 0, detectMs: 0, recogniseMs: 0, totalMs: 0 } };
    },
  };
}

beforeEach(() => (lib = openLibrary(':memory:')));
afterEach(() => {
  const root = lib.folders.list()[0]?.path;
  lib.close();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

describe('OCR pass', () => {
  it('reads every indexed photo once, resumes where it stopped, and records photos that fail', async () => {
    const ids = ['a.png', 'b.jpg', 'c.jpg', 'd.jpg'].map((n) => photo(n));
    const reader = fakeReader({ 'a.png': ['营业时间 09:00'], 'c.jpg': new DecodeError('truncated', 'c.jpg is truncated'), 'd.jpg': new Error('worker crashed') });
    const first = await runOcrPass(lib, reader, log, { maxPhotos: 2 });
    expect(first).toMatchObject({ done: 2, total: 4, withText: 1, interrupted: true });
    const second = await runOcrPass(lib, reader, log);
    expect(second).toMatchObject({ done: 2, total: 2, failed: 2, interrupted: false });
    // Two photos are in flight, so their reads may begin in either order.
    expect([...reader.calls].sort()).toEqual(['a.png', 'b.jpg', 'c.jpg', 'd.jpg']);
    expect(lib.ocrText.counts('fake-ocr')).toEqual({ done: 2, failed: 2, pending: 0, withText: 1 });
    expect(lib.ocrText.lines(ids[0])[0].text).toBe('营业时间 09:00');
    expect(searchText(lib, '营业时间', 10).map((h) => h.photoId)).toEqual([ids[0]]);
    // Nothing left: a third run reads nothing.
    await runOcrPass(lib, reader, log);
    expect(reader.calls).toHaveLength(4);
  });

  it('reads a byte-identical copy once: the other copy gets its text, found by search; a new model reads the original again', async () => {
    const original = photo('IMG_0001.jpg', undefined, 'same-bytes');
    const plain = photo('IMG_0002.jpg');
    const backup = photo('backup-IMG_0001.jpg', undefined, 'same-bytes');
    const reader = fakeReader({ 'IMG_0001.jpg': ['招商银行', '营业时间 09:00'], 'backup-IMG_0001.jpg': ['招商银行', '营业时间 09:00'] });
    // One photo first, so the copy's text is stored before its twin comes up (two are read at once).
    await runOcrPass(lib, reader, log, { maxPhotos: 1 });
    const rest = await runOcrPass(lib, reader, log);
    expect(rest).toMatchObject({ done: 2, failed: 0, withText: 1 });
    expect(reader.calls).toEqual(['IMG_0001.jpg', 'IMG_0002.jpg']);
    expect(lib.ocrText.lines(backup)).toEqual(lib.ocrText.lines(original));
    expect(lib.ocrText.state(backup)).toMatchObject({ engine: 'fake-ocr', photoHash: 'same-bytes', status: 'done', lineCount: 2 });
    expect(lib.ocrText.counts('fake-ocr')).toEqual({ done: 3, failed: 0, pending: 0, withText: 2 });
    expect(searchText(lib, '招商银行', 10).map((h) => h.photoId).sort((a, b) => a - b)).toEqual([original, backup]);
    expect(searchText(lib, '营业时间', 10)).toHaveLength(2);
    expect(lib.ocrText.state(plain)).toMatchObject({ status: 'done', lineCount: 0 });
    // Text another model read is not this model's: a new model reads the original again (the
    // backup's old text does not count), then gives the backup what it read.
    const other = { ...fakeReader({ 'IMG_0001.jpg': ['招商银行'] }), engineKey: 'other-ocr' };
    await runOcrPass(lib, other, log, { maxPhotos: 1 });
    await runOcrPass(lib, other, log);
    expect(other.calls).toEqual(['IMG_0001.jpg', 'IMG_0002.jpg']);
    expect(lib.ocrText.lines(backup).map((l) => l.text)).toEqual(['招商银行']);
    expect(lib.ocrText.state(backup)).toMatchObject({ engine: 'other-ocr' });
  });

  it('never reads a photo that became a link to outside the library, and leaves a vanished one unread', async () => {
    const [linked] = ['linked.png', 'gone.png', 'ok.png'].map((n) => photo(n));
    const root = lib.folders.list()[0]!.path;
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-ocr-outside-'));
    try {
      fs.writeFileSync(path.join(outside, 'secret.png'), '');
      fs.rmSync(path.join(root, 'linked.png'));
      fs.symlinkSync(path.join(outside, 'secret.png'), path.join(root, 'linked.png'));
      fs.rmSync(path.join(root, 'gone.png'));
      const reader = fakeReader({ 'linked.png': ['机密'], 'secret.png': ['机密'], 'ok.png': ['营业时间'] });
      const run = await runOcrPass(lib, reader, log);
      expect(reader.calls).toEqual(['ok.png']);
      expect(run).toMatchObject({ failed: 1, withText: 1 });
      expect(lib.ocrText.counts('fake-ocr')).toEqual({ done: 1, failed: 1, pending: 1, withText: 1 });
      expect(lib.ocrText.lines(linked!)).toEqual([]);
      expect(searchText(lib, '机密', 10)).toEqual([]);
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });

  it('stops without recording anything when the OCR model cannot be loaded', async () => {
    photo('a.png');
    const reader = fakeReader({ 'a.png': new OcrUnavailableError('no model') });
    await expect(runOcrPass(lib, reader, log)).rejects.toThrow('no model');
    expect(lib.ocrText.counts('fake-ocr').pending).toBe(1);
  });

  it('waits for its turn before every photo and honours the abort signal', async () => {
    ['a.png', 'b.png', 'c.png'].forEach((n) => photo(n));
    const reader = fakeReader({});
    const ac = new AbortController();
    let turns = 0;
    const summary = await runOcrPass(lib, reader, log, {
      signal: ac.signal,
      yieldTo: async () => {
        if (++turns === 2) ac.abort();
      },
    });
    expect(summary).toMatchObject({ done: 1, interrupted: true });
    expect(reader.calls).toEqual(['a.png']);
  });
});

describe('photos in flight', () => {
  /** Work that finishes when told to, recording how many ran at once. */
  function controlled() {
    const finish = new Map<number, () => void>();
    const log: string[] = [];
    let running = 0;
    let most = 0;
    const work = async (n: number): Promise<void> => {
      running++;
      most = Math.max(most, running);
      log.push(`start ${n}`);
      await new Promise<void>((r) => finish.set(n, r));
      running--;
      log.push(`end ${n}`);
      if (n === 3) throw new Error('three failed');
    };
    return { finish, log, work, most: () => most };
  }

  it('starts items in order, never more than the limit at once, and the next as soon as one ends', async () => {
    const c = controlled();
    const done = inFlight([0, 1, 2], 2, async () => true, c.work);
    await until(() => c.log.length === 2);
    expect(c.log).toEqual(['start 0', 'start 1']);
    c.finish.get(1)!();
    await until(() => c.log.includes('start 2'));
    expect(c.log).toEqual(['start 0', 'start 1', 'end 1', 'start 2']);
    c.finish.get(0)!();
    c.finish.get(2)!();
    await done;
    expect(c.most()).toBe(2);
  });

  it('throws the first error only after the other started items have finished, and starts none after it', async () => {
    const c = controlled();
    let settled = false;
    const done = inFlight([3, 4, 5, 6], 2, async () => true, c.work).finally(() => (settled = true));
    done.catch(() => undefined);
    await until(() => c.log.length === 2);
    c.finish.get(3)!();
    await until(() => c.log.includes('end 3'));
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    c.finish.get(4)!();
    await expect(done).rejects.toThrow('three failed');
    expect(c.log).toEqual(['start 3', 'start 4', 'end 3', 'end 4']);
  });

  it('starts nothing more once before() says no, and waits for what runs', async () => {
    const c = controlled();
    const done = inFlight([0, 1, 2], 2, async (i) => i < 1, c.work);
    await until(() => c.log.length === 1);
    c.finish.get(0)!();
    await done;
    expect(c.log).toEqual(['start 0', 'end 0']);
  });

  it('reads two photos at once in the pass', async () => {
    ['a.png', 'b.png', 'c.png'].forEach((n) => photo(n));
    let running = 0;
    let most = 0;
    // The first read finishes only once a second one runs beside it (read one at a time, the
    // pass would wait here until the test times out).
    let both = (): void => undefined;
    const together = new Promise<void>((r) => (both = r));
    const reader: TextReader = {
      engineKey: 'fake-ocr',
      async read(): Promise<PhotoText> {
        most = Math.max(most, ++running);
        if (running === 2) both();
        await together;
        running--;
        return { width: 10, height: 10, lines: [], timings: { decodeMs: 0, detectMs: 0, recogniseMs: 0, totalMs: 0 } };
      },
    };
    expect(await runOcrPass(lib, reader, log)).toMatchObject({ done: 3, interrupted: false });
    expect(most).toBe(IN_FLIGHT);
    expect(IN_FLIGHT).toBe(2);
  });

  it('starts an item beside others only within the budget, and one over it alone', async () => {
    const c = controlled();
    const weights: Record<number, number> = { 0: 10, 1: 30, 2: 10, 4: 50, 5: 1 };
    const done = inFlight([0, 1, 2, 4, 5], 2, async () => true, c.work, { weight: (n) => weights[n], budget: 32 });
    await until(() => c.log.length === 1);
    // 10 + 30 is over 32: item 1 waits for item 0, and item 2 for item 1.
    await new Promise((r) => setImmediate(r));
    expect(c.log).toEqual(['start 0']);
    c.finish.get(0)!();
    await until(() => c.log.includes('start 1'));
    await new Promise((r) => setImmediate(r));
    expect(c.log).toEqual(['start 0', 'end 0', 'start 1']);
    c.finish.get(1)!();
    await until(() => c.log.includes('start 2'));
    // 50 is over the budget on its own: it starts once it would be alone, and nothing beside it.
    c.finish.get(2)!();
    await until(() => c.log.includes('start 4'));
    await new Promise((r) => setImmediate(r));
    expect(c.log.slice(-2)).toEqual(['end 2', 'start 4']);
    c.finish.get(4)!();
    await until(() => c.log.includes('start 5'));
    c.finish.get(5)!();
    await done;
    expect(c.most()).toBe(1);
  });

  it('weighs a photo by the raster it is read from, the largest when its size is unknown', () => {
    expect(flightWeight({ width: 4032, height: 3024 })).toBe(4032 * 3024);
    expect(flightWeight({ width: 8000, height: 6000 })).toBe(MAX_OCR_PIXELS);
    expect(flightWeight({ width: 0, height: 0 })).toBe(MAX_OCR_PIXELS);
    expect(flightWeight({ width: null, height: null })).toBe(MAX_OCR_PIXELS);
    expect(flightWeight(null)).toBe(MAX_OCR_PIXELS);
    // Two 12–16 MP phone photos share the flight; a 24 MP one and a 12 MP one do not.
    expect(2 * flightWeight({ width: 4608, height: 3456 })).toBeLessThanOrEqual(PIXELS_IN_FLIGHT);
    expect(flightWeight({ width: 6000, height: 4000 }) + flightWeight({ width: 4032, height: 3024 })).toBeGreaterThan(PIXELS_IN_FLIGHT);
  });

  it('reads 12 MP photos two at a time in the pass, and 48 MP photos one at a time', async () => {
    const phone = { width: 4032, height: 3024 };
    const big = { width: 8000, height: 6000 };
    ['a.jpg', 'b.jpg'].forEach((n) => photo(n, phone));
    ['c.jpg', 'd.jpg'].forEach((n) => photo(n, big));
    photo('e.jpg', phone);
    const started: string[] = [];
    const release = new Map<string, () => void>();
    const reader: TextReader = {
      engineKey: 'fake-ocr',
      async read(p: string): Promise<PhotoText> {
        started.push(path.basename(p));
        await new Promise<void>((r) => release.set(path.basename(p), r));
        return { width: 10, height: 10, lines: [], timings: { decodeMs: 0, detectMs: 0, recogniseMs: 0, totalMs: 0 } };
      },
    };
    // The pass asks for its turn just before it starts a photo: how many it has started, or is starting.
    let asked = 0;
    const done = runOcrPass(lib, reader, log, { yieldTo: async () => void asked++ });
    // After a read ends, the pass decides on the next photo without waiting on anything else: a
    // turn of the event loop later it has asked for its turn if it was going to.
    const settle = (): Promise<unknown> => new Promise((r) => setImmediate(r));
    const finish = async (name: string): Promise<void> => {
      await until(() => release.has(name));
      release.get(name)!();
      await settle();
    };
    await until(() => started.length === 2);
    expect(started).toEqual(['a.jpg', 'b.jpg']);
    await finish('a.jpg');
    expect(asked).toBe(2); // c (48 MP) does not start beside b
    await finish('b.jpg');
    await until(() => started.length === 3);
    await settle();
    expect(asked).toBe(3); // nor d beside c
    await finish('c.jpg');
    await until(() => started.length === 4);
    await settle();
    expect(asked).toBe(4); // nor e (12 MP) beside d
    await finish('d.jpg');
    await finish('e.jpg');
    expect(await done).toMatchObject({ done: 5, interrupted: false });
    expect(started).toEqual(['a.jpg', 'b.jpg', 'c.jpg', 'd.jpg', 'e.jpg']);
  });
});

describe('text search', () => {
  it('returns whole-query matches first, then photos holding every word, each with the matching line', async () => {
    const receipt = photo('receipt.jpg');
    const chat = photo('chat.png');
    const both = photo('both.png');
    await runOcrPass(lib, fakeReader({ 'receipt.jpg': ['星巴克 (人民路店)', '拿铁 x2 ￥56.00'], 'chat.png': ['我在星巴克等你', '帮我带杯拿铁'], 'both.png': ['星巴克拿铁'] }), log);
    const hits = searchText(lib, '星巴克 拿铁', 10);
    expect(hits.map((h) => [h.photoId, h.exact])).toEqual([[both, true], expect.anything(), expect.anything()]);
    expect(new Set(hits.slice(1).map((h) => h.photoId))).toEqual(new Set([receipt, chat]));
    expect(hits[0].snippet).toEqual({ text: '星巴克拿铁', start: 0, end: 5, lines: [0] });
    const rs = searchText(lib, '￥56', 10)[0];
    expect(rs.snippet?.text.slice(rs.snippet.start, rs.snippet.end)).toBe('￥56');
  });

  it('finds the photos holding every word however common one of the words is elsewhere', () => {
    const save = (id: number, name: string, text: string): void =>
      lib.ocrText.saveRead(id, { engine: 'fake-ocr', photoHash: `h-${name}`, lines: [{ text, confidence: 0.9, box: BOX }], norm: normaliseText(text) });
    // 60 photos that are nearly all 中国 (the highest share for that word), and three where both
    // words stand in a longer text: a search that narrows the first word's best few misses them.
    for (let i = 0; i < 60; i++) save(photo(`flag-${i}.png`), `flag-${i}.png`, '中国中国');
    const both = ['a', 'b', 'c'].map((n) => {
      const name = `bank-${n}.png`;
      const id = photo(name);
      save(id, name, `中国人民在这条街上开了一家很大的银行 ${n}`);
      return id;
    });
    const hits = searchText(lib, '中国 银行', 5);
    expect(new Set(hits.map((h) => h.photoId))).toEqual(new Set(both));
    expect(hits.every((h) => !h.exact && h.snippet?.text.includes('银行'))).toBe(true);
    // A filter narrows the words' list too.
    expect(searchText(lib, '中国 银行', 5, { photoIds: [both[1]] }).map((h) => h.photoId)).toEqual([both[1]]);
  });

  it('points the snippet at the original characters, across lines and spaces', () => {
    const lines = [{ text: '明天 开', confidence: 1, box: BOX }, { text: '會改到十點', confidence: 1, box: BOX }];
    const s = snippetFor(lines, '天开会改')!;
    expect(s.text).toBe('明天 开 會改到十點');
    expect(s.text.slice(s.start, s.end)).toBe('天 开 會改');
    expect(s.lines).toEqual([0, 1]);
    expect(snippetFor(lines, '星巴克')).toBeNull();
  });
});

describe('fusion', () => {
  it('puts whole-query text matches first, then ranks by reciprocal rank, saying why each matched', () => {
    const fused = fuseRankings(
      [{ photoId: 1, exact: false }, { photoId: 2, exact: true }, { photoId: 3, exact: false }],
      [{ photoId: 3, score: 0.31 }, { photoId: 4, score: 0.3 }, { photoId: 1, score: 0.2 }],
    );
    // 1 and 3 have equal reciprocal ranks (1st + 3rd); the better text rank breaks the tie.
    expect(fused.map((h) => [h.photoId, h.matchedBy])).toEqual([[2, 'text'], [1, 'both'], [3, 'both'], [4, 'visual']]);
    expect(fused[2]).toMatchObject({ textRank: 3, visualRank: 1, visualScore: 0.31, exactText: false });
  });

  it('lets a one-character query be ranked by fusion alone', () => {
    const fused = fuseRankings([{ photoId: 9, exact: true }], [{ photoId: 5, score: 0.3 }, { photoId: 9, score: 0.1 }], { exactFirst: false });
    expect(fused.map((h) => h.photoId)).toEqual([9, 5]);
    const visualOnly = fuseRankings([{ photoId: 9, exact: true }], [{ photoId: 5, score: 0.3 }, { photoId: 6, score: 0.2 }], { exactFirst: false });
    // Equal reciprocal ranks: the text match breaks the tie.
    expect(visualOnly.map((h) => h.photoId)).toEqual([9, 5, 6]);
  });
});
