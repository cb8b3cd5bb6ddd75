/**
 * Search by a dropped (or picked) image, sending its bytes once: the engine's first answer gives
 * the image's key, and the same image's next pages, refreshes and other filters send the key
 * instead. When the engine no longer keeps it (`image-expired`: evicted by other searches, or
 * another model), the bytes go again.
 */
import type { PhotoFilter, SearchResponse, ShiguangApi } from '../../../electron/shared/api.ts';
import { toCallError } from '../api/errors.ts';

/** The engine's key for each recent drop, by drop id: a few, since going back shows an earlier drop again. */
const KEPT_KEYS = 8;

export interface DroppedImage {
  dropId: number;
  dataBase64: string;
}

export type ImageSearch = (image: DroppedImage, req: { limit: number; cursor?: string; filter: PhotoFilter }) => Promise<SearchResponse>;

/** `call`: the API's similarToImage (a stand-in in tests). */
export function imageSearch(call: ShiguangApi['similarToImage']): ImageSearch {
  const keys = new Map<number, string>();
  return async (image, req) => {
    const key = keys.get(image.dropId);
    if (key !== undefined) {
      try {
        return await call({ imageKey: key, ...req });
      } catch (err) {
        if (toCallError(err).detail?.reason !== 'image-expired') throw err;
        keys.delete(image.dropId);
      }
    }
    const answer = await call({ dataBase64: image.dataBase64, ...req });
    if (answer.imageKey) {
      keys.delete(image.dropId);
      keys.set(image.dropId, answer.imageKey);
      if (keys.size > KEPT_KEYS) keys.delete(keys.keys().next().value!);
    }
    return answer;
  };
}
