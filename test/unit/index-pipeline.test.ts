import { describe, expect, it } from 'vitest';
import { runEncodePipeline, type PipelineItem } from '../../electron/engine/index/encode-pipeline.ts';
import { DecodeError } from '../../electron/engine/media/decode.ts';
import { ProgressTracker } from '../../electron/engine/util/progress.ts';
import { WorkerGoneError } from '../../electron/engine/ml/errors.ts';

const items = (n: number): PipelineItem[] => Array.from({ length: n }, (_, i) => ({ photoId: i + 1, path: `/p/${i + 1}.jpg` }));
const tick = (ms = 1) => new Promise((r) => setTimeout(r, ms));

describe('encode pipeline', () => {
  it('decodes ahead while the encoder works, persists every photo once, in bounded memory', async () => {
    let decodedDuringEncode = 0;
    let encoding = false;
    let maxBuffered = 0;
    let buffered = 0;
    const persisted: number[] = [];
    const r = await runEncodePipeline(
      items(20),
      {
        decode: async (item) => {
          await tick();
          if (encoding) decodedDuringEncode++;
          buffered++;
          maxBuffered = Math.max(maxBuffered, buffered);
          return { data: item.photoId, tensor: new Float32Array([item.photoId]) };
        },
        encode: async (tensors) => {
          buffered -= tensors.length;
          encoding = true;
          await tick(5);
          encoding = false;
          return tensors.map((t) => new Float32Array([t[0] * 2]));
        },
        persist: (done) => {
          for (const d of done) {
            expect(d.vector[0]).toBe(d.data * 2);
            persisted.push(d.item.photoId);
          }
        },
        skip: () => {
          throw new Error('nothing should be skipped');
        },
      },
      { batchSize: 4, decodeConcurrency: 2, maxAhead: 8 },
    );
    expect(r).toEqual({ encoded: 20, skipped: 0 });
    expect(persisted.sort((a, b) => a - b)).toEqual(items(20).map((i) => i.photoId));
    expect(decodedDuringEncode).toBeGreaterThan(0);
    expect(maxBuffered).toBeLessThanOrEqual(8 + 4);
  });

  it('records broken photos as skipped with their reason and keeps going', async () => {
    const skipped: [number, string][] = [];
    const r = await runEncodePipeline(
      items(6),
      {
        decode: async (item) => {
          if (item.photoId === 2) throw new DecodeError('truncated', 'JPEG ends early');
          if (item.photoId === 5) throw new Error('weird');
          return { data: null, tensor: new Float32Array(1) };
        },
        encode: async (t) => t.map(() => new Float32Array(1)),
        persist: () => undefined,
        skip: (item, reason) => void skipped.push([item.photoId, reason]),
      },
      { batchSize: 2, decodeConcurrency: 1, maxAhead: 2 },
    );
    expect(r).toEqual({ encoded: 4, skipped: 2 });
    expect(skipped).toEqual([
      [2, 'truncated: JPEG ends early'],
      [5, 'decode-failed: weird'],
    ]);
  });

  it('isolates a tensor the encoder rejects, but stops when the worker is gone', async () => {
    const skipped: number[] = [];
    const r = await runEncodePipeline(
      items(4),
      {
        decode: async (item) => ({ data: null, tensor: new Float32Array([item.photoId]) }),
        encode: async (t) => {
          if (t.some((x) => x[0] === 3)) throw new Error('bad tensor');
          return t.map(() => new Float32Array(1));
        },
        persist: () => undefined,
        skip: (item) => void skipped.push(item.photoId),
      },
      { batchSize: 4, decodeConcurrency: 2, maxAhead: 4 },
    );
    expect(r).toEqual({ encoded: 3, skipped: 1 });
    expect(skipped).toEqual([3]);

    await expect(
      runEncodePipeline(
        items(3),
        {
          decode: async () => ({ data: null, tensor: new Float32Array(1) }),
          encode: async () => Promise.reject(new WorkerGoneError('encoder worker exited (code 1)')),
          persist: () => undefined,
          skip: () => undefined,
        },
        { batchSize: 2, decodeConcurrency: 1, maxAhead: 2 },
      ),
    ).rejects.toThrow(/worker exited/);
  });
});

describe('progress', () => {
  it('reports rate and ETA over a sliding window', () => {
    let now = 0;
    const p = new ProgressTracker(() => now, 10_000);
    p.start(100);
    for (let i = 0; i < 10; i++) {
      now += 500;
      p.completed();
    }
    const s = p.snapshot();
    expect(s).toMatchObject({ running: true, done: 10, total: 100 });
    // 10 photos in the 5 s since the start.
    expect(s.rate).toBeCloseTo(2, 5);
    expect(s.etaSeconds).toBe(45);
    p.finish();
    expect(p.snapshot().etaSeconds).toBeNull();
  });

  it('a persist failure (a full disk) rejects promptly: decoders stop instead of waiting for room forever', async () => {
    let decoded = 0;
    const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    const outcome = await Promise.race([
      runEncodePipeline(
        items(100),
        {
          decode: async (item) => {
            decoded++;
            await tick();
            return { data: item.photoId, tensor: new Float32Array(1) };
          },
          encode: async (t) => t.map(() => new Float32Array(1)),
          persist: () => {
            throw full;
          },
          skip: () => undefined,
        },
        { batchSize: 4, decodeConcurrency: 2, maxAhead: 8 },
      ).then(
        () => 'resolved',
        (e: unknown) => e,
      ),
      tick(3000).then(() => 'hung'),
    ]);
    expect(outcome).toBe(full);
    // Nothing much is decoded after the failure: at most what was in flight and buffered.
    expect(decoded).toBeLessThanOrEqual(4 + 8 + 2);
  });
});
