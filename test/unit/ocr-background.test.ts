import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TextReader } from '../../electron/engine/ocr/ocr-pass.ts';
import type { PhotoText } from '../../electron/engine/ocr/photo-reader.ts';
import { OcrService, type OcrServiceOptions } from '../../electron/engine/ocr/ocr-service.ts';
import { PassScheduler } from '../../electron/engine/passes/scheduler.ts';
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

type Mode = 'background' | 'on-demand';

/** The OCR service with its pass registered on a scheduler, as the engine puts them together. */
function service(mode: Mode, calls: string[], g = gate(), opts: Partial<OcrServiceOptions> = {}, onPutAway = (): void => undefined) {
  const log = createLogger('test', 'silent');
  const ocr = new OcrService(lib, { enabled: () => true, session: {}, log, reader: reader(calls), ...opts });
  const passes = new PassScheduler({ indexerIdle: g.idle, switching: () => false, putAwayEncoder: async () => onPutAway(), mode, log });
  passes.register(ocr.pass);
  return {
    ocr,
    passes,
    status: () => ocr.status(passes.statusOf('ocr')),
    photoText: (id: number) => ocr.photoText(id),
    close: async () => {
      await passes.close();
      await ocr.close();
    },
  };
}

describe('OCR service', () => {
  it('reads in the background only while the indexer is idle', async () => {
    const calls: string[] = [];
    const g = gate();
    const ocr = service('background', calls, g);
    const a = photo('sign.png');
    photo('cat.jpg');
    g.busy();
    ocr.passes.schedule();
    await new Promise((r) => setTimeout(r, 20));
    expect(calls).toEqual([]);
    expect(ocr.status()).toMatchObject({ running: true, pending: 2, done: 0 });
    expect(ocr.passes.statusOf('ocr')).toMatchObject({ waiting: 'indexing' });
    g.release();
    await ocr.passes.idle();
    // Two photos are in flight, so their reads may begin in either order.
    expect([...calls].sort()).toEqual(['cat.jpg', 'sign.png']);
    expect(ocr.status()).toMatchObject({ running: false, pending: 0, done: 2, withText: 1, model: 'fake-ocr' });
    expect(ocr.photoText(a)).toMatchObject({ state: 'read', width: 640, height: 480, lines: [{ text: '营业时间' }] });
    // A photo added later is read by the next scheduled pass.
    photo('later.png');
    ocr.passes.schedule();
    await ocr.passes.idle();
    expect(calls).toHaveLength(3);
    await ocr.close();
  });

  it('does nothing by itself on demand, and reads everything when asked', async () => {
    const calls: string[] = [];
    const ocr = service('on-demand', calls);
    const a = photo('a.png');
    ocr.passes.schedule();
    await ocr.passes.idle();
    expect(calls).toEqual([]);
    expect(ocr.photoText(a).state).toBe('pending');
    const progress: number[] = [];
    await ocr.passes.runAll({ onProgress: (_pass, p) => progress.push(p.done) });
    expect(ocr.status()).toMatchObject({ done: 1, withText: 1, pending: 0 });
    expect(progress).toEqual([0, 1]);
    await ocr.close();
  });

  it('puts the idle image encoder away before each photo it reads, so the two models are never resident together', async () => {
    const calls: string[] = [];
    const ocr = service('on-demand', calls, gate(), {}, () => calls.push('(encoder put away)'));
    photo('a.png');
    photo('b.jpg');
    await ocr.passes.runAll();
    const reads = calls.filter((c) => !c.startsWith('('));
    expect([...reads].sort()).toEqual(['a.png', 'b.jpg']);
    // Each photo is started after a put-away of its own (two photos are in flight, so the second
    // one's may come before the first photo's read).
    reads.forEach((name, k) => expect(calls.slice(0, calls.indexOf(name)).filter((c) => c === '(encoder put away)').length).toBeGreaterThanOrEqual(k + 1));
    await ocr.close();
  });

  it('stops after the current photo when turned off, keeps what it read, and resumes when turned on', async () => {
    const calls: string[] = [];
    const setting = { on: true };
    const ids = ['a.png', 'b.png', 'c.png'].map(photo);
    let turns = 0;
    // Turn the setting off while the pass waits for its second photo.
    const idle = async (): Promise<void> => {
      if (++turns === 2) setting.on = false;
    };
    const wrapped = service('background', calls, { idle, busy: () => undefined, release: () => undefined }, { enabled: () => setting.on });
    wrapped.passes.schedule();
    await wrapped.passes.idle();
    expect(calls).toEqual(['a.png']);
    expect(wrapped.status()).toMatchObject({ enabled: false, done: 1, pending: 2 });
    expect(wrapped.photoText(ids[0]).state).toBe('read');
    expect(wrapped.photoText(ids[1]).state).toBe('off');
    expect(wrapped.ocr.search('营业时间', 10).map((h) => h.photoId)).toEqual([ids[0]]);
    // Asked to run while off, it reads nothing and says why.
    await wrapped.passes.runAll();
    expect(calls).toEqual(['a.png']);
    expect(wrapped.passes.statusOf('ocr')).toMatchObject({ waiting: 'off' });
    setting.on = true;
    wrapped.passes.settingsChanged();
    await wrapped.passes.idle();
    expect([calls[0], ...calls.slice(1).sort()]).toEqual(['a.png', 'b.png', 'c.png']);
    await wrapped.close();
  });

  it('leaves the engine working when the OCR model cannot be found, and says why', async () => {
    photo('a.png');
    const ocr = service('background', [], gate(), { reader: undefined, model: '/nonexistent/ocr-model' });
    ocr.passes.schedule();
    await ocr.passes.idle();
    expect(ocr.status()).toMatchObject({ model: 'unavailable', running: false, error: expect.stringMatching(/OCR is unavailable: OCR model manifest not found/) });
    // Asked to run, it reads nothing and says it cannot.
    await ocr.passes.runAll();
    expect(ocr.passes.statusOf('ocr')).toMatchObject({ waiting: 'error', pending: 1 });
    await ocr.close();
  });
});
