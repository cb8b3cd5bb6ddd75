/**
 * Request/reply over a worker thread, both ends, shared by the encoder and OCR workers.
 *
 * Protocol: the worker posts `{type:'ready', info}` (or `{type:'fatal', message}`) once, then
 * answers each `{id, ...request}` with `{id, ok:true, ...result}` or `{id, ok:false, message}`,
 * one request at a time (ONNX Runtime already spreads one run over every intra-op thread).
 * The main side correlates replies with requests, transfers the buffers it is given instead of
 * copying them, and rejects everything in flight if the worker dies.
 */
import { pathToFileURL } from 'node:url';
import { parentPort, type Worker } from 'node:worker_threads';
import { startWorker } from './worker.ts';

type StartupMessage<Info> = { type: 'ready'; info: Info } | { type: 'fatal'; message: string };
type Failure = { id: number; ok: false; message: string };
type Success = { id: number; ok: true };

/**
 * The entry module `name` beside `from` (the caller's import.meta.url): `.ts` from source, `.js`
 * in the bundle, or the path in the environment variable `envOverride` when it is set.
 */
export function workerEntry(from: string, name: string, envOverride: string): URL {
  const override = process.env[envOverride];
  if (override) return pathToFileURL(override);
  const ext = from.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./${name}${ext}`, from);
}

export interface WorkerRpcOptions {
  /** Names the worker in errors: "<label> crashed: …", "<label> exited (code n)", "<label> closed". */
  label: string;
  /** The error requests reject with once the worker is dead or closed (e.g. a typed one). */
  gone?: (message: string) => Error;
}

/** Main-thread handle: `Req` is a request without its id, `Ok` a successful reply. */
export class WorkerRpc<Req extends object, Ok extends Success, Info> {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: Ok) => void; reject: (e: Error) => void }>();
  private dead: Error | null = null;
  private readonly gone: (message: string) => Error;

  private constructor(
    private readonly worker: Worker,
    readonly info: Info,
    private readonly label: string,
    gone: ((message: string) => Error) | undefined,
  ) {
    this.gone = gone ?? ((message) => new Error(message));
    worker.on('message', (msg: Ok | Failure | StartupMessage<Info>) => {
      if (!('id' in msg)) return;
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.ok) p.resolve(msg);
      else p.reject(new Error(msg.message));
    });
    const fail = (err: Error): void => {
      this.dead = err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    worker.on('error', (e) => fail(this.gone(`${label} crashed: ${e.message}`)));
    worker.on('exit', (code) => fail(this.gone(`${label} exited (code ${code})`)));
  }

  /** Starts the worker and resolves once it is ready (rejects with its start-up failure). */
  static start<Req extends object, Ok extends Success, Info>(entry: URL, workerData: unknown, opts: WorkerRpcOptions): Promise<WorkerRpc<Req, Ok, Info>> {
    const worker = startWorker(entry, { workerData });
    const { label } = opts;
    return new Promise((resolve, reject) => {
      const onExit = (code: number): void => reject(new Error(`${label} exited during start-up (code ${code})`));
      worker.once('error', reject);
      worker.once('exit', onExit);
      worker.once('message', (msg: StartupMessage<Info> | Success | Failure) => {
        worker.off('error', reject);
        worker.off('exit', onExit);
        if ('type' in msg && msg.type === 'ready') resolve(new WorkerRpc<Req, Ok, Info>(worker, msg.info, label, opts.gone));
        else {
          void worker.terminate();
          reject(new Error('type' in msg && msg.type === 'fatal' ? msg.message : `${label} sent an unexpected first message`));
        }
      });
    });
  }

  /** False once the worker has died or been closed; requests then fail at once. */
  get alive(): boolean {
    return this.dead === null;
  }

  /** Sends one request; the `transfer` buffers move to the worker and are unusable afterwards. */
  request(req: Req, transfer: readonly ArrayBuffer[] = []): Promise<Ok> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...req, id }, [...transfer]);
    });
  }

  /**
   * Let requests already sent finish, then stop the worker; anything still pending after the
   * grace period is rejected, never left hanging.
   */
  async close(graceMs = 10_000): Promise<void> {
    const deadline = Date.now() + graceMs;
    while (this.pending.size > 0 && !this.dead && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    this.worker.removeAllListeners('exit');
    const err = this.gone(`${this.label} closed`);
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    this.dead = err;
    await this.worker.terminate();
  }
}

/** What a worker does with one request: the reply's fields (without id/ok) and buffers to transfer. */
export type RequestHandler<Req, Ok extends Success> = (req: Req) => Promise<{ result: Omit<Ok, 'id' | 'ok'>; transfer?: ArrayBuffer[] }>;

/**
 * Worker side: `open` sets the worker up (its failure is posted as fatal), then every request is
 * handled in arrival order and answered, a thrown error as `{ok:false, message}`.
 */
export function serveRequests<Req extends { id: number }, Ok extends Success, Info>(
  name: string,
  open: () => Promise<{ info: Info; handle: RequestHandler<Req, Ok> }>,
): void {
  const port = parentPort;
  if (!port) throw new Error(`${name} must run in a worker thread`);
  const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));
  void (async () => {
    let served: { info: Info; handle: RequestHandler<Req, Ok> };
    try {
      served = await open();
    } catch (err) {
      port.postMessage({ type: 'fatal', message: message(err) } satisfies StartupMessage<Info>);
      return;
    }
    port.postMessage({ type: 'ready', info: served.info } satisfies StartupMessage<Info>);
    let queue = Promise.resolve();
    port.on('message', (req: Req) => {
      queue = queue.then(async () => {
        try {
          const { result, transfer } = await served.handle(req);
          port.postMessage({ ...result, id: req.id, ok: true }, transfer ?? []);
        } catch (err) {
          port.postMessage({ id: req.id, ok: false, message: message(err) } satisfies Failure);
        }
      });
    });
  })();
}
