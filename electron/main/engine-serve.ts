/**
 * The engine process's side of the main⇄engine channel: answers {id, method, payload} with
 * {id, ok, result | error}. API requests go through the engine process's ApiRouter, which
 * validates them again (the contract says every transport validates on the engine side); media
 * lookups have their own small schema.
 * Pure: the port is anything with postMessage/on('message'), so it runs under plain Node in tests.
 */
import { z } from 'zod';
import { ApiError, apiError } from '../shared/api.ts';
import type { ApiRouter } from '../shared/router.ts';
import type { MediaFileKind } from '../shared/handlers.ts';
import {
  ENGINE_MEDIA_FILE,
  ENGINE_MEDIA_ROOTS,
  ENGINE_THUMBNAIL_ROOTS,
  ENGINE_PHOTO_CLIP,
  MEDIA_KINDS,
  type EngineRequest,
  type EngineResponse,
} from '../shared/ipc.ts';
import type { GuardedMediaProvider } from '../transport/media-guard.ts';

export interface ServedEngine {
  router: ApiRouter;
  media: GuardedMediaProvider;
}

/** Electron's process.parentPort delivers MessageEvent-like {data}; Node ports deliver the value. */
export interface EnginePort {
  postMessage(msg: unknown): void;
  on(event: 'message', cb: (e: unknown) => void): unknown;
}

const mediaFileReq = z.object({
  photoId: z.number().int().positive(),
  kind: z.enum(MEDIA_KINDS.filter((k) => k !== 'live') as [MediaFileKind, ...MediaFileKind[]]),
  atMs: z.number().int().min(0).optional(),
});

const photoClipReq = z.object({ photoId: z.number().int().positive() });

function isRequest(x: unknown): x is EngineRequest {
  return typeof x === 'object' && x !== null && typeof (x as EngineRequest).id === 'number' && typeof (x as EngineRequest).method === 'string';
}

export async function handleEngineRequest(engine: ServedEngine, req: EngineRequest): Promise<EngineResponse> {
  try {
    let result: unknown;
    if (req.method === ENGINE_MEDIA_FILE) {
      const p = mediaFileReq.safeParse(req.payload);
      if (!p.success) throw apiError('invalid-request', { field: 'media', kind: 'bad-format', limit: '' }, 'invalid media request');
      result = await engine.media.mediaFile(p.data.photoId, p.data.kind, p.data.atMs);
    } else if (req.method === ENGINE_MEDIA_ROOTS) {
      result = await engine.media.libraryRoots();
    } else if (req.method === ENGINE_PHOTO_CLIP) {
      const p = photoClipReq.safeParse(req.payload);
      if (!p.success || !engine.media.photoClip) throw apiError('invalid-request', { field: 'media', kind: 'bad-format', limit: '' }, 'invalid clip request');
      result = await engine.media.photoClip(p.data.photoId);
    } else if (req.method === ENGINE_THUMBNAIL_ROOTS) {
      result = engine.media.thumbnailRoots ? await engine.media.thumbnailRoots() : [];
    } else {
      result = await engine.router.call(req.method, req.payload);
    }
    return { id: req.id, ok: true, result: result ?? null };
  } catch (err) {
    return { id: req.id, ok: false, error: ApiError.from(err).toPayload() };
  }
}

export function serveEngine(port: EnginePort, engine: ServedEngine): void {
  port.on('message', (e) => {
    const msg = typeof e === 'object' && e !== null && 'data' in e ? (e as { data: unknown }).data : e;
    if (!isRequest(msg)) return;
    void handleEngineRequest(engine, msg).then((res) => {
      try {
        port.postMessage(res);
      } catch (err) {
        // A result that cannot be cloned must still answer, or the caller would wait forever.
        port.postMessage({ id: msg.id, ok: false, error: ApiError.from(err).toPayload() } satisfies EngineResponse);
      }
    });
  });
}
