/**
 * Local web mode: the same renderer and API over HTTP, for a browser on this machine.
 *
 * Threat model: any web page the user visits can send requests to 127.0.0.1, and DNS rebinding
 * can make such a page same-origin with us. So: bind loopback only; every /api and /media request
 * needs the random token (a page elsewhere cannot read it) or the session cookie it buys; the
 * Host header must name our loopback address (rebinding sends the attacker's host name); the
 * desktop shell service (open, reveal, folder dialog: methods that act on the host) is never
 * registered here, whatever the caller offers, so those methods answer 501.
 *
 * The session cookie: the first page load with the token (`/?token=…`), or any request with the
 * right bearer token, sets `shiguang-session-<port>` — HttpOnly (page scripts never see it),
 * SameSite=Strict (other sites' pages never send it), Path=/, for the browser session — so a
 * second tab, a reload, a bookmark without the token or a new window of the same browser work.
 * Its value is derived from the token (HMAC), so it stays valid across restarts with the same
 * token (web-access.ts) and dies with it (`serve --new-token`). Browsers treat every port of
 * 127.0.0.1 as the same site, so a request that carries only the cookie must also come from our
 * own origin: Origin, when sent, must be ours, and Sec-Fetch-Site, when sent, must say
 * same-origin (or none: an address typed or bookmarked).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError, apiError, isApiMethod, type ApiErrorPayload } from '../shared/api.ts';
import type { ServiceSet } from '../shared/handlers.ts';
import { ApiRouter } from '../shared/router.ts';
import { httpStatusFor } from '../transport/errors.ts';
import { mediaBody, parseMediaUrl, resolveMedia, type GuardedMediaProvider } from '../transport/media-guard.ts';
import { baseSecurityHeaders, contentSecurityPolicy } from '../transport/security-headers.ts';
import { resolveStaticFile } from '../transport/static-files.ts';

export interface WebServerOptions {
  /** The services to serve; `shell` is left out even when present (see the threat model above). */
  services: ServiceSet;
  media: GuardedMediaProvider;
  /** The renderer build, normally dist/renderer. */
  staticDir: string;
  /** Loopback only; the option exists to make that explicit at the call site. */
  host?: '127.0.0.1';
  /** 0 or absent: an ephemeral port. */
  port?: number;
  token?: string;
  /** Largest accepted JSON body; similarToImage carries an image as base64. */
  maxBodyBytes?: number;
}

export interface WebServer {
  /** http://127.0.0.1:PORT/?token=… — open this in a browser. */
  url: string;
  token: string;
  port: number;
  /** The session cookie's name (per port: two servers on one machine keep separate sessions). */
  cookieName: string;
  close(): Promise<void>;
}

const DEFAULT_MAX_BODY = 100 * 1024 * 1024;

export function generateToken(): string {
  return crypto.randomBytes(24).toString('base64url');
}

/** Constant-time comparison; hashing first makes lengths equal, so length does not leak either. */
export function tokenMatches(given: string | null | undefined, expected: string): boolean {
  if (typeof given !== 'string' || given.length === 0) return false;
  const a = crypto.createHash('sha256').update(given).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}

/** The cookie's value for a token: a keyed hash, so the cookie is not the token itself. */
export function sessionValue(token: string): string {
  return crypto.createHmac('sha256', token).update('shiguang web session v1').digest('base64url');
}

export function sessionCookieName(port: number): string {
  return `shiguang-session-${port}`;
}

function cookie(req: http.IncomingMessage, name: string): string | null {
  const header = req.headers.cookie;
  if (typeof header !== 'string') return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

function bearer(req: http.IncomingMessage): string | null {
  const h = req.headers.authorization;
  const m = typeof h === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(h) : null;
  return m ? m[1] : null;
}

class BodyTooLarge extends Error {}

function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limit) return reject(new BodyTooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new BodyTooLarge());
        req.pause();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
    // A client that disconnects mid-body must not leave the request pending forever.
    req.on('close', () => {
      if (!req.complete) reject(new Error('client disconnected'));
    });
  });
}

export async function createWebServer(opts: WebServerOptions): Promise<WebServer> {
  const host = opts.host ?? '127.0.0.1';
  if (host !== '127.0.0.1') throw new Error('the web mode binds 127.0.0.1 only');
  const token = opts.token ?? generateToken();
  if (token.length < 16) throw new Error('token too short: use at least 16 characters');
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const csp = contentSecurityPolicy();
  const { shell: _shell, ...served } = opts.services;
  const router = new ApiRouter('http').registerAll(served);
  let allowedHosts = new Set<string>();
  let allowedOrigins = new Set<string>();
  let cookieName = '';
  const session = sessionValue(token);

  /** A request from a page of ours (or typed/bookmarked), judged by what browsers send. */
  function sameOrigin(req: http.IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (typeof origin === 'string' && !allowedOrigins.has(origin.toLowerCase())) return false;
    const site = req.headers['sec-fetch-site'];
    return typeof site !== 'string' || site === 'same-origin' || site === 'none';
  }

  /**
   * How the request proves it may read the library: the bearer token, the token in the query
   * (media for <img>, and the first page load), or the session cookie from our own origin.
   */
  function access(req: http.IncomingMessage, url: URL | null): 'bearer' | 'query' | 'cookie' | null {
    if (tokenMatches(bearer(req), token)) return 'bearer';
    if (url && tokenMatches(url.searchParams.get('token'), token)) return 'query';
    if (tokenMatches(cookie(req, cookieName), session) && sameOrigin(req)) return 'cookie';
    return null;
  }

  /** Set-Cookie for a request that proved itself with the token and lacks a valid cookie. */
  function sessionHeader(req: http.IncomingMessage, how: ReturnType<typeof access>): Record<string, string> {
    if (how !== 'bearer' && how !== 'query') return {};
    if (tokenMatches(cookie(req, cookieName), session)) return {};
    return { 'Set-Cookie': `${cookieName}=${session}; HttpOnly; SameSite=Strict; Path=/` };
  }

  const common = (): Record<string, string> => ({
    ...baseSecurityHeaders(),
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Content-Security-Policy': csp,
  });

  function sendJson(res: http.ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
    const data = Buffer.from(JSON.stringify(body));
    res.writeHead(status, {
      ...common(),
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': String(data.length),
      'Cache-Control': 'no-store',
      ...extra,
    });
    res.end(data);
  }

  function sendError(res: http.ServerResponse, status: number, error: ApiErrorPayload, extra?: Record<string, string>): void {
    sendJson(res, status, error, extra);
  }

  /** The file, or the bytes `range` of it (both ends inclusive; absent with a status other than 200: no body). */
  function sendFile(req: http.IncomingMessage, res: http.ServerResponse, file: string, headers: Record<string, string>, status = 200, range?: { start: number; end: number } | null): void {
    res.writeHead(status, { ...common(), ...headers });
    if (req.method === 'HEAD' || range === null) return void res.end();
    const stream = fs.createReadStream(file, range ?? {});
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  }

  async function handleApi(req: http.IncomingMessage, res: http.ServerResponse, name: string): Promise<void> {
    // Never the query: an API address with the token in it would end up in logs and history.
    const how = access(req, null);
    if (!how) {
      return sendError(res, 401, { code: 'BAD_REQUEST', message: 'missing or wrong token' }, { 'WWW-Authenticate': 'Bearer' });
    }
    const cookieOut = sessionHeader(req, how);
    if (req.method !== 'POST') {
      return sendError(res, 405, { code: 'BAD_REQUEST', message: 'use POST' }, { Allow: 'POST' });
    }
    if (!isApiMethod(name)) return sendError(res, 404, { code: 'NOT_FOUND', message: `unknown method ${name}` });
    let body: Buffer;
    try {
      body = await readBody(req, maxBody);
    } catch (err) {
      if (err instanceof BodyTooLarge) {
        // Answer first, then drop the connection instead of reading the rest of an oversized body.
        res.on('finish', () => req.destroy());
        return sendError(res, 413, { code: 'BAD_REQUEST', message: `request body over ${maxBody} bytes` }, { Connection: 'close' });
      }
      throw err;
    }
    try {
      let payload: unknown = {};
      if (body.length > 0) {
        try {
          payload = JSON.parse(body.toString('utf8'));
        } catch {
          throw apiError('request-not-json', {}, 'request body is not valid JSON');
        }
      }
      const result = await router.call(name, payload);
      sendJson(res, 200, result ?? null, cookieOut);
    } catch (err) {
      const e = ApiError.from(err);
      sendError(res, httpStatusFor(e.code), e.toPayload());
    }
  }

  async function handleMedia(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    if (!access(req, url)) return sendError(res, 401, { code: 'BAD_REQUEST', message: 'missing or wrong token' });
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendError(res, 405, { code: 'BAD_REQUEST', message: 'use GET' }, { Allow: 'GET, HEAD' });
    }
    const ref = parseMediaUrl(url.pathname);
    if (!ref) return sendError(res, 404, { code: 'NOT_FOUND', message: 'no such media' });
    const inm = req.headers['if-none-match'];
    const r = await resolveMedia(opts.media, ref, typeof inm === 'string' ? inm : undefined);
    if (r.type === 'error') return sendError(res, r.status, { code: r.status === 503 ? 'ENGINE_UNAVAILABLE' : 'NOT_FOUND', message: r.message });
    if (r.type === 'not-modified') {
      res.writeHead(304, { ...common(), ...r.headers });
      return void res.end();
    }
    const header = (name: string): string | undefined => {
      const v = req.headers[name];
      return typeof v === 'string' ? v : undefined;
    };
    const body = mediaBody(r, header('range'), header('if-range'));
    sendFile(req, res, r.file, body.headers, body.status, body.range ?? null);
  }

  async function handleStatic(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendError(res, 405, { code: 'BAD_REQUEST', message: 'use GET' }, { Allow: 'GET, HEAD' });
    }
    const r = await resolveStaticFile(opts.staticDir, url.pathname);
    if (r.type === 'error') return sendError(res, r.status, { code: r.status === 400 ? 'BAD_REQUEST' : 'NOT_FOUND', message: r.message });
    // The page itself is public; loading it with the token starts the browser's session.
    const how = url.searchParams.has('token') ? access(req, url) : null;
    sendFile(req, res, r.file, { ...r.headers, ...sessionHeader(req, how) });
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const hostHeader = (req.headers.host ?? '').toLowerCase();
    if (!allowedHosts.has(hostHeader)) {
      return sendError(res, 403, { code: 'BAD_REQUEST', message: 'unexpected Host header' });
    }
    let url: URL;
    try {
      url = new URL(req.url ?? '/', `http://${hostHeader}`);
    } catch {
      return sendError(res, 400, { code: 'BAD_REQUEST', message: 'bad URL' });
    }
    // The raw path, not URL's normalised one, decides the route: `/api/../x` must not be static.
    const raw = (req.url ?? '/').split('?')[0];
    if (raw.startsWith('/api/') || raw === '/api') return handleApi(req, res, raw.slice('/api/'.length));
    if (raw.startsWith('/media/')) return handleMedia(req, res, url);
    if (raw.includes('/../') || raw.endsWith('/..')) return sendError(res, 400, { code: 'BAD_REQUEST', message: 'bad path' });
    return handleStatic(req, res, url);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) return void res.destroy();
      sendError(res, 500, ApiError.from(err).toPayload());
    });
  });
  // Body reads are bounded by size; also bound slow-loris style clients on this local port.
  server.requestTimeout = 120_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  allowedHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  allowedOrigins = new Set([...allowedHosts].map((h) => `http://${h}`));
  cookieName = sessionCookieName(port);

  return {
    url: `http://127.0.0.1:${port}/?token=${encodeURIComponent(token)}`,
    token,
    port,
    cookieName,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
