/**
 * Decode photos ahead of the encoder so decoding overlaps inference: a few decoders (sharp runs
 * on libuv's thread pool) fill a bounded buffer while the encoder worker consumes batches. The
 * bound keeps memory flat on a million-photo library; a failed decode becomes a recorded skip.
 */
import { DecodeError } from '../media/decode.ts';
import { WorkerGoneError } from '../ml/errors.ts';

export interface PipelineItem {
  photoId: number;
  path: string;
  /** The content hash when it is already known (a new file, hashed by reconcile). */
  hash?: string | null;
}

export type Decoded<D> = { item: PipelineItem; ok: true; data: D; tensor: Float32Array } | { item: PipelineItem; ok: false; reason: string };

export interface PipelineHooks<D> {
  /** Decode + preprocess one photo; throw DecodeError (or anything) to skip it. */
  decode(item: PipelineItem): Promise<{ data: D; tensor: Float32Array }>;
  /** Encode a batch of tensors (buffers may be transferred). */
  encode(tensors: Float32Array[]): Promise<Float32Array[]>;
  /** Persist encoded photos (one transaction per batch). */
  persist(done: { item: PipelineItem; data: D; vector: Float32Array }[]): void | Promise<void>;
  skip(item: PipelineItem, reason: string): void | Promise<void>;
  onProgress?(n: number, current: string | null): void;
}

export interface PipelineOptions {
  batchSize: number;
  decodeConcurrency: number;
  /** Decoded photos waiting for the encoder, at most. */
  maxAhead: number;
  signal?: AbortSignal;
}

export function describeFailure(err: unknown): string {
  if (err instanceof DecodeError) return `${err.reason}: ${err.message}`;
  return `decode-failed: ${err instanceof Error ? err.message : String(err)}`;
}

class BoundedBuffer<T> {
  private readonly items: T[] = [];
  private closed = false;
  private waitingConsumer: (() => void) | null = null;
  private readonly waitingProducers: (() => void)[] = [];
  private inFlight = 0;

  constructor(private readonly capacity: number) {}

  /** Reserve room before starting work whose result will be pushed. */
  async reserve(): Promise<void> {
    while (this.inFlight + this.items.length >= this.capacity) {
      await new Promise<void>((r) => this.waitingProducers.push(r));
    }
    this.inFlight++;
  }

  push(x: T): void {
    this.inFlight--;
    this.items.push(x);
    this.wakeConsumer();
  }

  close(): void {
    this.closed = true;
    this.wakeConsumer();
  }

  /** Wait for at least one item, then take up to n. Empty array = finished. */
  async take(n: number): Promise<T[]> {
    while (this.items.length === 0 && !this.closed) {
      await new Promise<void>((r) => (this.waitingConsumer = r));
    }
    const out = this.items.splice(0, n);
    for (let i = 0; i < out.length; i++) this.waitingProducers.shift()?.();
    return out;
  }

  private wakeConsumer(): void {
    const w = this.waitingConsumer;
    this.waitingConsumer = null;
    w?.();
  }
}

export async function runEncodePipeline<D>(items: PipelineItem[], hooks: PipelineHooks<D>, opts: PipelineOptions): Promise<{ encoded: number; skipped: number }> {
  const buffer = new BoundedBuffer<Decoded<D>>(Math.max(opts.maxAhead, opts.batchSize));
  let next = 0;
  const decoder = async (): Promise<void> => {
    while (next < items.length && !opts.signal?.aborted) {
      const item = items[next++];
      await buffer.reserve();
      try {
        const { data, tensor } = await hooks.decode(item);
        buffer.push({ item, ok: true, data, tensor });
      } catch (err) {
        buffer.push({ item, ok: false, reason: describeFailure(err) });
      }
    }
  };
  const decoders = Promise.all(Array.from({ length: Math.max(1, opts.decodeConcurrency) }, decoder)).finally(() => buffer.close());

  let encoded = 0;
  let skipped = 0;
  try {
    for (;;) {
      const batch = await buffer.take(opts.batchSize);
      if (batch.length === 0) break;
      for (const r of batch) {
        if (!r.ok) {
          await hooks.skip(r.item, r.reason);
          skipped++;
        }
      }
      const good = batch.filter((r): r is Extract<Decoded<D>, { ok: true }> => r.ok);
      if (good.length) {
        hooks.onProgress?.(0, good[good.length - 1].item.path);
        const vectors = await encodeIsolatingFailures(good, hooks);
        const done = good.flatMap((r, i) => (vectors[i] ? [{ item: r.item, data: r.data, vector: vectors[i]! }] : []));
        await hooks.persist(done);
        encoded += done.length;
        skipped += good.length - done.length;
      }
      hooks.onProgress?.(batch.length, null);
      if (opts.signal?.aborted) break;
    }
  } finally {
    // Let decoders drain (they stop taking new items once aborted) before returning.
    if (opts.signal?.aborted) buffer.close();
    await decoders.catch(() => undefined);
  }
  return { encoded, skipped };
}

/**
 * Encode a batch; if the batch fails, retry photo by photo so one tensor the graph rejects
 * becomes one recorded skip. If the worker itself is gone, the error propagates: the photos stay
 * pending and the next run picks them up.
 */
async function encodeIsolatingFailures<D>(
  good: Extract<Decoded<D>, { ok: true }>[],
  hooks: PipelineHooks<D>,
): Promise<(Float32Array | null)[]> {
  const copies = good.length > 1 ? good.map((r) => r.tensor.slice()) : null;
  try {
    return await hooks.encode(good.map((r) => r.tensor));
  } catch (err) {
    if (!copies || err instanceof WorkerGoneError) throw err;
    const out: (Float32Array | null)[] = [];
    for (let i = 0; i < good.length; i++) {
      try {
        out.push((await hooks.encode([copies[i]]))[0]);
      } catch (e) {
        if (e instanceof WorkerGoneError) throw e;
        await hooks.skip(good[i].item, `encode-failed: ${e instanceof Error ? e.message : String(e)}`);
        out.push(null);
      }
    }
    return out;
  }
}
