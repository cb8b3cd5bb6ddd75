/**
 * The indexer starts loading the image tower as soon as its scan meets a photo whose content has
 * no vector, so the model loads while the scan and hashing go on; a pass that only finds moved
 * photos (their content already has a vector) or nothing new never loads it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Indexer, type ImageEmbedder } from '../../electron/engine/index/indexer.ts';
import { openLibrary, type Library } from '../../electron/engine/store/index.ts';
import { photoPool } from '../../scripts/fixtures/watch-churn.ts';

const DIM = 8;

/** Records when warm() came relative to the first encode. */
function fakeEmbedder(events: string[]): ImageEmbedder {
  return {
    preprocessSpec: { resolution: 16, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5], resize: 'bicubic' },
    async embedImageTensors(tensors) {
      events.push(`encode ${tensors.length}`);
      return tensors.map((t) => Float32Array.from({ length: DIM }, (_, i) => t[i * 7]! + 1));
    },
    async imageBatchIsDynamic() {
      events.push('batch?');
      return false;
    },
    async warm() {
      events.push('warm');
    },
  };
}

let tmp: string;
let lib: Library;

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-warm-'));
  lib = openLibrary(path.join(tmp, 'lib.db'));
});

afterEach(() => {
  lib.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('loading the image tower early', () => {
  it('warms once, during the scan, before the first encode; not again for moves or an unchanged library', async () => {
    const root = path.join(tmp, 'photos');
    fs.mkdirSync(root);
    (await photoPool(6, 4)).forEach((bytes, i) => fs.writeFileSync(path.join(root, `p${i}.jpg`), bytes));
    const vectors = lib.vectors(lib.models.ensure('test-model', DIM));

    let events: string[] = [];
    const first = await new Indexer(lib, vectors, fakeEmbedder(events)).indexFolders([root]);
    expect(first.encoded).toBe(6);
    expect(events.filter((e) => e === 'warm')).toHaveLength(1);
    expect(events.indexOf('warm')).toBeLessThan(events.findIndex((e) => e.startsWith('encode')));
    expect(events.indexOf('warm')).toBeLessThan(events.indexOf('batch?')); // before the pipeline asked for the model

    // A second indexer (a new process) over the same library: moved photos and unchanged ones.
    fs.mkdirSync(path.join(root, 'moved'));
    for (const f of ['p0.jpg', 'p1.jpg']) fs.renameSync(path.join(root, f), path.join(root, 'moved', f));
    events = [];
    const second = await new Indexer(lib, vectors, fakeEmbedder(events)).indexFolders([root]);
    expect(second.moved).toBe(2);
    expect(second.encoded).toBe(0);
    expect(events).not.toContain('warm');
  });
});
