/**
 * A raw HTTP request to a server of the app's on 127.0.0.1, as a browser would send it (its own
 * Host header, no connection reuse): for the tests of what the web server and the media routes
 * answer — status, headers and the body's bytes — without a client library's own handling.
 */
import http from 'node:http';

export interface LocalResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The body's bytes; `.toString('utf8')` for text. */
  bytes: Buffer;
  /** The body as UTF-8 text. */
  body: string;
}

export function localRequest(port: number, opts: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<LocalResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, agent: false, method: opts.method ?? 'GET', path: opts.path, headers: { Host: `127.0.0.1:${port}`, ...opts.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const bytes = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes, body: bytes.toString('utf8') });
      });
    });
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}
