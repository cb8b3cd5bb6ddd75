/**
 * Worker-thread entry for the ONNX graph work of the model manager — quantizing a model and the
 * short-sequence rewrite with its parity proof. Both decode and rewrite protobufs of hundreds of MB
 * and run test inferences for seconds to tens of seconds: on the engine's own thread they would
 * hold up every API request meanwhile. Protocol: workerData {op, ...args}; posts {type:'progress'}
 * messages, then {type:'done', result} or {type:'failed', message, name}.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { quantizeModelDir, type QuantizeModelOptions } from './quantize-model.ts';
import { addVariableLengthText } from './variable-length-model.ts';

export type GraphJob =
  | { op: 'quantize'; srcDir: string; outDir: string; options: Omit<QuantizeModelOptions, 'onProgress'> }
  | { op: 'variable-length'; modelDir: string };

export type GraphWorkerMessage =
  | { type: 'progress'; progress: unknown }
  | { type: 'done'; result: unknown }
  | { type: 'failed'; message: string; name: string };

const port = parentPort;
if (!port) throw new Error('graph-worker must run in a worker thread');

async function run(job: GraphJob): Promise<unknown> {
  if (job.op === 'quantize') {
    return quantizeModelDir(job.srcDir, job.outDir, { ...job.options, onProgress: (progress) => port!.postMessage({ type: 'progress', progress } satisfies GraphWorkerMessage) });
  }
  return addVariableLengthText(job.modelDir);
}

run(workerData as GraphJob).then(
  (result) => port.postMessage({ type: 'done', result } satisfies GraphWorkerMessage),
  (err: unknown) => port.postMessage({ type: 'failed', message: err instanceof Error ? err.message : String(err), name: err instanceof Error ? err.name : 'Error' } satisfies GraphWorkerMessage),
);
