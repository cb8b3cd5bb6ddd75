/**
 * Builds window.shiguang from a raw invoke function, so the unwrapping is testable without
 * Electron. The bridge holds no reference to ipcRenderer: the page gets two plain functions.
 */
import type { ApiErrorPayload } from '../shared/api.ts';
import type { ShiguangBridge } from '../shared/bridge.ts';
import { desktopMediaUrl, type InvokeEnvelope, type InvokeResult } from '../shared/ipc.ts';

export type RawInvoke = (envelope: InvokeEnvelope) => Promise<unknown>;

function isInvokeResult(x: unknown): x is InvokeResult {
  return typeof x === 'object' && x !== null && typeof (x as InvokeResult).ok === 'boolean';
}

export function makeBridge(raw: RawInvoke): ShiguangBridge {
  return {
    invoke: (async (method: string, req: unknown) => {
      const res = await raw({ method, payload: req ?? {} });
      if (!isInvokeResult(res)) {
        throw { code: 'INTERNAL', message: 'malformed reply from the main process' } satisfies ApiErrorPayload;
      }
      if (res.ok) return res.result;
      // A plain {code, message}: the context bridge would strip `code` from an Error object.
      throw { code: res.error.code, message: res.error.message } satisfies ApiErrorPayload;
    }) as ShiguangBridge['invoke'],
    mediaUrl: (photoId, kind, atMs) => desktopMediaUrl(photoId, kind, atMs),
  };
}
