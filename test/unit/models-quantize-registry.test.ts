/**
 * The engine side of Settings → int8 (quantizeModel / modelQuantizations): a background
 * quantization of an installed fp32 model, checked on the library's indexed photos, installs
 * `<id>-int8` with its figures, which the model list then shows; requests it cannot serve are
 * refused with the API's error codes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importModel, listInstalled } from '../../electron/engine/models/install.ts';
import { figuresFromManifest, QuantizeRegistry } from '../../electron/engine/models/quantize-registry.ts';
import { openLibrary } from '../../electron/engine/store/library.ts';
import { createLogger } from '../../electron/engine/util/log.ts';
import { writeColourSet } from '../../scripts/fixtures/colour-photos.ts';
import { generateMiniClip } from '../../scripts/models/mini-clip.ts';

let tmp: string;
let modelsDir: string;
let dbPath: string;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-qreg-'));
  modelsDir = path.join(tmp, 'models');
  await generateMiniClip(path.join(tmp, 'mini'));
  await importModel(path.join(tmp, 'mini'), modelsDir);
  const files = await writeColourSet(path.join(tmp, 'photos'), ['red', 'blue', 'green'], 2);
  dbPath = path.join(tmp, 'lib.db');
  const lib = openLibrary(dbPath);
  const folder = lib.folders.add(path.join(tmp, 'photos'));
  for (const f of files) {
    const { row } = lib.photos.upsertDiscovered({ path: f, folderId: folder.id, size: fs.statSync(f).size, mtimeMs: 1 });
    lib.photos.markIndexed(row.id, { width: 64, height: 64, takenAt: null, takenAtSource: null, cameraMake: null, cameraModel: null, gpsLat: null, gpsLon: null });
  }
  lib.close();
});

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const registry = (db = dbPath): QuantizeRegistry => new QuantizeRegistry({ modelsDir, dbPath: db, session: () => ({ provider: 'cpu', threads: 1 }), log: createLogger('test', 'error') });

describe('QuantizeRegistry', () => {
  it('quantizes in the background, checks on the library photos and installs <id>-int8 with its figures', async () => {
    const r = registry();
    expect(r.start('test-mini-clip')).toEqual({ started: true, targetId: 'test-mini-clip-int8' });
    expect(r.start('test-mini-clip')).toEqual({ started: false, targetId: 'test-mini-clip-int8' }); // already running
    expect(r.list()[0]).toMatchObject({ sourceId: 'test-mini-clip', state: 'running' });
    await r.settled();
    const [job] = r.list();
    expect(job).toMatchObject({ state: 'done', error: null, figures: { sourceId: 'test-mini-clip', photos: 6, prompts: 256, checkedOn: '6 library photos' } });
    expect(job!.figures!.cosine.image.mean).toBeGreaterThan(0.99);
    const int8 = listInstalled(modelsDir).find((m) => m.id === 'test-mini-clip-int8');
    expect(int8?.manifest?.precision).toBe('int8');
    expect(figuresFromManifest(int8?.manifest?.quantization)).toEqual(job!.figures);
  }, 120_000);

  it('closing stops a running quantization and leaves nothing behind', async () => {
    const r = registry();
    r.start('test-mini-clip');
    await r.close();
    expect(r.list()[0]).toMatchObject({ state: 'failed', error: expect.stringMatching(/shutting down/) });
    expect(fs.readdirSync(path.join(modelsDir, '.partial')).filter((f) => f.startsWith('quantize-'))).toEqual([]);
  }, 60_000);

  it('refuses what it cannot quantize, with the API error codes', () => {
    const r = registry();
    expect(() => r.start('nope')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(() => r.start('test-mini-clip-int8')).toThrow(expect.objectContaining({ code: 'BAD_REQUEST', message: expect.stringMatching(/only an fp32 model/) }));
    expect(() => registry(path.join(tmp, 'empty.db')).start('test-mini-clip')).toThrow(expect.objectContaining({ code: 'BAD_REQUEST', message: expect.stringMatching(/no indexed photos/) }));
  });
});
