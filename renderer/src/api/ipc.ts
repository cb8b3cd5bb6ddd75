/**
 * The Electron transport over window.shiguang (electron/shared/bridge.ts, exposed by the preload).
 * Errors arrive as rejected plain {code, message} objects; toCallError normalises them.
 */
import type { ApiMethod } from '../../../electron/shared/api.ts';
import type { ShiguangBridge } from '../../../electron/shared/bridge.ts';
import { apiFromInvoke, type Transport } from './http.ts';
import { toCallError } from './errors.ts';

export function createIpcTransport(bridge: ShiguangBridge): Transport {
  return {
    api: apiFromInvoke(async (method, req) => {
      try {
        // apiFromInvoke is typed by ShiguangApi at its boundary; here the method is just a name.
        return await bridge.invoke(method as ApiMethod, req as never);
      } catch (err) {
        throw toCallError(err);
      }
    }),
    mediaUrl: (photoId, kind, atMs) => bridge.mediaUrl(photoId, kind, atMs),
  };
}
