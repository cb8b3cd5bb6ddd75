/**
 * The object the desktop preload exposes as `window.shiguang` (contextBridge). It is the whole
 * surface the renderer gets in Electron: no ipcRenderer, no Node.
 *
 * `invoke` rejects with a plain ApiErrorPayload object ({code, message}), not an Error: the
 * context bridge drops custom properties of Error objects, so an Error would lose its code.
 * Wrap rejections with ApiError.from(err) to get an ApiError back.
 *
 * The `window.shiguang` global itself is declared by the renderer (renderer/src/api), which owns
 * the page's globals; this interface is what the preload implements.
 */
import type { ApiMethod, ApiRequest, ApiResponse } from './api.ts';
import type { MediaKind } from './handlers.ts';

export interface ShiguangBridge {
  invoke<M extends ApiMethod>(method: M, req: ApiRequest<M>): Promise<ApiResponse<M>>;
  /** `shiguang://media/<kind>/<photoId>` (a frame: `…/frame/<id>/<ms>`); only indexed photos inside the library are served. */
  mediaUrl(photoId: number, kind: MediaKind, atMs?: number): string;
}
