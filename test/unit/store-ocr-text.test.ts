import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { normaliseText } from '../../electron/engine/ocr/normalise-text.ts';
import { openLibrary, type Library, type OcrBox } from '../../electron/engine/store/index.ts';

const BOX: OcrBox = [[0, 0], [100, 0], [100, 20], [0, 20]];
const ENGINE = 'pp-ocrv4-ch';
let lib: Library;
let root: string;

function photo(name: string, opts: { takenAt?: number; hash?: string; dir?: string } = {}): number {
  const folder = lib.folders.list().find((f) => f.path === root) ?? lib.folders.add(root);
  const file = path.join(root, opts.dir ?? '', name);
  const { row } = lib.photos.upsertDiscovered({ path: file, folderId: folder.id, size: 100, mtimeMs: 1 });
  lib.photos.setHash(row.id, opts.hash ?? `hash-${name}`);
  lib.photos.markIndexed(row.id, { width: 100, height: 100, takenAt: opts.takenAt ?? 0, takenAtSource: 'exif', cameraMake: null, cameraModel: null, gpsLat: null, gpsLon: null });
  return row.id;
}

function read(id: number, lines: string[], hash?: string): void {
  const p = lib.photos.get(id)!;
  lib.ocrText.saveRead(id, {
    engine: ENGINE,
    photoHash: hash ?? p.hash,
    lines: lines.map((text) => ({ text, confidence: 0.98, box: BOX })),
    norm: normaliseText(lines.join('')),
  });
}

const find = (q: string, filter = {}): number[] => lib.ocrText.search(normaliseText(q), 50, filter).map((h) => h.photoId);

beforeEach(() => {
  lib = openLibrary(':memory:');
  root = path.resolve('/photos');
});
afterEach(() => lib.close());

describe('OCR text store', () => {
  it('finds photos by substrings of 1, 2, 3 and more characters, across line breaks, in the normal form', () => {
    const receipt = photo('receipt.jpg');
    const sign = photo('sign.jpg');
    const chat = photo('chat.png');
    read(receipt, ['星巴克(人民路店)', '合计 ￥35.50']);
    read(sign, ['營業時間 09:00-22:00']);
    read(chat, ['明天开', '会改到上午十点', '快递单号 SF1234567']);
    expect(find('星巴克')).toEqual([receipt]);
    expect(find('巴克')).toEqual([receipt]);
    expect(find('营业时间')).toEqual([sign]);
    expect(find('营业')).toEqual([sign]);
    expect(find('明天开会')).toEqual([chat]);
    expect(find('快递单号SF123')).toEqual([chat]);
    expect(find('sf 1234')).toEqual([chat]);
    expect(find('¥35')).toEqual([receipt]);
    expect(find('00')).toEqual([sign]);
    expect(find('5').sort()).toEqual([receipt, chat].sort());
    expect(find('克')).toEqual([receipt]);
    expect(find('火锅')).toEqual([]);
    expect(find('火锅店')).toEqual([]);
  });

  it('ranks the photo where the query is a larger share of the text first', () => {
    const long = photo('long.png', { takenAt: 2 });
    const short = photo('short.png', { takenAt: 1 });
    read(long, ['开会', '今天天气很好我们去公园散步然后回家吃饭']);
    read(short, ['明天开会']);
    expect(find('开会')).toEqual([short, long]);
  });

  it('applies folder, date, tag and id filters', () => {
    const a = photo('a.jpg', { takenAt: Date.UTC(2020, 0, 1), dir: 'trip' });
    const b = photo('b.jpg', { takenAt: Date.UTC(2023, 0, 1) });
    read(a, ['营业时间']);
    read(b, ['营业时间']);
    expect(find('营业时间', { dirPrefix: path.join(root, 'trip') })).toEqual([a]);
    expect(find('营业时间', { after: Date.UTC(2022, 0, 1) })).toEqual([b]);
    expect(find('营业', { before: Date.UTC(2022, 0, 1) })).toEqual([a]);
    expect(find('营业', { photoIds: [b] })).toEqual([b]);
    expect(find('营业', { photoIds: [] })).toEqual([]);
    const tagId = lib.tags.upsertTag({ name: '收据', family: 'document' });
    lib.tags.replacePhotoTags(b, [{ tagId, score: 0.9 }]);
    expect(find('营业', { tag: '收据' })).toEqual([b]);
  });

  it('forgets a deleted photo everywhere, and stops serving text of a photo that changed or was skipped', () => {
    const a = photo('a.jpg');
    const b = photo('b.jpg');
    const c = photo('c.jpg');
    read(a, ['营业时间']);
    read(b, ['营业时间']);
    read(c, ['营业时间']);
    lib.photos.delete(a);
    expect(find('营业时间')).toEqual(expect.arrayContaining([b, c]));
    expect(find('营业')).not.toContain(a);
    expect(lib.db.sql.prepare('SELECT count(*) FROM ocr_lines WHERE photo_id = ?').pluck().get(a)).toBe(0);
    lib.db.sql.exec(`INSERT INTO ocr_fts(ocr_fts, rank) VALUES ('integrity-check', 1)`);

    lib.photos.setHash(b, 'edited');
    lib.photos.markSkipped(c, 'truncated');
    expect(find('营业时间')).toEqual([]);
    expect(lib.ocrText.pending(ENGINE, 10).map((p) => p.id)).toEqual([b]);
  });

  it('replaces a photo’s text when it is read again, keeping the indexes consistent', () => {
    const a = photo('a.jpg');
    read(a, ['营业时间']);
    read(a, ['欢迎光临']);
    expect(find('营业')).toEqual([]);
    expect(find('营业时间')).toEqual([]);
    expect(find('光临')).toEqual([a]);
    expect(lib.ocrText.lines(a).map((l) => l.text)).toEqual(['欢迎光临']);
    read(a, []);
    expect(find('光临')).toEqual([]);
    lib.db.sql.exec(`INSERT INTO ocr_fts(ocr_fts, rank) VALUES ('integrity-check', 1)`);
  });

  it('tracks what is left to read per engine and content, failures included', () => {
    const a = photo('a.jpg');
    const b = photo('b.jpg');
    const c = photo('c.jpg');
    expect(lib.ocrText.counts(ENGINE)).toEqual({ done: 0, failed: 0, pending: 3, withText: 0 });
    read(a, ['营业时间']);
    read(b, []);
    lib.ocrText.saveFailure(c, { engine: ENGINE, photoHash: lib.photos.get(c)!.hash, error: 'decode failed' });
    expect(lib.ocrText.counts(ENGINE)).toEqual({ done: 2, failed: 1, pending: 0, withText: 1 });
    expect(lib.ocrText.pending(ENGINE, 10)).toEqual([]);
    // A new OCR model reads everything again; keyset paging by id.
    expect(lib.ocrText.pending('other-model', 2).map((p) => p.id)).toEqual([a, b]);
    expect(lib.ocrText.pending('other-model', 2, b).map((p) => p.id)).toEqual([c]);
    expect(lib.ocrText.linesMany([a, b, c]).get(a)?.[0]).toEqual({ text: '营业时间', confidence: 0.98, box: BOX });
  });
});
