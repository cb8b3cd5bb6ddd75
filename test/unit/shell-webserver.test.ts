import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, type ApiMethod } from '../../electron/shared/api.ts';
import type { MediaKind, ServiceSet } from '../../electron/shared/handlers.ts';
import { recordingHandlers, servicesFrom } from './fake-services.ts';
import { createWebServer, tokenMatches, type WebServer } from '../../electron/server/web-server.ts';
import type { GuardedMediaProvider } from '../../electron/transport/media-guard.ts';
import { localRequest } from '../support/local-http.ts';

const TOKEN = 'test-token-0123456789abcdef';

/**
 * Fake engine: records calls; `search` echoes, `photo` 404s for unknown ids, `status` is down. It
 * offers every service, the shell included: the web server must still refuse the shell's methods.
 */
function fakeServices(calls: { method: string; req: unknown }[]): ServiceSet {
  const h = recordingHandlers(calls);
  h.search = async (req) => {
    calls.push({ method: 'search', req });
    return { hits: [], textMs: 1, searchMs: 2, echo: req };
  };
  h.photo = async (req) => {
    calls.push({ method: 'photo', req });
    throw new ApiError('NOT_FOUND', 'no such photo');
  };
  h.status = async () => {
    throw new ApiError('ENGINE_UNAVAILABLE', 'engine restarting');
  };
  h.listTags = async () => {
    throw new Error('boom');
  };
  return servicesFrom(h);
}

const request = localRequest;

describe('web server', () => {
  let tmp: string;
  let server: WebServer;
  let port: number;
  const calls: { method: string; req: unknown }[] = [];

  beforeAll(async () => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-web-')));
    const dist = path.join(tmp, 'dist');
    const library = path.join(tmp, 'photos');
    fs.mkdirSync(path.join(dist, 'assets'), { recursive: true });
    fs.mkdirSync(library);
    fs.writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>拾光</title>');
    fs.writeFileSync(path.join(dist, 'assets', 'app.js'), 'export {}');
    fs.writeFileSync(path.join(tmp, 'secret.txt'), 'top secret');
    fs.writeFileSync(path.join(library, 'a.jpg'), 'JPEGDATA');
    fs.writeFileSync(path.join(tmp, 'outside.jpg'), 'OUTSIDE');
    const media: GuardedMediaProvider = {
      mediaFile: async (id: number, kind: MediaKind) => {
        if (id === 1 && kind === 'original') return path.join(library, 'a.jpg');
        if (id === 2) return path.join(tmp, 'outside.jpg');
        throw new ApiError('NOT_FOUND', `photo ${id} not indexed`);
      },
      libraryRoots: async () => [library],
    };
    server = await createWebServer({ services: fakeServices(calls), media, staticDir: dist, token: TOKEN, maxBodyBytes: 64 * 1024 });
    port = server.port;
  });

  afterAll(async () => {
    await server.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const api = (method: string, body: unknown, token: string | null = TOKEN, headers: Record<string, string> = {}) =>
    request(port, {
      method: 'POST',
      path: `/api/${method}`,
      headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}), ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('gives a loopback URL carrying the token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${port}/?token=${TOKEN}`);
    expect(server.token).toBe(TOKEN);
  });

  it('answers 401 without a token or with a wrong one, and never calls the engine', async () => {
    const before = calls.length;
    expect((await api('search', { query: '猫' }, null)).status).toBe(401);
    expect((await api('search', { query: '猫' }, 'wrong-token-wrong-token')).status).toBe(401);
    expect((await api('search', { query: '猫' }, `${TOKEN}x`)).status).toBe(401);
    expect((await api('search', { query: '猫' }, null, { Authorization: `Basic ${TOKEN}` })).status).toBe(401);
    expect(calls.length).toBe(before);
  });

  it('answers 200 with the handler result for a valid, authorised request (defaults applied)', async () => {
    const r = await api('search', { query: '海边的日落' });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toContain('application/json');
    expect(r.headers['cache-control']).toBe('no-store');
    expect(JSON.parse(r.body)).toMatchObject({ hits: [], echo: { query: '海边的日落', limit: 200 } });
  });

  it('answers 400 with a message for a bad payload', async () => {
    const r = await api('search', { query: '' });
    expect(r.status).toBe(400);
    const body = JSON.parse(r.body) as { code: string; message: string };
    expect(body.code).toBe('BAD_REQUEST');
    expect(body.message).toContain('query');
    expect((await api('search', { query: 'x', extra: 1 })).status).toBe(400);
    expect((await api('search', '{not json')).status).toBe(400);
  });

  it('answers 404 for unknown methods (including prototype names)', async () => {
    for (const m of ['nope', 'constructor', '__proto__', 'toString', '']) {
      const r = await api(m, {});
      expect(r.status, m).toBe(404);
    }
  });

  it('maps engine errors to statuses', async () => {
    expect((await api('photo', { photoId: 5 })).status).toBe(404);
    expect((await api('status', {})).status).toBe(503);
    const r = await api('listTags', {});
    expect(r.status).toBe(500);
    expect(JSON.parse(r.body)).toEqual({ code: 'INTERNAL', message: 'boom' });
  });

  it('refuses desktop-only methods with 501 without reaching the engine, and reports http capabilities', async () => {
    for (const m of ['chooseFolders', 'revealPhoto', 'openPhoto'] satisfies ApiMethod[]) {
      const before = calls.length;
      const r = await api(m, m === 'chooseFolders' ? {} : { photoId: 1 });
      expect(r.status, m).toBe(501);
      expect(calls.length).toBe(before);
    }
    const caps = await api('capabilities', {});
    expect(JSON.parse(caps.body)).toEqual({ nativeShell: false, transport: 'http', services: ['transport', 'system', 'library', 'search', 'tags', 'ocr', 'stacks', 'models', 'settings'] });
  });

  it('only accepts POST on /api and bounds the body size', async () => {
    const get = await request(port, { path: '/api/status', headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(get.status).toBe(405);
    const big = await api('similarToImage', { dataBase64: 'A'.repeat(100 * 1024) });
    expect(big.status).toBe(413);
  });

  it('refuses a foreign Host header (DNS rebinding) even with the token', async () => {
    const r = await request(port, {
      method: 'POST',
      path: '/api/status',
      headers: { Host: `evil.example:${port}`, Authorization: `Bearer ${TOKEN}` },
      body: '{}',
    });
    expect(r.status).toBe(403);
    const other = await request(port, { path: '/', headers: { Host: `127.0.0.1:${port + 1}` } });
    expect(other.status).toBe(403);
    const ok = await request(port, { path: '/', headers: { Host: `localhost:${port}` } });
    expect(ok.status).toBe(200);
  });

  it('serves media only with the token and only through the guard', async () => {
    expect((await request(port, { path: '/media/original/1' })).status).toBe(401);
    expect((await request(port, { path: '/media/original/1?token=nope' })).status).toBe(401);
    const ok = await request(port, { path: `/media/original/1?token=${TOKEN}` });
    expect(ok.status).toBe(200);
    expect(ok.body).toBe('JPEGDATA');
    expect(ok.headers['content-type']).toBe('image/jpeg');
    expect(ok.headers['referrer-policy']).toBe('no-referrer');
    const cached = await request(port, { path: `/media/original/1?token=${TOKEN}`, headers: { 'If-None-Match': String(ok.headers.etag) } });
    expect(cached.status).toBe(304);
    expect((await request(port, { path: `/media/original/2?token=${TOKEN}` })).status).toBe(403);
    expect((await request(port, { path: `/media/original/3?token=${TOKEN}` })).status).toBe(404);
    expect((await request(port, { path: `/media/original/..%2f..%2fsecret.txt?token=${TOKEN}` })).status).toBe(404);
    expect((await request(port, { path: `/media/../secret.txt?token=${TOKEN}` })).status).toBe(404);
  });

  it('serves static files with security headers and an SPA fallback', async () => {
    const index = await request(port, { path: '/' });
    expect(index.status).toBe(200);
    expect(index.body).toContain('拾光');
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.headers['cache-control']).toBe('no-store');
    expect(index.headers['content-security-policy']).toContain("default-src 'none'");
    expect(index.headers['x-content-type-options']).toBe('nosniff');
    expect(index.headers['referrer-policy']).toBe('no-referrer');
    const js = await request(port, { path: '/assets/app.js' });
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await request(port, { path: '/search/cats' })).body).toContain('拾光');
    const head = await request(port, { method: 'HEAD', path: '/assets/app.js' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it.each(['/../secret.txt', '/%2e%2e/secret.txt', '/assets/%2e%2e/%2e%2e/secret.txt', '/..%2fsecret.txt', '/..%5csecret.txt', '//etc/passwd'])(
    'never serves a file outside the build for %s',
    async (p) => {
      const r = await request(port, { path: p });
      expect(r.body).not.toContain('top secret');
      expect(r.body).not.toContain('root:');
    },
  );
});

describe('tokenMatches', () => {
  it('compares exactly', () => {
    expect(tokenMatches('abc', 'abc')).toBe(true);
    expect(tokenMatches('abd', 'abc')).toBe(false);
    expect(tokenMatches('ab', 'abc')).toBe(false);
    expect(tokenMatches('', 'abc')).toBe(false);
    expect(tokenMatches(null, 'abc')).toBe(false);
  });
});

describe('createWebServer options', () => {
  it('refuses non-loopback hosts and short tokens', async () => {
    const services = fakeServices([]);
    const media: GuardedMediaProvider = { mediaFile: async () => '', libraryRoots: async () => [] };
    await expect(createWebServer({ services, media, staticDir: '/nonexistent', host: '0.0.0.0' as '127.0.0.1' })).rejects.toThrow(/127\.0\.0\.1/);
    await expect(createWebServer({ services, media, staticDir: '/nonexistent', token: 'short' })).rejects.toThrow(/token/);
  });

  it('generates a random url-safe token when none is given', async () => {
    const services = fakeServices([]);
    const media: GuardedMediaProvider = { mediaFile: async () => '', libraryRoots: async () => [] };
    const a = await createWebServer({ services, media, staticDir: '/nonexistent' });
    const b = await createWebServer({ services, media, staticDir: '/nonexistent' });
    try {
      expect(a.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(a.token).not.toBe(b.token);
      expect(a.url).toContain(`127.0.0.1:${a.port}`);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
