/**
 * Byte-identical copies that arrive in one pass — a first scan of a library with a backup folder
 * inside — are encoded once: the others take the vector and the indexed details of the one that
 * was. Copies whose twin cannot be read are each read on their own (what failed may be that one
 * file's path), and a broken file's copies are each skipped with the reason.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Indexer, type ImageEmbedder } from '../../electron/engine/index/indexer.ts';
import { openLibrary, type Library } from '../../electron/engine/store/index.ts';

const DIM = 8;
const PHOTOS = path.resolve('../shared/photos');

/** Counts the photos it encodes; a photo's vector is taken from its pixels, so copies would match anyway. */
function countingEmbedder(counter: { encoded: number }): ImageEmbedder {
  return {
    preprocessSpec: { resolution: 16, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5], resize: 'bicubic' },
    async embedImageTensors(tensors) {
      counter.encoded += tensors.length;
      return tensors.map((t) => Float32Array.from({ length: DIM }, (_, i) => t[i * 7]! + 1));
    },
    async imageBatchIsDynamic() {
      return false;
    },
  };
}

let tmp: string;
let lib: Library;

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-copies-'));
  lib = openLibrary(path.join(tmp, 'lib.db'));
});

afterEach(() => {
  lib.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Ten real photos in `photos/`, and the same files again in `photos/backup/` and `other/`. */
function library(): { root: string; other: string; names: string[] } {
  const root = path.join(tmp, 'photos');
  const other = path.join(tmp, 'other');
  fs.mkdirSync(path.join(root, 'backup'), { recursive: true });
  fs.mkdirSync(other);
  const names = fs.readdirSync(PHOTOS).filter((f) => f.endsWith('.JPEG')).sort().slice(0, 10);
  for (const n of names) {
    for (const dir of [root, path.join(root, 'backup'), other]) fs.copyFileSync(path.join(PHOTOS, n), path.join(dir, n));
  }
  return { root, other, names };
}

describe('byte-identical copies in one pass', () => {
  it('encodes each content once; every copy gets its twin\'s vector and indexed details', async () => {
    const { root, other, names } = library();
    const vectors = lib.vectors(lib.models.ensure('test-model', DIM));
    const counter = { encoded: 0 };
    const summary = await new Indexer(lib, vectors, countingEmbedder(counter)).indexFolders([root, other]);

    expect(counter.encoded).toBe(10);
    expect(summary).toMatchObject({ added: 30, encoded: 10, reused: 20, skipped: 0 });
    for (const n of names) {
      const rows = [path.join(root, n), path.join(root, 'backup', n), path.join(other, n)].map((p) => lib.identity.knownAt(p)!);
      const photos = rows.map((r) => lib.photos.get(r.id)!);
      expect(photos.map((p) => p.status)).toEqual(['indexed', 'indexed', 'indexed']);
      expect(new Set(photos.map((p) => `${p.width}x${p.height} ${p.takenAt}`)).size).toBe(1);
      const [a, b, c] = rows.map((r) => Array.from(vectors.get(r.id) ?? []));
      expect(a).toHaveLength(DIM);
      expect(b).toEqual(a);
      expect(c).toEqual(a);
    }
    // Nothing is left for a second pass.
    const again = await new Indexer(lib, vectors, countingEmbedder(counter)).indexFolders([root, other]);
    expect(again).toMatchObject({ encoded: 0, reused: 0 });
    expect(counter.encoded).toBe(10);
  });

  it('copies of a broken file are each read, and each skipped with the reason, like any broken file', async () => {
    const { root, other } = library();
    const broken = fs.readFileSync(path.join(PHOTOS, fs.readdirSync(PHOTOS).filter((f) => f.endsWith('.JPEG')).sort()[20]!)).subarray(0, 2000);
    const copies = [path.join(root, 'cut.jpg'), path.join(root, 'backup', 'cut.jpg'), path.join(other, 'cut.jpg')];
    for (const p of copies) fs.writeFileSync(p, broken);
    const vectors = lib.vectors(lib.models.ensure('test-model', DIM));
    const counter = { encoded: 0 };
    const summary = await new Indexer(lib, vectors, countingEmbedder(counter)).indexFolders([root, other]);

    expect(summary).toMatchObject({ added: 33, encoded: 10, reused: 20, skipped: 3 });
    for (const p of copies) {
      const photo = lib.photos.get(lib.identity.knownAt(p)!.id)!;
      expect(photo.status).toBe('skipped');
      expect(photo.skipReason).toMatch(/^[a-z-]+: /);
    }
  });
});
