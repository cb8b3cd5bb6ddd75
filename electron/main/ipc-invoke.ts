/**
 * The main-process end of INVOKE_CHANNEL. Everything the renderer sends is untrusted: the sender
 * must be our own page; the router then checks the method is in the contract and the payload
 * passes its zod schema before any handler runs. Failures come back as {ok:false, error:{code, message}} —
 * a malformed message never throws into Electron's IPC machinery or crashes the main process.
 */
import { ApiError, apiError } from '../shared/api.ts';
import type { ApiRouter } from '../shared/router.ts';
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

export function createInvokeListener(router: ApiRouter) {
  return async (event: InvokeEventLike, envelope: unknown): Promise<InvokeResult> => {
    try {
      if (!isTrustedSender(event)) throw apiError('request-untrusted', {}, 'request from a page that is not the app');
      if (typeof envelope !== 'object' || envelope === null) throw apiError('invalid-request', { field: '', kind: 'wrong-type', limit: '' }, 'expected {method, payload}');
      const { method, payload } = envelope as { method?: unknown; payload?: unknown };
      if (typeof method !== 'string') throw apiError('unknown-method', { method: '' }, 'unknown method (none)');
      const result = await router.call(method, payload);
      return { ok: true, result: result ?? null };
    } catch (err) {
      return { ok: false, error: ApiError.from(err).toPayload() };
    }
  };
}
