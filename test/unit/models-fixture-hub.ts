/**
 * A pretend model hub on 127.0.0.1 for the model-manager tests: serves fixture files under
 * Hugging Face style paths with Range support, and can misbehave on demand (drop the connection,
 * stall, answer 404/500 or an HTML page) so every failure path runs without the network.
 */
import http from 'node:http';
import net from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { parseCatalogue, type Catalogue } from '../../electron/engine/models/catalogue.ts';
import { CLIP_MEAN, CLIP_STD, type ModelManifest } from '../../electron/engine/ml/manifest.ts';

export type Misbehaviour =
  | { kind: 'status'; status: number }
  | { kind: 'html'; contentType: string }
  /**
   * Send `bytes` of the body, then close mid-file. `until(start)` delays the close until the
   * client has consumed what was sent (a stream error discards chunks the reader has not pulled).
   */
  | { kind: 'drop-after'; bytes: number; until?: (start: number) => boolean }
  | { kind: 'stall-after'; bytes: number }
  | { kind: 'header'; name: string; value: string };

export interface HubRequest {
  path: string;
  range?: string;
  ifRange?: string;
  status: number;
}

export interface FixtureHub {
  url: string;
  requests: HubRequest[];
  /** Path → bytes served at that path. */
  files: Map<string, Buffer>;
  /** Path (or '*') → misbehaviour for the next `times` requests (Infinity = always). */
  misbehave(pathOrAll: string, how: Misbehaviour, times?: number): void;
  close(): Promise<void>;
}

export async function startHub(): Promise<FixtureHub> {
  const files = new Map<string, Buffer>();
  const requests: HubRequest[] = [];
  const rules: Array<{ path: string; how: Misbehaviour; left: number }> = [];
  const sockets = new Set<net.Socket>();

  const server = http.createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const record = (status: number): void => {
      requests.push({ path, range: req.headers.range, ifRange: req.headers['if-range'] as string | undefined, status });
    };
    const rule = rules.find((r) => r.left > 0 && (r.path === path || r.path === '*'));
    if (rule) rule.left -= 1;
    const how = rule?.how;
    if (how?.kind === 'status') {
      record(how.status);
      res.writeHead(how.status, { 'content-type': 'text/plain' }).end(`status ${how.status}`);
      return;
    }
    if (how?.kind === 'html') {
      record(200);
      res.writeHead(200, { 'content-type': how.contentType }).end('<!DOCTYPE html><html><body>Please log in</body></html>');
      return;
    }
    const body = files.get(path);
    if (!body) {
      record(404);
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const etag = `"${createHash('sha1').update(body).digest('hex')}"`;
    let start = 0;
    let status = 200;
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const ifRange = req.headers['if-range'];
    if (m && (!ifRange || ifRange === etag)) {
      start = Number(m[1]);
      if (start >= body.length) {
        record(416);
        res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
        return;
      }
      status = 206;
    }
    record(status);
    const headers: http.OutgoingHttpHeaders = {
      'content-type': 'application/octet-stream',
      'content-length': body.length - start,
      'accept-ranges': 'bytes',
      etag,
    };
    if (status === 206) headers['content-range'] = `bytes ${start}-${body.length - 1}/${body.length}`;
    if (how?.kind === 'header') headers[how.name] = how.value;
    res.writeHead(status, headers);
    const slice = body.subarray(start);
    if (how?.kind === 'drop-after') {
      // Flush the first bytes, then close the connection mid-file. A FIN (end), not a reset
      // (destroy): a reset may make the client's kernel discard bytes it already received.
      res.write(slice.subarray(0, how.bytes));
      const started = Date.now();
      const close = (): void => {
        if (!how.until || how.until(start) || Date.now() - started > 5000) res.socket?.end();
        else setTimeout(close, 5);
      };
      close();
      return;
    }
    if (how?.kind === 'stall-after') {
      res.write(slice.subarray(0, how.bytes));
      return; // never ends; the client's idle timeout must fire
    }
    res.end(slice);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    files,
    misbehave(p, how, times = Infinity) {
      rules.push({ path: p, how, left: times });
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

export interface FixtureModel {
  catalogue: Catalogue;
  img: Buffer;
  txt: Buffer;
  /** Serve the fixture files on a hub under `<prefix>/<repo>/resolve/main/…`. */
  serve(hub: FixtureHub, prefix: string): void;
  /** The same files under ModelScope style paths `<prefix>/models/<repo>/resolve/master/models/…`. */
  serveModelscope(hub: FixtureHub, prefix: string): void;
  manifestFor: () => ModelManifest;
}

/**
 * A catalogue with one downloadable model whose "graphs" are random bytes (the download path
 * never parses them). `id` defaults to a name that is not in the shipped catalogue.
 */
export function fixtureModel(opts: { id?: string; fileArch?: string; sha?: { img?: string | null; txt?: string | null }; approx?: boolean } = {}): FixtureModel {
  const id = opts.id ?? 'test-tiny';
  const fa = opts.fileArch ?? 'tiny';
  const img = randomBytes(300_000);
  const txt = randomBytes(120_000);
  const imgName = `${fa}.img.fp32.onnx`;
  const txtName = `${fa}.txt.fp32.onnx`;
  const cite = 'fixture: generated by the test';
  const catalogue = parseCatalogue(
    {
      version: 1,
      defaultModel: id,
      sources: { fixture: { base: 'https://example.invalid', hub: 'huggingface', citation: cite } },
      layouts: { official: { description: 'fixture', citation: cite } },
      models: [
        {
          id,
          name: 'Fixture model',
          officialArch: 'ViT-B-16',
          fileArch: fa,
          isDefault: true,
          params: { totalM: 1, imageM: 0.5, textM: 0.5, citation: cite },
          embeddingDim: 8,
          resolution: 32,
          imageBackbone: 'fixture',
          textTower: 'fixture',
          textModel: 'fixture',
          specCitation: cite,
          zeroShot: { mugeT2iR1: null, flickr30kCnT2iR1: null, imagenetTop1: null, citation: cite },
          speed: { class: 'fast', onnxFp16T4ImageMs: null, onnxFp16T4TextMs: null, citation: cite },
          checkpoint: { url: 'https://example.invalid/ckpt.pt', format: 'fixture', citation: cite },
          upstream: [],
          downloads: [
            {
              precision: 'fp32',
              layout: 'official',
              files: [
                { name: imgName, role: 'image', approxBytes: opts.approx === false ? null : img.length, sha256: opts.sha?.img === undefined ? sha256(img) : opts.sha.img },
                { name: txtName, role: 'text', approxBytes: opts.approx === false ? null : txt.length, sha256: opts.sha?.txt === undefined ? null : opts.sha.txt },
              ],
              mirrors: [
                { hub: 'huggingface', repo: 'fixture/tiny', revision: 'main', paths: { [imgName]: imgName, [txtName]: txtName }, citation: cite },
                { hub: 'modelscope', repo: 'fixture/tiny-ms', revision: 'master', paths: { [imgName]: `models/${imgName}`, [txtName]: `models/${txtName}` }, citation: cite },
              ],
            },
          ],
          community: [],
          exportRoute: { summary: 'Export it yourself.', steps: ['python cn_clip/deploy/pytorch_to_onnx.py …'], produces: {}, citation: cite },
        },
      ],
    },
    'fixture',
  );
  return {
    catalogue,
    img,
    txt,
    serve(hub, prefix) {
      hub.files.set(`${prefix}/fixture/tiny/resolve/main/${imgName}`, img);
      hub.files.set(`${prefix}/fixture/tiny/resolve/main/${txtName}`, txt);
    },
    serveModelscope(hub, prefix) {
      hub.files.set(`${prefix}/models/fixture/tiny-ms/resolve/master/models/${imgName}`, img);
      hub.files.set(`${prefix}/models/fixture/tiny-ms/resolve/master/models/${txtName}`, txt);
    },
    manifestFor: () => ({
      id,
      name: 'Fixture model',
      architecture: 'tiny',
      embeddingDim: 8,
      logitScale: 100,
      precision: 'fp32',
      image: { file: imgName, input: 'image', output: 'unnorm_image_features', inputDtype: 'float32', resolution: 32, mean: CLIP_MEAN, std: CLIP_STD, resize: 'bicubic', batch: 'fixed' },
      text: { file: txtName, input: 'text', output: 'unnorm_text_features', inputDtype: 'int64', contextLength: 52, vocabSize: 21128, batch: 'fixed' },
    }),
  };
}

/** A CONNECT-capable forward proxy that counts what went through it. */
export async function startProxy(): Promise<{ url: string; seen: string[]; close: () => Promise<void> }> {
  const seen: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    // Plain forward-proxy request with an absolute URI.
    seen.push(`${req.method} ${req.url}`);
    const target = new URL(req.url ?? '');
    const up = http.request({ host: target.hostname, port: target.port, path: target.pathname + target.search, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  server.on('connect', (req, client, head) => {
    seen.push(`CONNECT ${req.url}`);
    const [host, port] = (req.url ?? '').split(':');
    const up = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      up.write(head);
      up.pipe(client);
      client.pipe(up);
    });
    up.on('error', () => client.destroy());
    client.on('error', () => up.destroy());
    sockets.add(up);
    sockets.add(client as net.Socket);
  });
  server.on('connection', (s) => sockets.add(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
