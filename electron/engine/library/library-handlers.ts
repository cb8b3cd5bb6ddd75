/** The library service's API handlers: folders, skipped files, one photo's details, browsing, the timeline, places. */
import type { PhotoFilter, PhotoPlace, PlaceSummary } from '../../shared/api.ts';
import type { ServiceHandlers } from '../../shared/handlers.ts';
import type { Use } from '../util/use.ts';
import type { LibraryService } from './library-service.ts';

/** Adding and removing library folders: the engine's (they start and stop indexing and watching). */
export interface FolderActions {
  /** A folder as typed (refused with ApiError.detail's reason when it cannot be added). */
  addFolder(typed: string): Promise<{ id: number; path: string }>;
  removeFolder(folderId: number): Promise<boolean>;
}

/** The library's places (places/places-service.ts), handed in: library/ sits below the features. */
export interface PlaceDirectory {
  tree(filter: PhotoFilter, depth?: number): PlaceSummary[];
  ofPhoto(photoId: number): PhotoPlace[];
}

export function libraryHandlers(use: Use<{ library: LibraryService; folders: FolderActions; places: PlaceDirectory }>): ServiceHandlers<'library'> {
  return {
    photo: ({ photoId }) =>
      use(async ({ library, places }) => ({ ...library.photo(photoId), places: places.ofPhoto(photoId), live: await library.liveClip(photoId) })),
    listFolders: () => use(({ library }) => library.folders()),
    // As typed: `~` expanded, a relative path refused (library/folder-input.ts).
    addFolder: ({ path: typed }) =>
      use(async ({ library, folders }) => {
        const f = await folders.addFolder(typed);
        return library.folder(f.id) ?? { id: f.id, path: f.path, photoCount: 0 };
      }),
    removeFolder: ({ folderId }) => use(async ({ folders }) => ({ removed: await folders.removeFolder(folderId) })),
    listSkipped: ({ limit, offset }) => use(({ library }) => library.skipped(limit, offset)),
    browse: ({ filter, limit, cursor }) => use(({ library }) => library.browse(filter, limit, cursor)),
    timeline: ({ filter }) => use(({ library }) => library.timeline(filter)),
    places: ({ filter, depth }) => use(({ places }) => places.tree(filter, depth)),
  };
}
