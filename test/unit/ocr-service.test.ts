import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DecodeError } from '../../electron/engine/media/errors.ts';
import { IN_FLIGHT, inFlight, runOcrPass, type TextReader } from '../../electron/engine/ocr/ocr-pass.ts';
import type { OcrLine, PhotoText } from '../../electron/engine/ocr/photo-reader.ts';
import { OcrUnavailableError } from '../../electron/engine/ocr/photo-reader.ts';
import { searchText, snippetFor } from '../../electron/engine/ocr/text-search.ts';
import { fuseRankings } from '../../electron/engine/search/fuse.ts';
import { openLibrary, type Library } from '../../electron/engine/store/index.ts';
import { createLogger } from '../../electron/engine/util/log.ts';
import { until } from './video-helpers.ts';

const BOX: OcrLine['box'] = [[0, 0], [10, 0], [10, 5], [0, 5]];
const log = createLogger('test', 'silent');
let lib: Library;

/** An indexed photo: a real (empty) file in a library folder, since the pass checks what it reads. */
function photo(name: string): number {
  const root = lib.folders.list()[0]?.path ?? fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-ocr-lib-'));
  const folder = lib.folders.list()[0] ?? lib.folders.add(root);
  fs.writeFileSync(path.join(root, name), '');
  const { row } = lib.photos.upsertDiscovered({ path: path.join(root, name), folderId: folder.id, size: 1, mtimeMs: 1 });
  lib.photos.setHash(row.id, `h-${name}`);
  lib.photos.markIndexed(row.id, { width: 10, height: 10, takenAt: 0, takenAtSource: 'mtime', cameraMake: null, cameraModel: null, gpsLat: null, gpsLon: null });
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
    const ids = ['a.png', 'b.jpg', 'c.jpg', 'd.jpg'].map(photo);
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

  it('never reads a photo that became a link to outside the library, and leaves a vanished one unread', async () => {
    const [linked] = ['linked.png', 'gone.png', 'ok.png'].map(photo);
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
    ['a.png', 'b.png', 'c.png'].forEach(photo);
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
    ['a.png', 'b.png', 'c.png'].forEach(photo);
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
