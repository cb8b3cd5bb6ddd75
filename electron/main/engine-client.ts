/**
 * The engine as the main process sees it: its services forwarded over the engine channel, and a
 * media provider whose every call is a message to the engine process. Requests are validated by
 * the main process's router before they are forwarded, and again by the engine process's router.
 */
import type { ApiMethod, ServiceName } from '../shared/api.ts';
import type { MediaFileKind, MediaSlice } from '../shared/handlers.ts';
import { ENGINE_MEDIA_FILE, ENGINE_MEDIA_ROOTS, ENGINE_PHOTO_CLIP, ENGINE_THUMBNAIL_ROOTS, type EngineMethod } from '../shared/ipc.ts';
import type { ApiRouter } from '../shared/router.ts';
import type { GuardedMediaProvider } from '../transport/media-guard.ts';

export type EngineCall = (method: EngineMethod, payload: unknown) => Promise<unknown>;

/** The services the engine process serves (everything but the shell, which main implements). */
export const ENGINE_SERVICES: readonly ServiceName[] = ['system', 'library', 'search', 'tags', 'ocr', 'stacks', 'models', 'settings'];

/** Registers the engine's services on `router` as forwards to the engine process. */
export function forwardEngineServices(router: ApiRouter, call: EngineCall): ApiRouter {
  return router.forward(ENGINE_SERVICES, (method: ApiMethod, req: unknown) => call(method, req));
}

export function remoteMedia(call: EngineCall): GuardedMediaProvider {
  return {
    mediaFile: async (photoId: number, kind: MediaFileKind, atMs?: number) => String(await call(ENGINE_MEDIA_FILE, { photoId, kind, atMs })),
    photoClip: async (photoId: number) => (await call(ENGINE_PHOTO_CLIP, { photoId })) as MediaSlice,
    libraryRoots: async () => (await call(ENGINE_MEDIA_ROOTS, {})) as string[],
    thumbnailRoots: async () => (await call(ENGINE_THUMBNAIL_ROOTS, {})) as string[],
  };
}
