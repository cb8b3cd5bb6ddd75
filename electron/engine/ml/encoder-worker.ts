/**
 * Worker-thread entry: owns one TowerSession so inference never blocks the thread that serves
 * queries. Protocol: workerData {modelDir, tower, options}; posts {type:'ready', info} or
 * {type:'fatal', message}; then answers {id, op, ...} requests with {id, ok, vectors | message}.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { resolveModelDir } from './model-dir.ts';
import { TowerSession, type Tower, type TowerSessionOptions } from './onnx-session.ts';

export type WorkerRequestBody = { op: 'images'; tensors: Float32Array[] } | { op: 'texts'; ids: number[][] };
export type WorkerRequest = WorkerRequestBody & { id: number };

export type WorkerReply =
  | { type: 'ready'; info: TowerSession['info'] }
  | { type: 'fatal'; message: string }
  | { id: number; ok: true; vectors: Float32Array[] }
  | { id: number; ok: false; message: string };

interface Init {
  modelDir: string;
  tower: Tower;
  options: TowerSessionOptions;
}

const port = parentPort;
if (!port) throw new Error('encoder-worker must run in a worker thread');

async function main(init: Init): Promise<void> {
  let session: TowerSession;
  try {
    session = await TowerSession.open(resolveModelDir(init.modelDir), init.tower, init.options);
  } catch (err) {
    port!.postMessage({ type: 'fatal', message: err instanceof Error ? err.message : String(err) } satisfies WorkerReply);
    return;
  }
  port!.postMessage({ type: 'ready', info: session.info } satisfies WorkerReply);
  // Requests are served one at a time: ORT already uses every intra-op thread for one run.
  let queue = Promise.resolve();
  port!.on('message', (req: WorkerRequest) => {
    queue = queue.then(async () => {
      try {
        const vectors = req.op === 'images' ? await session.encodeImages(req.tensors) : await session.encodeTexts(req.ids);
        port!.postMessage({ id: req.id, ok: true, vectors } satisfies WorkerReply, vectors.map((v) => v.buffer as ArrayBuffer));
      } catch (err) {
        port!.postMessage({ id: req.id, ok: false, message: err instanceof Error ? err.message : String(err) } satisfies WorkerReply);
      }
    });
  });
}

void main(workerData as Init);
