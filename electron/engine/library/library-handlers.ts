/** The library service's API handlers: folders, skipped files, one photo's details. */
import type { ServiceHandlers } from '../../shared/handlers.ts';
import type { UseEngine } from '../engine.ts';

export function libraryHandlers(use: UseEngine): ServiceHandlers<'library'> {
  return {
    photo: ({ photoId }) => use((e) => e.library.photo(photoId)),
    listFolders: () => use((e) => e.library.folders()),
    // As typed: `~` expanded, a relative path refused (library/folder-input.ts).
    addFolder: ({ path: typed }) =>
      use(async (e) => {
        const f = await e.addFolder(typed);
        return e.library.folder(f.id) ?? { id: f.id, path: f.path, photoCount: 0 };
      }),
    removeFolder: ({ folderId }) => use(async (e) => ({ removed: await e.removeFolder(folderId) })),
    listSkipped: ({ limit, offset }) => use((e) => e.library.skipped(limit, offset)),
  };
}
