/**
 * Names and message shapes of the desktop transport. Derived from the API contract in ./api.ts:
 * there is ONE renderer→main channel carrying {method, payload}, so adding an API method never
 * adds a channel, and the main process validates every call against `requestSchemas`.
 *
 * Pure TypeScript (compiled for both the renderer and Node): no Node, DOM or Electron imports.
 */
import type { ApiErrorPayload, ApiMethod } from './api.ts';
import type { MediaKind } from './handlers.ts';

/** The single ipcRenderer.invoke / ipcMain.handle channel. */
export const INVOKE_CHANNEL = 'shiguang:invoke';

/** Privileged custom scheme: `shiguang://app/…` serves the renderer, `shiguang://media/…` photos. */
export const APP_SCHEME = 'shiguang';
export const APP_HOST = 'app';
export const MEDIA_HOST = 'media';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const MEDIA_KINDS: readonly MediaKind[] = ['thumb', 'original', 'frame', 'live'];

/** The path of a media request, after the host (desktop) or /media (web): a frame carries its moment in ms. */
export function mediaPath(photoId: number, kind: MediaKind, atMs?: number): string {
  return kind === 'frame' ? `/frame/${photoId}/${Math.max(0, Math.round(atMs ?? 0))}` : `/${kind}/${photoId}`;
}

/** URL of a photo's thumbnail or original (or a video's frame) on the desktop media protocol. */
export function desktopMediaUrl(photoId: number, kind: MediaKind, atMs?: number): string {
  return `${APP_SCHEME}://${MEDIA_HOST}${mediaPath(photoId, kind, atMs)}`;
}

/** What the renderer sends on INVOKE_CHANNEL. `method` is checked with isApiMethod in main. */
export interface InvokeEnvelope {
  method: string;
  payload: unknown;
}

/**
 * What main answers. Errors travel as data, not as a thrown Error: Electron keeps only the message
 * of errors thrown across ipcMain.handle and contextBridge, and the renderer needs the code.
 */
export type InvokeResult<T = unknown> = { ok: true; result: T } | { ok: false; error: ApiErrorPayload };

// ---------- main ⇄ engine utility process ----------

/** Media lookups the main process needs from the engine besides the API methods. */
export const ENGINE_MEDIA_FILE = '$media.file';
export const ENGINE_MEDIA_ROOTS = '$media.roots';
export const ENGINE_THUMBNAIL_ROOTS = '$media.thumbnailRoots';
export const ENGINE_PHOTO_CLIP = '$media.photoClip';
export type EngineMethod =
  | ApiMethod
  | typeof ENGINE_PHOTO_CLIP
  | typeof ENGINE_MEDIA_FILE
  | typeof ENGINE_MEDIA_ROOTS
  | typeof ENGINE_THUMBNAIL_ROOTS;

export interface EngineRequest {
  id: number;
  method: string;
  payload: unknown;
}

export type EngineResponse =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: ApiErrorPayload };

/** Sent once by the engine process when createEngine resolved (ready) or failed (fatal). */
export type EngineLifecycle = { type: 'ready' } | { type: 'fatal'; error: ApiErrorPayload };

/** Sent by main to ask the engine process to close its stores and exit. */
export type EngineControl = { type: 'shutdown' };
