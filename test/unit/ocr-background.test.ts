import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TextReader } from '../../electron/engine/ocr/ocr-pass.ts';
import type { PhotoText } from '../../electron/engine/ocr/photo-reader.ts';
import { OcrService, type OcrMode } from '../../electron/engine/ocr/ocr-service.ts';
import { openLibrary, type Library } from '../../electron/engine/store/index.ts';
import { createLogger } from '../../electron/engine/util/log.ts';

let lib: Library;
beforeEach(() => (lib = openLibrary(':memory:')));
afterEach(() => {
  const root = lib.folders.list()[0]?.path;
  lib.close();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

/** An indexed photo: a real (empty) file in a library folder, since the pass checks what it reads. */
function photo(name: string): number {
  const root = lib.folders.list()[0]?.path ?? fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-ocr-lib-'));
  const folder = lib.folders.list()[0] ?? lib.folders.add(root);
  fs.writeFileSync(path.join(root, name), '');
  const { row } = lib.photos.upsertDiscovered({ path: path.join(root, name), folderId: folder.id, size: 1, mtimeMs: 1 });
  lib.photos.setHash(row.id, `h-${name}`);
  lib.photos.markIndexed(row.id, { width: 640, height: 480, takenAt: 0, takenAtSource: 'mtime', cameraMake: null, cameraModel: null, gpsLat: null, gpsLon: null });
  return row.id;
}

const reader = (calls: string[]): TextReader => ({
  engineKey: 'fake-ocr',
  async read(p: string): Promise<PhotoText> {
    calls.push(path.basename(p));
    const lines = p.endsWith('.png') ? [{ text: '营业时间', confidence: 0.95, box: [[1, 2], [30, 2], [30, 12], [1, 12]] as PhotoText['lines'][0]['box'] }] : [];
    return { width: 640, height: 480, lines, timings: { decodeMs: 0, detectMs: 0, recogniseMs: 0, totalMs: 0 } };
  },
});

/** A stand-in for the indexer's queue: busy until released. */
function gate(): { idle: () => Promise<void>; busy: () => void; release: () => void } {
  let open: Promise<void> = Promise.resolve();
  let release = (): void => undefined;
  return {
    idle: () => open,
    busy: () => {
      open = new Promise((r) => (release = r));
    },
    release: () => release(),
  };
}

function service(mode: OcrMode, calls: string[], g = gate()): OcrService {
  return new OcrService(lib, { enabled: () => true, mode, session: {}, indexerIdle: g.idle, log: createLogger('test', 'silent'), reader: reader(calls) });
}

describe('OCR service', () => {
  it('reads in the background only while the indexer is idle', async () => {
    const calls: string[] = [];
    const g = gate();
    const ocr = service('background', calls, g);
    const a = photo('sign.png');
    photo('cat.jpg');
    g.busy();
    ocr.schedule();
    await new Promise((r) => setTimeout(r, 20));
    expect(calls).toEqual([]);
    expect(ocr.status()).toMatchObject({ running: true, pending: 2, done: 0 });
    g.release();
    await ocr.idle();
    expect(calls).toEqual(['sign.png', 'cat.jpg']);
    expect(ocr.status()).toMatchObject({ running: false, pending: 0, done: 2, withText: 1, model: 'fake-ocr' });
    expect(ocr.photoText(a)).toMatchObject({ state: 'read', width: 640, height: 480, lines: [{ text: '营业时间' }] });
    // A photo added later is read by the next scheduled pass.
    photo('later.png');
    ocr.schedule();
    await ocr.idle();
    expect(calls).toHaveLength(3);
    await ocr.close();
  });

  it('does nothing by itself on demand, and reads everything when asked', async () => {
    const calls: string[] = [];
    const ocr = service('on-demand', calls);
    const a = photo('a.png');
    ocr.schedule();
    await ocr.idle();
    expect(calls).toEqual([]);
    expect(ocr.photoText(a).state).toBe('pending');
    const progress: number[] = [];
    const s = await ocr.runPending((p) => progress.push(p.done));
    expect(s).toMatchObject({ done: 1, withText: 1, interrupted: false });
    expect(progress).toEqual([0, 1]);
    await ocr.close();
  });

  it('stops after the current photo when turned off, keeps what it read, and resumes when turned on', async () => {
    const calls: string[] = [];
    const setting = { on: true };
    const ids = ['a.png', 'b.png', 'c.png'].map(photo);
    let turns = 0;
    // Turn the setting off while the pass waits for its second photo.
    const wrapped = new OcrService(lib, {
      enabled: () => setting.on,
      mode: 'background',
      session: {},
      indexerIdle: async () => {
        if (++turns === 2) setting.on = false;
      },
      log: createLogger('test', 'silent'),
      reader: reader(calls),
    });
    wrapped.schedule();
    await wrapped.idle();
    expect(calls).toEqual(['a.png']);
    expect(wrapped.status()).toMatchObject({ enabled: false, done: 1, pending: 2 });
    expect(wrapped.photoText(ids[0]).state).toBe('read');
    expect(wrapped.photoText(ids[1]).state).toBe('off');
    expect(wrapped.search('营业时间', 10).map((h) => h.photoId)).toEqual([ids[0]]);
    await expect(wrapped.runPending()).rejects.toThrow(/turned off/);
    setting.on = true;
    wrapped.settingChanged();
    await wrapped.idle();
    expect(calls).toEqual(['a.png', 'b.png', 'c.png']);
    await wrapped.close();
  });

  it('leaves the engine working when the OCR model cannot be found, and says why', async () => {
    photo('a.png');
    const ocr = new OcrService(lib, { enabled: () => true, mode: 'background', session: {}, indexerIdle: async () => undefined, model: '/nonexistent/ocr-model', log: createLogger('test', 'silent') });
    ocr.schedule();
    await ocr.idle();
    expect(ocr.status()).toMatchObject({ model: 'unavailable', running: false, error: expect.stringMatching(/OCR is unavailable: OCR model manifest not found/) });
    await expect(ocr.runPending()).rejects.toThrow(/unavailable/);
    await ocr.close();
  });
});
