/** The library service's API handlers: folders, skipped files, one photo's details. */
import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../../shared/api.ts';
import type { ServiceHandlers } from '../../shared/handlers.ts';
import type { UseEngine } from '../engine.ts';

export function libraryHandlers(use: UseEngine): ServiceHandlers<'library'> {
  return {
    photo: ({ photoId }) => use((e) => e.library.photo(photoId)),
    listFolders: () => use((e) => e.library.folders()),
    addFolder: ({ path: p }) =>
      use(async (e) => {
        const abs = path.resolve(p);
        if (!fs.existsSync(abs)) throw new ApiError('NOT_FOUND', `folder not found: ${abs}`);
        const f = await e.addFolder(abs);
        return e.library.folder(f.id) ?? { id: f.id, path: f.path, photoCount: 0 };
      }),
    removeFolder: ({ folderId }) => use(async (e) => ({ removed: await e.removeFolder(folderId) })),
    listSkipped: ({ limit, offset }) => use((e) => e.library.skipped(limit, offset)),
  };
}
