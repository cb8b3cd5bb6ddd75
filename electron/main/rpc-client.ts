/**
 * Request/response correlation over a message channel (the engine utility process). Pure: the
 * channel is a `send` function and the owner feeds replies to handleMessage, so tests drive it
 * with a fake child. Every call ends: with the reply, on timeout, or when failAll is called
 * because the process died — never hangs.
 */
import { ApiError, apiError, isApiErrorPayload } from '../shared/api.ts';
import type { EngineRequest, EngineResponse } from '../shared/ipc.ts';

interface Pending {
  resolve(v: unknown): void;
  reject(e: ApiError): void;
  timer: ReturnType<typeof setTimeout> | null;
}

export interface RpcTimers {
  setTimeout(fn: () => void, ms: number): ReturnType<typeof setTimeout>;
  clearTimeout(t: ReturnType<typeof setTimeout>): void;
}

export function isEngineResponse(msg: unknown): msg is EngineResponse {
  if (typeof msg !== 'object' || msg === null) return false;
  const m = msg as Record<string, unknown>;
  if (typeof m.id !== 'number' || typeof m.ok !== 'boolean') return false;
  return m.ok ? 'result' in m : isApiErrorPayload(m.error);
}

export class RpcClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(
    private readonly send: (msg: EngineRequest) => void,
    /** 0 disables the per-request timeout. */
    private readonly timeoutMs = 0,
    private readonly timers: RpcTimers = globalThis,
  ) {}

  get inFlight(): number {
    return this.pending.size;
  }

  call(method: string, payload: unknown): Promise<unknown> {
    const id = this.nextId++;
    return new Promise<unknown>((resolve, reject) => {
      const timer =
        this.timeoutMs > 0
          ? this.timers.setTimeout(() => {
              this.settle(id)?.reject(
                apiError('engine-timeout', { seconds: String(Math.round(this.timeoutMs / 1000)) }, `the engine did not answer ${method} within ${Math.round(this.timeoutMs / 1000)} s`),
              );
            }, this.timeoutMs)
          : null;
      this.pending.set(id, { resolve, reject, timer });
      try {
        this.send({ id, method, payload });
      } catch (err) {
        this.settle(id)?.reject(apiError('engine-unreachable', {}, `could not reach the engine: ${ApiError.from(err).message}`));
      }
    });
  }

  /** Feed a message from the child; returns false when it is not a response to us. */
  handleMessage(msg: unknown): boolean {
    if (!isEngineResponse(msg)) return false;
    const p = this.settle(msg.id);
    if (!p) return true; // late reply after a timeout: drop it
    if (msg.ok) p.resolve(msg.result);
    else p.reject(ApiError.from(msg.error));
    return true;
  }

  /** Reject everything in flight, e.g. with ENGINE_UNAVAILABLE when the process exited. */
  failAll(error: ApiError): void {
    for (const id of [...this.pending.keys()]) this.settle(id)?.reject(error);
  }

  private settle(id: number): Pending | undefined {
    const p = this.pending.get(id);
    if (!p) return undefined;
    this.pending.delete(id);
    if (p.timer !== null) this.timers.clearTimeout(p.timer);
    return p;
  }
}
