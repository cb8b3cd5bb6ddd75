/**
 * Main-thread handle on an encoder worker: correlates requests with replies, transfers tensor
 * buffers instead of copying them, and rejects everything in flight if the worker dies.
 */
import type { Worker } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { startWorker } from '../util/worker.ts';
import type { WorkerReply, WorkerRequest, WorkerRequestBody } from './encoder-worker.ts';
import type { Tower, TowerSessionInfo, TowerSessionOptions } from './onnx-session.ts';
import { WorkerGoneError } from './errors.ts';

type Pending = { resolve: (v: Float32Array[]) => void; reject: (e: Error) => void };

function workerEntry(): URL {
  const override = process.env.SHIGUANG_ENCODER_WORKER;
  if (override) return pathToFileURL(override);
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./encoder-worker${ext}`, import.meta.url);
}

export class TowerWorker {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private dead: Error | null = null;

  private constructor(
    private readonly worker: Worker,
    readonly info: TowerSessionInfo,
  ) {
    worker.on('message', (msg: WorkerReply) => {
      if (!('id' in msg)) return;
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.vectors);
      else p.reject(new Error(msg.message));
    });
    const fail = (err: Error): void => {
      this.dead = err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    worker.on('error', (e) => fail(new WorkerGoneError(`encoder worker crashed: ${e.message}`)));
    worker.on('exit', (code) => fail(new WorkerGoneError(`encoder worker exited (code ${code})`)));
  }

  static start(modelDir: string, tower: Tower, options: TowerSessionOptions): Promise<TowerWorker> {
    const worker = startWorker(workerEntry(), { workerData: { modelDir, tower, options } });
    return new Promise((resolve, reject) => {
      const onExit = (code: number): void => reject(new Error(`encoder worker exited during start-up (code ${code})`));
      worker.once('error', reject);
      worker.once('exit', onExit);
      worker.once('message', (msg: WorkerReply) => {
        worker.off('error', reject);
        worker.off('exit', onExit);
        if ('type' in msg && msg.type === 'ready') resolve(new TowerWorker(worker, msg.info));
        else {
          void worker.terminate();
          reject(new Error('type' in msg && msg.type === 'fatal' ? msg.message : 'encoder worker sent an unexpected first message'));
        }
      });
    });
  }

  private request(req: WorkerRequestBody, transfer: ArrayBuffer[]): Promise<Float32Array[]> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...req, id } as WorkerRequest, transfer);
    });
  }

  /** Note: the tensors' buffers are transferred to the worker and unusable afterwards. */
  encodeImages(tensors: Float32Array[]): Promise<Float32Array[]> {
    const buffers = [...new Set(tensors.map((t) => t.buffer as ArrayBuffer))];
    return this.request({ op: 'images', tensors }, buffers);
  }

  encodeTexts(ids: number[][]): Promise<Float32Array[]> {
    return this.request({ op: 'texts', ids }, []);
  }

  /**
   * Let requests already sent finish (a search on the old model while a model switch completes),
   * then stop the worker; anything still pending after the grace period is rejected, never left
   * hanging.
   */
  async close(graceMs = 10_000): Promise<void> {
    const deadline = Date.now() + graceMs;
    while (this.pending.size > 0 && !this.dead && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    this.worker.removeAllListeners('exit');
    const err = new WorkerGoneError('encoder worker closed');
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    this.dead = err;
    await this.worker.terminate();
  }
}
