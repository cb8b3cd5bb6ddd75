import { describe, expect, it } from 'vitest';
import { createHttpTransport } from '../../renderer/src/api/http.ts';
import { ApiCallError, toCallError } from '../../renderer/src/api/errors.ts';
import { takeTokenFromUrl } from '../../renderer/src/api/token.ts';
import { emptyFilters, hasActiveFilters, toPhotoFilter } from '../../renderer/src/lib/filters.ts';

interface Seen {
  url: string;
  init: RequestInit | undefined;
}

function fakeFetch(respond: (url: string) => Response | Promise<Response>) {
  const seen: Seen[] = [];
  const f = (async (input: string | URL | Request, init?: RequestInit) => {
    seen.push({ url: String(input), init });
    return respond(String(input));
  }) as typeof fetch;
  return { f, seen };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

describe('http transport', () => {
  it('POSTs JSON to /api/<method> with the bearer token', async () => {
    const { f, seen } = fakeFetch(() => json(200, { hits: [], textMs: 1, searchMs: 2 }));
    const { api } = createHttpTransport('tok123', f);
    const r = await api.search({ query: '红色', limit: 5 });
    expect(r).toEqual({ hits: [], textMs: 1, searchMs: 2 });
    expect(seen[0]!.url).toBe('/api/search');
    expect(seen[0]!.init?.method).toBe('POST');
    expect((seen[0]!.init?.headers as Record<string, string>).Authorization).toBe('Bearer tok123');
    expect(JSON.parse(String(seen[0]!.init?.body))).toEqual({ query: '红色', limit: 5 });
  });

  it('turns an error body into an ApiCallError with its code', async () => {
    const { f } = fakeFetch(() => json(404, { code: 'NOT_FOUND', message: 'no photo 9' }));
    const { api } = createHttpTransport('t', f);
    await expect(api.photo({ photoId: 9 })).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'no photo 9' });
  });

  it('reports a refused token as UNAUTHORIZED whatever the body says', async () => {
    const { f } = fakeFetch(() => json(401, { code: 'BAD_REQUEST', message: 'bad token' }));
    const { api } = createHttpTransport('t', f);
    await expect(api.status({})).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('reports a non-JSON 5xx readably and a failed fetch as NETWORK', async () => {
    const { f } = fakeFetch(() => new Response('<html>Bad Gateway</html>', { status: 502 }));
    await expect(createHttpTransport('t', f).api.status({})).rejects.toMatchObject({ code: 'INTERNAL', message: expect.stringContaining('502') });
    const down = (async () => {
      throw new TypeError('fetch failed');
    }) as typeof fetch;
    await expect(createHttpTransport('t', down).api.status({})).rejects.toMatchObject({ code: 'NETWORK' });
  });

  it('builds media URLs with the token in the query (img tags cannot send headers)', () => {
    const { mediaUrl } = createHttpTransport('a b', fakeFetch(() => json(200, {})).f);
    expect(mediaUrl(42, 'thumb')).toBe('/media/thumb/42?token=a%20b');
    expect(mediaUrl(7, 'original')).toBe('/media/original/7?token=a%20b');
  });

  it('the api object is not a thenable (awaiting it must not call the server)', async () => {
    const { f, seen } = fakeFetch(() => json(200, {}));
    const { api } = createHttpTransport('t', f);
    expect((api as unknown as { then?: unknown }).then).toBeUndefined();
    await Promise.resolve(api);
    expect(seen).toHaveLength(0);
  });

  it('normalises unknown rejections', () => {
    expect(toCallError({ code: 'WHAT', message: 'x' })).toMatchObject({ code: 'INTERNAL', message: 'x' });
    expect(toCallError(new Error('boom'))).toMatchObject({ code: 'INTERNAL', message: 'boom' });
    expect(toCallError({ code: 'MODEL_ERROR', message: 'm' })).toBeInstanceOf(ApiCallError);
  });
});

describe('web token', () => {
  it('takes the token and scrubs it from the visible URL, keeping the rest', () => {
    expect(takeTokenFromUrl('http://127.0.0.1:5180/?token=abc&x=1#v')).toEqual({ token: 'abc', cleanUrl: '/?x=1#v' });
    expect(takeTokenFromUrl('http://127.0.0.1:5180/index.html')).toEqual({ token: null, cleanUrl: '/index.html' });
    expect(takeTokenFromUrl('http://h/?token=')).toEqual({ token: null, cleanUrl: '/' });
  });
});

describe('filters', () => {
  it('sends whole days and swaps a reversed range', () => {
    expect(toPhotoFilter({ folder: '/p', from: '2024-05-01', to: '2024-05-03', tag: '', kind: '', everyCopy: false })).toEqual({
      folder: '/p',
      after: '2024-05-01T00:00:00',
      before: '2024-05-03T23:59:59.999',
    });
    expect(toPhotoFilter({ folder: '', from: '2024-06-01', to: '2024-05-01', tag: 'x', kind: '', everyCopy: false })).toEqual({
      after: '2024-05-01T00:00:00',
      before: '2024-06-01T23:59:59.999',
      tag: 'x',
    });
    expect(toPhotoFilter({ folder: '', from: 'nonsense', to: '', tag: '', kind: '', everyCopy: false })).toEqual({});
    // "Show every copy and burst shot": every photo of every stack, not each stack once.
    expect(toPhotoFilter({ folder: '', from: '', to: '', tag: '', kind: '', everyCopy: true })).toEqual({ stack: 'all' });
  });

  it('photos or videos only', () => {
    expect(toPhotoFilter({ folder: '', from: '', to: '', tag: '', kind: 'video', everyCopy: false })).toEqual({ kind: 'video' });
    expect(hasActiveFilters({ folder: '', from: '', to: '', tag: '', kind: 'photo', everyCopy: false })).toBe(true);
    expect(hasActiveFilters(emptyFilters)).toBe(false);
  });

});
