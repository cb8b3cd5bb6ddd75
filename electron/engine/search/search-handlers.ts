/** The search service's API handlers: text, similar photo, dropped image. */
import { ApiError } from '../../shared/api.ts';
import type { ServiceHandlers } from '../../shared/handlers.ts';
import type { UseEngine } from '../engine.ts';

export function searchHandlers(use: UseEngine): ServiceHandlers<'search'> {
  return {
    search: ({ query, limit, cursor, mode, ...filters }) => use((e) => e.search.text(query, limit, filters, cursor, mode)),
    similar: ({ photoId, limit, cursor, ...filters }) => use((e) => e.search.similar(photoId, limit, filters, cursor)),
    similarToImage: ({ dataBase64, limit, cursor, ...filters }) =>
      use((e) => {
        const bytes = Buffer.from(dataBase64, 'base64');
        if (bytes.length === 0) throw new ApiError('BAD_REQUEST', 'the dropped file is empty');
        return e.search.similarToImage(bytes, limit, filters, cursor);
      }),
  };
}
