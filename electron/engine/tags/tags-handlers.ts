/** The tags service's API handlers: the taxonomy with counts, photos by tag, albums, custom tags. */
import type { ServiceHandlers } from '../../shared/handlers.ts';
import type { UseEngine } from '../engine.ts';

export function tagsHandlers(use: UseEngine): ServiceHandlers<'tags'> {
  return {
    listTags: () => use((e) => e.tags.listTags()),
    photosByTag: ({ tag, limit }) => use((e) => e.tags.photosByTag(tag, limit)),
    albums: () => use((e) => e.tags.albums()),
    addCustomTag: ({ name }) => use((e) => e.tags.addCustomTag(name)),
    removeTag: ({ name }) => use((e) => e.tags.removeTag(name)),
  };
}
