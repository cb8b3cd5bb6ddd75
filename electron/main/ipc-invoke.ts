/**
 * The main-process end of INVOKE_CHANNEL. Everything the renderer sends is untrusted: the sender
 * must be our own page, the method must be in the contract and the payload must pass its zod
 * schema before any handler runs. Failures come back as {ok:false, error:{code, message}} —
 * a malformed message never throws into Electron's IPC machinery or crashes the main process.
 */
import { ApiError, isApiMethod, parseRequest } from '../shared/api.ts';
import type { ApiHandlers } from '../shared/handlers.ts';
import { APP_HOST, APP_SCHEME, type InvokeResult } from '../shared/ipc.ts';

/** The part of IpcMainInvokeEvent we look at. */
export interface InvokeEventLike {
  senderFrame: { url: string } | null;
}

export function isTrustedSender(event: InvokeEventLike): boolean {
  const url = event.senderFrame?.url;
  if (!url) return false;
  try {
    // Compare scheme and host: Node's URL reports origin "null" for non-special schemes.
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}

export function createInvokeListener(handlers: ApiHandlers) {
  return async (event: InvokeEventLike, envelope: unknown): Promise<InvokeResult> => {
    try {
      if (!isTrustedSender(event)) throw new ApiError('BAD_REQUEST', 'request from a page that is not the app');
      if (typeof envelope !== 'object' || envelope === null) throw new ApiError('BAD_REQUEST', 'expected {method, payload}');
      const { method, payload } = envelope as { method?: unknown; payload?: unknown };
      if (typeof method !== 'string' || !isApiMethod(method)) {
        throw new ApiError('BAD_REQUEST', `unknown method ${typeof method === 'string' ? method : '(none)'}`);
      }
      const parsed = parseRequest(method, payload);
      const result = await (handlers[method] as (r: unknown) => Promise<unknown>)(parsed);
      return { ok: true, result: result ?? null };
    } catch (err) {
      return { ok: false, error: ApiError.from(err).toPayload() };
    }
  };
}
