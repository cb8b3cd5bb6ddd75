import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Start a worker thread from an entry module URL. From source (a `.ts` URL) it goes through a
 * bootstrap that registers tsx inside the worker, because workers do not inherit the parent's
 * loader hooks on Node 20. An environment override lets packaged builds point at their bundles.
 */
export function startWorker(entry: URL, options: WorkerOptions = {}): Worker {
  if (entry.pathname.endsWith('.ts')) {
    const bootstrap = new URL('./worker-bootstrap.mjs', import.meta.url);
    return new Worker(bootstrap, {
      ...options,
      workerData: { ...(options.workerData as object | undefined), __tsEntry: entry.href },
    });
  }
  return new Worker(entry, options);
}
