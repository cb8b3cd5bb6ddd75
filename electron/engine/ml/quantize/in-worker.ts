/**
 * The model manager's graph work (quantize-model.ts, variable-length-model.ts) run in a worker
 * thread (graph-worker.ts), so the engine keeps answering while a model is quantized or prepared.
 * Same signatures as the in-thread functions; an abort terminates the worker.
 */
import { startWorker } from '../../util/worker.ts';
import { workerEntry } from '../../util/worker-rpc.ts';
import type { GraphJob, GraphWorkerMessage } from './graph-worker.ts';
import type { QuantizeModelOptions, QuantizeModelResult, QuantizeProgress } from './quantize-model.ts';
import type { VariableLengthOutcome } from './variable-length-model.ts';

/** A failure inside the worker, with the original error's name and message. */
export class GraphJobError extends Error {
  constructor(message: string, readonly originalName: string) {
    super(message);
    this.name = originalName;
  }
}

function runJob<T>(job: GraphJob, onProgress?: (p: unknown) => void, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    signal?.throwIfAborted();
    const worker = startWorker(workerEntry(import.meta.url, 'graph-worker', 'SHIGUANG_GRAPH_WORKER'), { workerData: job });
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', abort);
      fn();
      void worker.terminate();
    };
    const abort = (): void => finish(() => reject(signal!.reason ?? new Error('aborted')));
    signal?.addEventListener('abort', abort, { once: true });
    worker.on('message', (m: GraphWorkerMessage) => {
      if (m.type === 'progress') onProgress?.(m.progress);
      else if (m.type === 'done') finish(() => resolve(m.result as T));
      else finish(() => reject(new GraphJobError(m.message, m.name)));
    });
    worker.on('error', (e) => finish(() => reject(e)));
    worker.on('exit', (code) => finish(() => reject(new Error(`graph worker exited (code ${code})`))));
  });
}

export function quantizeModelDirInWorker(srcDir: string, outDir: string, opts: QuantizeModelOptions & { signal?: AbortSignal } = {}): Promise<QuantizeModelResult> {
  const { onProgress, signal, ...options } = opts;
  return runJob<QuantizeModelResult>({ op: 'quantize', srcDir, outDir, options }, (p) => onProgress?.(p as QuantizeProgress), signal);
}

export function addVariableLengthTextInWorker(modelDir: string): Promise<VariableLengthOutcome> {
  return runJob<VariableLengthOutcome>({ op: 'variable-length', modelDir });
}
