/**
 * What transports serve: one handler per API method, grouped by service (see apiServices in
 * api.ts). Each service implements its own ServiceHandlers interface where it lives; a transport
 * registers the services it has with an ApiRouter (router.ts). Pure types and a pure router: no
 * Node, DOM or Electron.
 */
import type { ApiMethod, ApiParsedRequest, ApiResponse, ServiceMethod, ServiceName } from './api.ts';

export type Handler<M extends ApiMethod> = (req: ApiParsedRequest<M>) => Promise<ApiResponse<M>>;

/** The handlers of one service: exactly its methods. */
export type ServiceHandlers<S extends ServiceName> = { [M in ServiceMethod<S>]: Handler<M> };

/** A set of services, as the engine (or the main process) offers them to a router. */
export type ServiceSet = { [S in ServiceName]?: ServiceHandlers<S> };

/**
 * A thumbnail, the original file, a video's picture at a moment (`atMs`: a search segment's
 * frame), or a photo's clip (`live`: a Live Photo's .MOV, a motion photo's MP4; MediaProvider.photoClip).
 */
export type MediaKind = 'thumb' | 'original' | 'frame' | 'live';

/** What `mediaFile` serves: every kind but a clip, which is a slice of a file (`photoClip`). */
export type MediaFileKind = Exclude<MediaKind, 'live'>;

/** Bytes of a file to serve as a video: a whole .MOV, or the MP4 inside a motion photo. */
export interface MediaSlice {
  file: string;
  offset: number;
  length: number;
}

export interface MediaProvider {
  /**
   * Absolute path of the file to serve for an indexed photo: the cached thumbnail (generated on
   * demand) or the original. Rejects with ApiError('NOT_FOUND') when the id is not in the index,
   * so transports never serve a path that is not a known photo.
   */
  mediaFile(photoId: number, kind: MediaFileKind, atMs?: number): Promise<string>;
  /** The photo's clip (media `live`): ApiError photo-no-live-clip when it has none. */
  photoClip?(photoId: number): Promise<MediaSlice>;
  /** The library roots (watched folders); transports refuse files whose real path is outside them. */
  libraryRoots(): Promise<string[]>;
  /** Where generated thumbnails live: also servable, but only as files the engine returned. */
  thumbnailRoots?(): Promise<string[]>;
}
