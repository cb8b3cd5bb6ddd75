/** The search service's API handlers: text, similar photo (or video moment), dropped image. */
import { apiError } from '../../shared/api.ts';
import type { ServiceHandlers } from '../../shared/handlers.ts';
import type { Use } from '../util/use.ts';
import type { SearchService } from './search-service.ts';

export function searchHandlers(use: Use<SearchService>): ServiceHandlers<'search'> {
  return {
    search: ({ query, limit, cursor, mode, filter, understand, plain, all }) => use((s) => s.text(query, limit, filter, cursor, mode, { understand, plain, all })),
    similar: ({ photoId, at, limit, cursor, filter, all }) => use((s) => s.similar(photoId, limit, filter, cursor, at, all)),
    similarToImage: ({ dataBase64, imageKey, limit, cursor, filter, all }) =>
      use((s) => {
        if (imageKey !== undefined) return s.similarToImage({ imageKey }, limit, filter, cursor, all);
        const bytes = Buffer.from(dataBase64 ?? '', 'base64');
        if (bytes.length === 0) throw apiError('image-empty', {}, 'the dropped file is empty');
        return s.similarToImage(bytes, limit, filter, cursor, all);
      }),
  };
}
