/**
 * The local web-mode transport: POST /api/<method> with a bearer token; media through
 * /media/<kind>/<id>?token=… because <img> cannot send headers.
 * Takes fetch as a parameter so unit tests can drive it without a server.
 */
import type { ShiguangApi } from '../../../electron/shared/api.ts';
import { mediaPath } from '../../../electron/shared/ipc.ts';
import { ApiCallError, isErrorPayload, toCallError } from './errors.ts';

export type MediaKind = 'thumb' | 'original' | 'frame' | 'live';

export interface Transport {
  api: ShiguangApi;
  /** A frame (a video's picture at a moment) carries the moment in ms. */
  mediaUrl(photoId: number, kind: MediaKind, atMs?: number): string;
}

/** A typed object whose every property is an API call; `then` stays undefined so it is not a thenable. */
export function apiFromInvoke(invoke: (method: string, req: unknown) => Promise<unknown>): ShiguangApi {
  return new Proxy({} as ShiguangApi, {
    get(_target, name) {
      if (typeof name !== 'string' || name === 'then') return undefined;
      return (req: unknown) => invoke(name, req ?? {});
    },
  });
}

export function createHttpTransport(token: string | null, fetchImpl: typeof fetch = fetch, base = ''): Transport {
  async function invoke(method: string, req: unknown): Promise<unknown> {
    let res: Response;
    try {
      res = await fetchImpl(`${base}/api/${encodeURIComponent(method)}`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(req ?? {}),
      });
    } catch (err) {
      throw new ApiCallError('NETWORK', err instanceof Error ? err.message : String(err));
    }
    const text = await res.text();
    let body: unknown = undefined;
    if (text.length > 0) {
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
    }
    if (res.status === 401 || res.status === 403) {
      const msg = isErrorPayload(body) ? body.message : `HTTP ${res.status}`;
      throw new ApiCallError('UNAUTHORIZED', msg);
    }
    if (!res.ok) {
      if (isErrorPayload(body)) throw toCallError(body);
      // A proxy or crash page rather than the engine: keep the start of it as the message.
      throw new ApiCallError(res.status >= 500 ? 'INTERNAL' : 'BAD_REQUEST', `HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`);
    }
    if (body === undefined && text.length > 0) throw new ApiCallError('INTERNAL', `invalid JSON from /api/${method}`);
    return body;
  }
  return {
    api: apiFromInvoke(invoke),
    mediaUrl(photoId, kind, atMs) {
      const q = token ? `?token=${encodeURIComponent(token)}` : '';
      return `${base}/media${mediaPath(photoId, kind, atMs)}${q}`;
    },
  };
}
