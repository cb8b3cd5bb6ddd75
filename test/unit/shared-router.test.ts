/**
 * The contract's services and the router every transport uses: each method belongs to exactly one
 * service, a transport serves only what it registered (UNSUPPORTED otherwise, never a stub), and
 * every request is validated before a handler runs.
 */
import { describe, expect, it } from 'vitest';
import { ApiError, apiMethods, apiServices, serviceNames, serviceOf, type ApiMethod } from '../../electron/shared/api.ts';
import type { ServiceHandlers } from '../../electron/shared/handlers.ts';
import { ApiRouter } from '../../electron/shared/router.ts';

const searchService = (seen: unknown[]): ServiceHandlers<'search'> => ({
  search: async (req) => {
    seen.push(req);
    return { hits: [], textMs: 0, searchMs: 0, nextCursor: null };
  },
  similar: async () => ({ hits: [], textMs: 0, searchMs: 0, nextCursor: null }),
  similarToImage: async () => ({ hits: [], textMs: 0, searchMs: 0, nextCursor: null }),
});

describe('services in the contract', () => {
  it('every method belongs to exactly one service', () => {
    const listed = serviceNames.flatMap((s) => apiServices[s] as readonly ApiMethod[]);
    expect([...listed].sort()).toEqual([...apiMethods].sort());
    expect(new Set(listed).size).toBe(listed.length);
    expect(serviceOf('search')).toBe('search');
    expect(serviceOf('openPhoto')).toBe('shell');
  });
});

describe('ApiRouter', () => {
  it('dispatches validated requests to the registered service, with defaults applied', async () => {
    const seen: unknown[] = [];
    const router = new ApiRouter('http').register('search', searchService(seen));
    await router.call('search', { query: '猫' });
    expect(seen).toEqual([{ query: '猫', limit: 200, mode: 'all', filter: {}, understand: true }]);
    await expect(router.call('search', { query: '' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(router.call('nope', {})).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(seen).toHaveLength(1);
  });

  it('answers UNSUPPORTED for a service it does not have, naming the desktop app for the shell', async () => {
    const router = new ApiRouter('http').register('search', searchService([]));
    const err = (await router.call('listTags', {}).catch((e: unknown) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe('UNSUPPORTED');
    await expect(router.call('openPhoto', { photoId: 1 })).rejects.toMatchObject({ code: 'UNSUPPORTED', message: expect.stringMatching(/desktop app/) });
  });

  it('reports what it serves as capabilities', async () => {
    const router = new ApiRouter('ipc').register('search', searchService([]));
    expect(await router.invoke('capabilities', {})).toEqual({ nativeShell: false, transport: 'ipc', services: ['transport', 'search'] });
  });

  it('refuses a service registered twice or with a method missing', () => {
    const router = new ApiRouter('ipc').register('search', searchService([]));
    expect(() => router.register('search', searchService([]))).toThrow(/twice/);
    const { similar: _similar, ...partial } = searchService([]);
    expect(() => new ApiRouter('ipc').register('search', partial as ServiceHandlers<'search'>)).toThrow(/lacks a handler for similar/);
    expect(() => router.forward(['search'], async () => null)).toThrow(/twice/);
  });

  it('forwards services to another process after validating them here', async () => {
    const sent: [string, unknown][] = [];
    const router = new ApiRouter('ipc').forward(['library'], async (m, req) => {
      sent.push([m, req]);
      return [];
    });
    await router.call('browse', { filter: { tag: '猫' } });
    await expect(router.call('browse', { filter: { tag: '' } })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(sent).toEqual([['browse', { filter: { tag: '猫' }, limit: 200 }]]);
  });
});
