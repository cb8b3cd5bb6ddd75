// Lets a worker thread run a TypeScript entry when the engine runs from source (tsx, Vitest).
// Bundled builds start their compiled .js worker entries directly and never load this file.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.__tsEntry);
