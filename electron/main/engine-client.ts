/**
 * The engine as the main process sees it: ApiHandlers and a media provider whose every call is a
 * message to the engine process. Built from the contract's method list, so a new API method needs
 * no change here.
 */
import { apiMethods, type ApiMethod } from '../shared/api.ts';
import type { ApiHandlers, MediaKind } from '../shared/handlers.ts';
import { ENGINE_MEDIA_FILE, ENGINE_MEDIA_ROOTS, ENGINE_THUMBNAIL_ROOTS, type EngineMethod } from '../shared/ipc.ts';
import type { GuardedMediaProvider } from '../server/media-guard.ts';

export type EngineCall = (method: EngineMethod, payload: unknown) => Promise<unknown>;

export function remoteHandlers(call: EngineCall): ApiHandlers {
  const handlers: Partial<Record<ApiMethod, (req: unknown) => Promise<unknown>>> = {};
  for (const m of apiMethods) handlers[m] = (req) => call(m, req);
  // The engine process answers with the contract's response types; the cast states that trust.
  return handlers as unknown as ApiHandlers;
}

export function remoteMedia(call: EngineCall): GuardedMediaProvider {
  return {
    mediaFile: async (photoId: number, kind: MediaKind) => String(await call(ENGINE_MEDIA_FILE, { photoId, kind })),
    libraryRoots: async () => (await call(ENGINE_MEDIA_ROOTS, {})) as string[],
    thumbnailRoots: async () => (await call(ENGINE_THUMBNAIL_ROOTS, {})) as string[],
  };
}
