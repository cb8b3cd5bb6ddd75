/**
 * The one place the renderer chooses and touches its transport, once, at start-up:
 * Electron (window.shiguang from the preload) → IPC; otherwise the local web mode over HTTP.
 * Everything else imports `api`, `mediaUrl` and `capabilities` from here and never knows which.
 */
import type { Capabilities, ShiguangApi } from '../../../electron/shared/api.ts';
import { createHttpTransport, type MediaKind, type Transport } from './http.ts';
import { createIpcTransport } from './ipc.ts';
import { TOKEN_STORAGE_KEY, takeTokenFromUrl } from './token.ts';

import type { ShiguangBridge } from '../../../electron/shared/bridge.ts';

declare global {
  interface Window {
    /** Present in the Electron app only (preload, contextBridge); the web mode talks HTTP. */
    shiguang?: ShiguangBridge;
  }
}

function readWebToken(): string | null {
  const { token, cleanUrl } = takeTokenFromUrl(window.location.href);
  let stored: string | null = null;
  try {
    if (token) sessionStorage.setItem(TOKEN_STORAGE_KEY, token);
    stored = sessionStorage.getItem(TOKEN_STORAGE_KEY);
  } catch {
    // Storage can be disabled; the token from the URL still works for this page load.
  }
  if (token) window.history.replaceState(window.history.state, '', cleanUrl);
  return token ?? stored;
}

function chooseTransport(): { transport: Transport; kind: Capabilities['transport'] } {
  const bridge = window.shiguang;
  if (bridge && typeof bridge.invoke === 'function') return { transport: createIpcTransport(bridge), kind: 'ipc' };
  return { transport: createHttpTransport(readWebToken(), window.fetch.bind(window)), kind: 'http' };
}

const chosen = chooseTransport();

export const transportKind: Capabilities['transport'] = chosen.kind;
export const api: ShiguangApi = chosen.transport.api;
export function mediaUrl(photoId: number, kind: MediaKind, atMs?: number): string {
  return chosen.transport.mediaUrl(photoId, kind, atMs);
}

/**
 * Asked once. If the engine cannot answer yet we assume the safe subset (no native shell) rather
 * than blocking the whole UI; the status panel will show the engine error.
 */
export const capabilities: Promise<Capabilities> = api
  .capabilities({})
  .catch((): Capabilities => ({ nativeShell: false, transport: chosen.kind, services: [] }));

export type { MediaKind };
