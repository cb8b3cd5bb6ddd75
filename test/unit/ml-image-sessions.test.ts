/**
 * An int8 image tower on the CPU runs as several single-threaded sessions side by side
 * (model-runtime.ts): a batch is split across them in order and comes back in order with the
 * vectors one session gives; a float model keeps one session; the count can be set.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelRuntime } from '../../electron/engine/ml/model-runtime.ts';
import { quantizeModelDir } from '../../electron/engine/ml/quantize/quantize-model.ts';
import { Rng } from '../../scripts/models/onnx-builder.ts';
import { generateMiniClip } from '../../scripts/models/mini-clip.ts';

let root: string;
let fp32Dir: string;
let int8Dir: string;

beforeAll(async () => {
  root = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'shiguang-sessions-'));
  fp32Dir = path.join(root, 'fp32');
  int8Dir = path.join(root, 'int8');
  await generateMiniClip(fp32Dir);
  await quantizeModelDir(fp32Dir, int8Dir, { variableLength: false });
});

afterAll(async () => {
  await fs.promises.rm(root, { recursive: true, force: true });
});

const tensors = (): Float32Array[] => Array.from({ length: 7 }, (_, i) => new Rng(100 + i).normal(3 * 32 * 32, 1));

describe('image sessions side by side', () => {
  it('an int8 model on 2 CPU threads gets 2 single-threaded sessions; vectors and order as with one', async () => {
    const pooled = ModelRuntime.load(int8Dir, { provider: 'cpu', threads: 2 });
    const single = ModelRuntime.load(int8Dir, { provider: 'cpu', threads: 2, imageSessions: 1 });
    try {
      const a = await pooled.embedImageTensors(tensors());
      const b = await single.embedImageTensors(tensors());
      expect(await pooled.imageSessions()).toBe(2);
      expect(await single.imageSessions()).toBe(1);
      expect(a).toHaveLength(7);
      for (let i = 0; i < 7; i++) expect(Array.from(a[i]!)).toEqual(Array.from(b[i]!));
      // One photo at a time goes round the sessions and still gets its own vector.
      for (let i = 0; i < 3; i++) expect(Array.from((await pooled.embedImageTensors([tensors()[i]!]))[0]!)).toEqual(Array.from(b[i]!));
    } finally {
      await Promise.all([pooled.close(), single.close()]);
    }
  });

  it('a float model keeps one session; a count can be set for any model', async () => {
    const fp32 = ModelRuntime.load(fp32Dir, { provider: 'cpu', threads: 2 });
    const three = ModelRuntime.load(fp32Dir, { provider: 'cpu', threads: 3, imageSessions: 3 });
    try {
      await fp32.warm('image');
      await three.warm('image');
      expect(await fp32.imageSessions()).toBe(1);
      expect(await three.imageSessions()).toBe(3);
      const [x, y] = [await fp32.embedImageTensors(tensors()), await three.embedImageTensors(tensors())];
      for (let i = 0; i < 7; i++) for (let j = 0; j < x[i]!.length; j++) expect(y[i]![j]!).toBeCloseTo(x[i]![j]!, 5);
    } finally {
      await Promise.all([fp32.close(), three.close()]);
    }
  });

  it('puts the image tower away while it is idle and starts it again for the next photo, same vectors', async () => {
    const rt = ModelRuntime.load(int8Dir, { provider: 'cpu', threads: 2 });
    try {
      const before = await rt.embedImageTensors(tensors());
      expect(await rt.releaseImageTower()).toBe(true);
      expect(await rt.releaseImageTower()).toBe(false); // nothing running
      // Not under an encode in flight: the encode finishes with the sessions it started on.
      const inFlight = rt.embedImageTensors(tensors());
      expect(await rt.releaseImageTower()).toBe(false);
      const during = await inFlight;
      const after = await rt.embedImageTensors(tensors());
      expect(await rt.imageSessions()).toBe(2);
      for (let i = 0; i < 7; i++) {
        expect(Array.from(during[i]!)).toEqual(Array.from(before[i]!));
        expect(Array.from(after[i]!)).toEqual(Array.from(before[i]!));
      }
    } finally {
      await rt.close();
    }
  });
});
