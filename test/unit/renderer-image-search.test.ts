/**
 * A dropped image's bytes go to the engine once: the same image's next requests send the key the
 * first answer gave, and the bytes go again only when the engine no longer keeps it.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { SearchResponse } from '../../electron/shared/api.ts';
import { imageSearch } from '../../renderer/src/lib/image-search.ts';

const calls: Record<string, unknown>[] = [];
let answer: (req: Record<string, unknown>) => Promise<SearchResponse>;
const similarToImage = imageSearch((req) => {
  calls.push(req);
  return answer(req);
});

const page = (imageKey?: string): SearchResponse => ({ hits: [], textMs: 0, searchMs: 0, nextCursor: null, ...(imageKey ? { imageKey } : {}) });
const KEY_1 = 'k'.repeat(43);
const KEY_2 = 'q'.repeat(43);
const req = { limit: 10, filter: {} };
/** What a transport rejects with when the engine no longer keeps the key (a plain payload, as over IPC). */
const expired = { code: 'NOT_FOUND', message: 'that image is no longer kept', detail: { reason: 'image-expired' } };

beforeEach(() => {
  calls.length = 0;
});

describe('searching by a dropped image', () => {
  it('sends the bytes once, then the key', async () => {
    answer = async (r) => page(r.dataBase64 ? KEY_1 : undefined);
    const drop = { dropId: 1, dataBase64: 'AAAA' };
    await similarToImage(drop, req);
    await similarToImage(drop, { ...req, cursor: 'c1' });
    await similarToImage(drop, { ...req, filter: { after: '2020-01-01' } });
    expect(calls).toEqual([
      { dataBase64: 'AAAA', ...req },
      { imageKey: KEY_1, ...req, cursor: 'c1' },
      { imageKey: KEY_1, ...req, filter: { after: '2020-01-01' } },
    ]);
    // Another drop is another image: its own bytes.
    await similarToImage({ dropId: 2, dataBase64: 'BBBB' }, req);
    expect(calls.at(-1)).toEqual({ dataBase64: 'BBBB', ...req });
  });

  it('sends the bytes again when the engine no longer keeps the key, and the new key after that', async () => {
    answer = async (r) => page(r.dataBase64 ? KEY_1 : undefined);
    const drop = { dropId: 3, dataBase64: 'CCCC' };
    await similarToImage(drop, req);
    answer = async (r) => {
      if (r.imageKey) throw expired;
      return page(KEY_2);
    };
    expect(await similarToImage(drop, req)).toEqual(page(KEY_2));
    expect(calls.slice(1)).toEqual([{ imageKey: KEY_1, ...req }, { dataBase64: 'CCCC', ...req }]);
    answer = async () => page();
    await similarToImage(drop, req);
    expect(calls.at(-1)).toEqual({ imageKey: KEY_2, ...req });
  });

  it('passes any other failure on, without sending the bytes', async () => {
    answer = async (r) => page(r.dataBase64 ? KEY_1 : undefined);
    const drop = { dropId: 4, dataBase64: 'DDDD' };
    await similarToImage(drop, req);
    const busy = { code: 'LIBRARY_BUSY', message: 'busy', detail: { reason: 'library-busy' } };
    answer = async () => {
      throw busy;
    };
    await expect(similarToImage(drop, req)).rejects.toBe(busy);
    expect(calls.at(-1)).toEqual({ imageKey: KEY_1, ...req });
  });
});
