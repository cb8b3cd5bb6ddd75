/**
 * The engine side of the typed API: one handler per method, taking requests that the transport
 * has already validated against electron/shared/api.ts. Desktop-only methods (native dialogs,
 * reveal/open) answer UNSUPPORTED here; the Electron main process implements them itself.
 */
import path from 'node:path';
import fs from 'node:fs';
import { ApiError, type PhotoDetail, type EngineStatus } from '../shared/api.ts';
import type { ApiHandlers } from '../shared/handlers.ts';
import type { Engine } from './engine.ts';
import { toHit } from './search/search-service.ts';

const desktopOnly = (what: string) => async (): Promise<never> => {
  throw new ApiError('UNSUPPORTED', `${what} is only available in the desktop app`);
};

const hostOnly = (what: string) => async (): Promise<never> => {
  throw new ApiError('UNSUPPORTED', `${what} is handled by the app host (AppHost), not a bare engine`);
};

export function createHandlers(engine: Engine): ApiHandlers {
  const { lib } = engine;
  const photoOr404 = (photoId: number) => {
    const row = lib.photos.get(photoId);
    if (!row) throw new ApiError('NOT_FOUND', `no photo with id ${photoId}`);
    return row;
  };

  return {
    capabilities: async () => ({ nativeShell: false, transport: 'http' }),

    status: async (): Promise<EngineStatus> => {
      const m = engine.model.model.manifest;
      return {
        counts: lib.photos.counts(),
        progress: engine.indexer.snapshot(),
        model: { id: m.id, name: m.name, embeddingDim: m.embeddingDim },
        provider: await engine.model.providerReport(),
      };
    },

    search: async ({ query, limit, ...filters }) => withTags(engine, await engine.search.text(query, limit, filters)),
    similar: async ({ photoId, limit, ...filters }) => withTags(engine, await engine.search.similar(photoId, limit, filters)),
    similarToImage: async ({ dataBase64, limit, ...filters }) => {
      const bytes = Buffer.from(dataBase64, 'base64');
      if (bytes.length === 0) throw new ApiError('BAD_REQUEST', 'the dropped file is empty');
      return withTags(engine, await engine.search.similarToImage(bytes, limit, filters));
    },

    photo: async ({ photoId }): Promise<PhotoDetail> => {
      const r = photoOr404(photoId);
      const { score: _score, ...hit } = toHit(r, 0);
      return {
        ...hit,
        size: r.size,
        mtime: new Date(r.mtimeMs).toISOString(),
        cameraMake: r.cameraMake,
        cameraModel: r.cameraModel,
        gps: r.gpsLat != null && r.gpsLon != null ? { lat: r.gpsLat, lon: r.gpsLon } : null,
        status: r.status,
        skipReason: r.skipReason,
        tags: lib.tags.photoTags(photoId),
      };
    },

    listFolders: async () => lib.folders.list(),
    addFolder: async ({ path: p }) => {
      const abs = path.resolve(p);
      if (!fs.existsSync(abs)) throw new ApiError('NOT_FOUND', `folder not found: ${abs}`);
      const f = await engine.addFolder(abs);
      return lib.folders.list().find((x) => x.id === f.id) ?? { id: f.id, path: f.path, photoCount: 0 };
    },
    removeFolder: async ({ folderId }) => ({ removed: await engine.removeFolder(folderId) }),
    listSkipped: async ({ limit, offset }) => lib.photos.listSkipped(limit, offset),

    listTags: async () => engine.tags.listTags(),
    photosByTag: async ({ tag, limit }) => {
      const found = lib.tags.photosByTag(tag, limit);
      const rows = new Map(lib.photos.getMany(found.map((f) => f.photoId)).map((r) => [r.id, r]));
      return found.flatMap((f) => {
        const r = rows.get(f.photoId);
        return r ? [toHit(r, f.score)] : [];
      });
    },
    albums: async () => engine.tags.albums(),
    addCustomTag: async ({ name }) => engine.tags.addCustomTag(name),
    removeTag: async ({ name }) => engine.tags.removeTag(name),

    chooseFolders: desktopOnly('choosing folders with a dialog'),
    revealPhoto: desktopOnly('revealing a photo in its folder'),
    openPhoto: desktopOnly('opening a photo in the system viewer'),

    // Choosing, downloading and configuring models needs the engine to be reopened: the app host
    // (app-host.ts) answers these around the engine; a bare engine cannot.
    listModels: hostOnly('listing models'),
    downloadModel: hostOnly('downloading models'),
    modelDownloads: hostOnly('download progress'),
    useModel: hostOnly('switching models'),
    settings: hostOnly('settings'),
    rebuildLibrary: hostOnly('rebuilding a damaged library'),
    updateSettings: hostOnly('changing settings'),
  };
}

async function withTags<T extends { hits: { id: number; tags?: { name: string; score: number }[] }[] }>(engine: Engine, res: T): Promise<T> {
  const tags = engine.lib.tags.photoTagsMany(res.hits.map((h) => h.id));
  for (const h of res.hits) h.tags = tags.get(h.id) ?? [];
  return res;
}
