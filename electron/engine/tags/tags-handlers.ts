/** The tags service's API handlers: the taxonomy with counts, albums, custom tags. */
import type { ServiceHandlers } from '../../shared/handlers.ts';
import type { Use } from '../util/use.ts';
import type { TagService } from './service.ts';

export function tagsHandlers(use: Use<TagService>): ServiceHandlers<'tags'> {
  return {
    listTags: () => use((t) => t.listTags()),
    albums: () => use((t) => t.albums()),
    addCustomTag: ({ name }) => use((t) => t.addCustomTag(name)),
    removeTag: ({ name }) => use((t) => t.removeTag(name)),
  };
}
