/**
 * Main-thread handle on an encoder worker (encoder-worker.ts) over the shared worker protocol
 * (util/worker-rpc.ts): tensor buffers are transferred instead of copied, and a dead or closed
 * worker rejects with the typed WorkerGoneError, which the pipeline and model switching rely on.
 */
import { workerEntry, WorkerRpc } from '../util/worker-rpc.ts';
import type { WorkerReply, WorkerRequestBody } from './encoder-worker.ts';
import type { Tower, TowerSessionInfo, TowerSessionOptions } from './onnx-session.ts';
import { WorkerGoneError } from './errors.ts';

type Ok = Extract<WorkerReply, { ok: true }>;

export class TowerWorker {
  private constructor(private readonly rpc: WorkerRpc<WorkerRequestBody, Ok, TowerSessionInfo>) {}

  get info(): TowerSessionInfo {
    return this.rpc.info;
  }

  static async start(modelDir: string, tower: Tower, options: TowerSessionOptions): Promise<TowerWorker> {
    const entry = workerEntry(import.meta.url, 'encoder-worker', 'SHIGUANG_ENCODER_WORKER');
    const rpc = await WorkerRpc.start<WorkerRequestBody, Ok, TowerSessionInfo>(entry, { modelDir, tower, options }, {
      label: 'encoder worker',
      gone: (message) => new WorkerGoneError(message),
    });
    return new TowerWorker(rpc);
  }

  /** Note: the tensors' buffers are transferred to the worker and unusable afterwards. */
  async encodeImages(tensors: Float32Array[]): Promise<Float32Array[]> {
    const buffers = [...new Set(tensors.map((t) => t.buffer as ArrayBuffer))];
    return (await this.rpc.request({ op: 'images', tensors }, buffers)).vectors;
  }

  async encodeTexts(ids: number[][]): Promise<Float32Array[]> {
    return (await this.rpc.request({ op: 'texts', ids })).vectors;
  }

  /**
   * Let requests already sent finish (a search on the old model while a model switch completes),
   * then stop the worker; anything still pending after the grace period is rejected.
   */
  close(graceMs = 10_000): Promise<void> {
    return this.rpc.close(graceMs);
  }
}
