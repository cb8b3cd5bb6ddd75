/**
 * The web mode after the first page load: the session cookie (a second tab, a reload, a bookmark
 * without the token), its limits (only from our own origin, only with the right token behind it),
 * and the token kept for a data directory (server/web-access.ts). The rest of the web server is
 * test/unit/shell-webserver.test.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../electron/shared/api.ts';
import { recordingHandlers, servicesFrom } from './fake-services.ts';
import { createWebServer, sessionValue, type WebServer } from '../../electron/server/web-server.ts';
import { loadWebAccess, rememberPort, WEB_ACCESS_FILE } from '../../electron/server/web-access.ts';
import type { GuardedMediaProvider } from '../../electron/transport/media-guard.ts';
import { localRequest, type LocalResponse } from '../support/local-http.ts';

const TOKEN = 'session-token-0123456789abcdef';

const request = localRequest;

describe('web session cookie', () => {
  let tmp: string;
  let dist: string;
  let media: GuardedMediaProvider;
  let server: WebServer;
  let port: number;
  const calls: { method: string; req: unknown }[] = [];
  const start = (token = TOKEN, p = 0) => createWebServer({ services: servicesFrom(recordingHandlers(calls)), media, staticDir: dist, token, port: p });

  beforeAll(async () => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-session-')));
    dist = path.join(tmp, 'dist');
    const library = path.join(tmp, 'photos');
    fs.mkdirSync(dist, { recursive: true });
    fs.mkdirSync(library);
    fs.writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>拾光</title>');
    fs.writeFileSync(path.join(library, 'a.jpg'), 'JPEGDATA');
    media = {
      mediaFile: async (id) => {
        if (id === 1) return path.join(library, 'a.jpg');
        throw new ApiError('NOT_FOUND', `photo ${id} not indexed`);
      },
      libraryRoots: async () => [library],
    };
    server = await start();
    port = server.port;
  });

  afterAll(async () => {
    await server.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const cookieOf = (r: LocalResponse): string | undefined => r.headers['set-cookie']?.[0];
  const withCookie = (value = sessionValue(TOKEN), name = server.cookieName) => ({ Cookie: `other=1; ${name}=${value}` });
  const api = (headers: Record<string, string>) => request(port, { method: 'POST', path: '/api/listFolders', headers: { 'Content-Type': 'application/json', ...headers }, body: '{}' });

  it('the first page load with the token sets an HttpOnly, SameSite=Strict session cookie that is not the token', async () => {
    const r = await request(port, { path: `/?token=${TOKEN}` });
    expect(r.status).toBe(200);
    const set = cookieOf(r)!;
    expect(set).toBe(`shiguang-session-${port}=${sessionValue(TOKEN)}; HttpOnly; SameSite=Strict; Path=/`);
    expect(set).not.toContain(TOKEN);
    expect(server.cookieName).toBe(`shiguang-session-${port}`);
  });

  it('no cookie for a page load with a wrong token or none, nor when the browser already has it', async () => {
    expect(cookieOf(await request(port, { path: '/?token=wrong-token-wrong-token' }))).toBeUndefined();
    expect(cookieOf(await request(port, { path: '/' }))).toBeUndefined();
    expect(cookieOf(await request(port, { path: `/?token=${TOKEN}`, headers: withCookie() }))).toBeUndefined();
  });

  it('a second tab: the API and photos answer to the cookie alone', async () => {
    const before = calls.length;
    expect((await api(withCookie())).status).toBe(200);
    expect((await api({ ...withCookie(), Origin: `http://127.0.0.1:${port}`, 'Sec-Fetch-Site': 'same-origin' })).status).toBe(200);
    expect(calls.length).toBe(before + 2);
    const photo = await request(port, { path: '/media/original/1', headers: { ...withCookie(), 'Sec-Fetch-Site': 'same-origin' } });
    expect(photo.status).toBe(200);
    expect(photo.body).toBe('JPEGDATA');
    // A bookmark or a typed address of a photo.
    expect((await request(port, { path: '/media/original/1', headers: { ...withCookie(), 'Sec-Fetch-Site': 'none' } })).status).toBe(200);
  });

  it('the cookie does nothing for a page of another origin, even on 127.0.0.1', async () => {
    const before = calls.length;
    // Another local server's page (same site to the browser: ports do not separate sites).
    expect((await api({ ...withCookie(), Origin: 'http://127.0.0.1:1' })).status).toBe(401);
    expect((await api({ ...withCookie(), 'Sec-Fetch-Site': 'same-site' })).status).toBe(401);
    expect((await api({ ...withCookie(), 'Sec-Fetch-Site': 'cross-site' })).status).toBe(401);
    expect((await api({ ...withCookie(), Origin: 'null' })).status).toBe(401);
    expect((await request(port, { path: '/media/original/1', headers: { ...withCookie(), 'Sec-Fetch-Site': 'same-site' } })).status).toBe(401);
    expect(calls.length).toBe(before);
  });

  it('a wrong cookie, or another port’s, is refused; the Host check still applies', async () => {
    expect((await api(withCookie('forged-value-forged-value'))).status).toBe(401);
    expect((await api(withCookie(TOKEN))).status).toBe(401); // the token itself is not the session
    expect((await api(withCookie(sessionValue(TOKEN), 'shiguang-session-1'))).status).toBe(401);
    expect((await api(withCookie(sessionValue('another-token-0123456789')))).status).toBe(401);
    const rebound = await request(port, { method: 'POST', path: '/api/listFolders', headers: { ...withCookie(), Host: 'evil.example:80', 'Content-Type': 'application/json' }, body: '{}' });
    expect(rebound.status).toBe(403);
  });

  it('the token in the header still works and gives the tab a cookie; the API never takes it from the query', async () => {
    const r = await api({ Authorization: `Bearer ${TOKEN}` });
    expect(r.status).toBe(200);
    expect(cookieOf(r)).toContain(`${server.cookieName}=${sessionValue(TOKEN)}`);
    expect((await request(port, { method: 'POST', path: `/api/listFolders?token=${TOKEN}`, body: '{}' })).status).toBe(401);
    // A stale token in a tab's storage does not spoil a good cookie.
    expect((await api({ Authorization: 'Bearer stale-token-stale-token', ...withCookie() })).status).toBe(200);
  });

  it('a restart with the same token keeps the browser session; a new token ends it', async () => {
    await server.close();
    server = await start(TOKEN, port);
    expect((await api(withCookie())).status).toBe(200);
    await server.close();
    server = await start('a-brand-new-token-0123456789', port);
    expect((await api(withCookie())).status).toBe(401);
    await server.close();
    server = await start(TOKEN, port);
  });
});

describe('web access token of a data directory', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-access-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is made once, readable by its owner only, and the same at every start', () => {
    const first = loadWebAccess(dir);
    expect(first.created).toBe(true);
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    if (process.platform !== 'win32') expect(fs.statSync(path.join(dir, WEB_ACCESS_FILE)).mode & 0o777).toBe(0o600);
    const again = loadWebAccess(dir);
    expect(again).toMatchObject({ token: first.token, created: false, narrowed: false });
  });

  it('remembers the port served on, keeping the token', () => {
    const a = loadWebAccess(dir);
    rememberPort(a, 43210);
    expect(loadWebAccess(dir)).toMatchObject({ token: a.token, port: 43210 });
    if (process.platform !== 'win32') expect(fs.statSync(a.file).mode & 0o777).toBe(0o600);
  });

  it('changes only when asked (serve --new-token)', () => {
    const old = loadWebAccess(dir).token;
    const renewed = loadWebAccess(dir, { renew: true });
    expect(renewed.created).toBe(true);
    expect(renewed.token).not.toBe(old);
    expect(loadWebAccess(dir).token).toBe(renewed.token);
  });

  it.skipIf(process.platform === 'win32')('narrows a file others can read back to 0600, and says so', () => {
    const file = path.join(dir, WEB_ACCESS_FILE);
    fs.chmodSync(file, 0o644);
    const a = loadWebAccess(dir);
    expect(a.narrowed).toBe(true);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('replaces a damaged file with a new token instead of failing', () => {
    fs.writeFileSync(path.join(dir, WEB_ACCESS_FILE), '{"token": 12');
    const a = loadWebAccess(dir);
    expect(a.created).toBe(true);
    expect(a.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });
});
