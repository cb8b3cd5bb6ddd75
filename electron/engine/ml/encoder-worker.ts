/**
 * Worker-thread entry: owns one TowerSession so inference never blocks the thread that serves
 * queries. workerData {modelDir, tower, options}; requests {op:'images', tensors} or
 * {op:'texts', ids}, answered with {vectors} (transferred) over util/worker-rpc.ts's protocol.
 */
import { workerData } from 'node:worker_threads';
import { serveRequests } from '../util/worker-rpc.ts';
import { resolveModelDir } from './model-dir.ts';
import { TowerSession, type Tower, type TowerSessionOptions } from './onnx-session.ts';

export type WorkerRequestBody = { op: 'images'; tensors: Float32Array[] } | { op: 'texts'; ids: number[][] };
export type WorkerRequest = WorkerRequestBody & { id: number };

export type WorkerReply = { id: number; ok: true; vectors: Float32Array[] } | { id: number; ok: false; message: string };

interface Init {
  modelDir: string;
  tower: Tower;
  options: TowerSessionOptions;
}

serveRequests<WorkerRequest, Extract<WorkerReply, { ok: true }>, TowerSession['info']>('encoder-worker', async () => {
  const init = workerData as Init;
  const session = await TowerSession.open(resolveModelDir(init.modelDir), init.tower, init.options);
  return {
    info: session.info,
    handle: async (req) => {
      const vectors = req.op === 'images' ? await session.encodeImages(req.tensors) : await session.encodeTexts(req.ids);
      return { result: { vectors }, transfer: vectors.map((v) => v.buffer as ArrayBuffer) };
    },
  };
});
