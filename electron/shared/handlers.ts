/**
 * What a transport (Electron IPC host, HTTP web mode) needs from the engine: one handler per API
 * method taking the already-validated request, plus file lookups for the media protocol.
 * Pure types: the engine implements them (electron/engine/engine.ts), transports consume them.
 */
import type { ApiMethod, ApiParsedRequest, ApiResponse } from './api.ts';

export type ApiHandlers = {
  [M in ApiMethod]: (req: ApiParsedRequest<M>) => Promise<ApiResponse<M>>;
};

export type MediaKind = 'thumb' | 'original';

export interface MediaProvider {
  /**
   * Absolute path of the file to serve for an indexed photo: the cached thumbnail (generated on
   * demand) or the original. Rejects with ApiError('NOT_FOUND') when the id is not in the index,
   * so transports never serve a path that is not a known photo.
   */
  mediaFile(photoId: number, kind: MediaKind): Promise<string>;
  /** The library roots (watched folders); transports refuse files whose real path is outside them. */
  libraryRoots(): Promise<string[]>;
  /** Where generated thumbnails live: also servable, but only as files the engine returned. */
  thumbnailRoots?(): Promise<string[]>;
}
