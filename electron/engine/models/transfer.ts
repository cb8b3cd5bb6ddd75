/**
 * One file, one URL: stream into `<dest>` (a `.part` file) with HTTP Range resume. A sidecar
 * `<dest>.json` remembers which URL and entity (ETag / Last-Modified / size) the bytes came from,
 * so a resume only ever appends to bytes of the same file: the request carries If-Range, and a
 * server that answers 200 instead of 206 (entity changed, or Range unsupported) restarts the file.
 */
import fs from 'node:fs';
import { createHash, type Hash } from 'node:crypto';
import { hostOf, ModelError } from './errors.ts';
import type { FetchLike } from './fetch.ts';

export interface TransferExpectation {
  bytes?: number | null;
  approxBytes?: number | null;
  sha256?: string | null;
}

export interface TransferOptions {
  url: string;
  dest: string;
  expected: TransferExpectation;
  fetch: FetchLike;
  signal?: AbortSignal;
  /** Abort when the server sends nothing (headers or body) for this long. */
  idleTimeoutMs: number;
  /** Called per chunk with the bytes of this file on disk so far and the file's size if known. */
  onBytes?: (received: number, total: number | null) => void;
}

export interface TransferResult {
  bytes: number;
  sha256: string;
  /** HTTP status of the response that delivered the bytes (206 when resumed). */
  status: number;
  resumedFrom: number;
}

interface Sidecar {
  url: string;
  etag?: string;
  lastModified?: string;
  total?: number;
}

/** Connection failures that retrying the same host will not fix (transient ones like ECONNRESET are retried). */
const UNREACHABLE = /^(ENOTFOUND|ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|ERR_TLS_CERT_ALTNAME_INVALID|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_)/;

/** Server-supplied size tolerance against the catalogue's rounded sizes ("349 MB"). */
const APPROX_TOLERANCE = 0.1;

function readSidecar(file: string): Sidecar | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Sidecar;
  } catch {
    return undefined;
  }
}

function sizeOf(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

export function removePart(dest: string): void {
  fs.rmSync(dest, { force: true });
  fs.rmSync(`${dest}.json`, { force: true });
}

async function hashExisting(file: string, hash: Hash): Promise<void> {
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
}

function looksLikeHtml(chunk: Uint8Array): boolean {
  const head = Buffer.from(chunk.subarray(0, 64)).toString('latin1').trimStart().toLowerCase();
  return head.startsWith('<!doctype html') || head.startsWith('<html') || head.startsWith('<?xml');
}

/** HF answers with the LFS object's sha256 in x-linked-etag; use it when it has that shape. */
function publishedSha256(res: Response): string | undefined {
  const raw = res.headers.get('x-linked-etag');
  const v = raw?.replace(/^W\//, '').replace(/"/g, '').toLowerCase();
  return v && /^[0-9a-f]{64}$/.test(v) ? v : undefined;
}

function parseContentRange(v: string | null): { start: number; total: number | null } | undefined {
  const m = v ? /^bytes\s+(\d+)-(\d+)\/(\d+|\*)$/i.exec(v.trim()) : null;
  if (!m) return undefined;
  return { start: Number(m[1]), total: m[3] === '*' ? null : Number(m[3]) };
}

export async function transferFile(opts: TransferOptions): Promise<TransferResult> {
  const { url, dest, expected } = opts;
  const sidecarFile = `${dest}.json`;
  const previous = readSidecar(sidecarFile);
  let existing = sizeOf(dest);
  if (existing > 0 && previous?.url !== url) {
    // Bytes from another URL (another source) may belong to a different build of the file.
    removePart(dest);
    existing = 0;
  }

  const headers: Record<string, string> = { 'accept-encoding': 'identity' };
  if (existing > 0) {
    headers.range = `bytes=${existing}-`;
    const validator = previous?.etag && !previous.etag.startsWith('W/') ? previous.etag : previous?.lastModified;
    if (validator) headers['if-range'] = validator;
  }

  const controller = new AbortController();
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, opts.idleTimeoutMs);
  };
  const onOuterAbort = (): void => controller.abort();
  opts.signal?.addEventListener('abort', onOuterAbort, { once: true });

  const host = hostOf(url);
  const failure = (err: unknown, received: number, connecting = false): ModelError => {
    if (opts.signal?.aborted) return new ModelError('ABORTED', 'download cancelled; run it again to resume', { cause: err, params: { host, bytes: received } });
    if (timedOut) {
      const wait = opts.idleTimeoutMs >= 1000 ? `${Math.round(opts.idleTimeoutMs / 1000)} s` : `${opts.idleTimeoutMs} ms`;
      return new ModelError('TIMEOUT', `no data from ${url} for ${wait} (stalled after ${received} bytes)`, {
        cause: err,
        params: { host, seconds: Math.max(1, Math.round(opts.idleTimeoutMs / 1000)), bytes: received },
      });
    }
    if (err instanceof ModelError) return err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC') return new ModelError('DISK_FULL', `disk full while writing ${dest}; free space and run again to resume`, { cause: err, params: { dir: dest } });
    const cause = err instanceof Error ? (err.cause as NodeJS.ErrnoException | undefined) : undefined;
    if (connecting && cause?.code && UNREACHABLE.test(cause.code)) {
      return new ModelError('UNREACHABLE', `cannot reach ${host} (${cause.message})`, { cause: err, params: { host, reason: cause.code } });
    }
    const why = err instanceof Error ? (cause instanceof Error ? `${err.message}: ${cause.message}` : err.message) : String(err);
    return new ModelError('NETWORK', `connection to ${url} failed after ${received} bytes (${why})`, { cause: err, params: { host, bytes: received, reason: cause?.code ?? 'connection' } });
  };

  let received = existing;
  arm();
  try {
    let res: Response;
    try {
      res = await opts.fetch(url, { headers, signal: controller.signal, redirect: 'follow' });
    } catch (err) {
      throw failure(err, received, true);
    }

    const cancel = async (): Promise<void> => {
      await res.body?.cancel().catch(() => undefined);
    };

    if (res.status === 404 || res.status === 410) {
      await cancel();
      throw new ModelError('NOT_FOUND', `${res.status} Not Found: ${url}`, { params: { host, status: res.status } });
    }
    if (res.status === 416) {
      await cancel();
      if (previous?.total !== undefined && existing === previous.total) {
        const hash = createHash('sha256');
        await hashExisting(dest, hash);
        return finish(existing, hash.digest('hex'), res, existing);
      }
      removePart(dest);
      throw new ModelError('NETWORK', `server rejected the resume range for ${url}; restarting the file`, { params: { host, bytes: existing, reason: 'resume-rejected' } });
    }
    if (res.status !== 200 && res.status !== 206) {
      await cancel();
      throw new ModelError('HTTP_ERROR', `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''} from ${url}`, { params: { host, status: res.status } });
    }
    const type = res.headers.get('content-type') ?? '';
    if (/^text\/|html|json|xml/i.test(type)) {
      await cancel();
      throw new ModelError('NOT_BINARY', `${url} returned ${type.split(';')[0]} instead of a model file (a login page, captive portal or wrong path?)`, {
        params: { host, contentType: type.split(';')[0]! },
      });
    }

    let total: number | null;
    let startAt: number;
    if (res.status === 206) {
      const range = parseContentRange(res.headers.get('content-range'));
      if (!range || range.start !== existing || (previous?.total !== undefined && range.total !== previous.total)) {
        await cancel();
        removePart(dest);
        throw new ModelError('NETWORK', `resume of ${url} answered with a different range (${res.headers.get('content-range') ?? 'none'}); restarting the file`, {
          params: { host, bytes: existing, reason: 'resume-mismatch' },
        });
      }
      total = range.total;
      startAt = existing;
    } else {
      const len = res.headers.get('content-length');
      total = len !== null && /^\d+$/.test(len) ? Number(len) : null;
      startAt = 0;
    }

    if (total !== null && expected.bytes && total !== expected.bytes) {
      await cancel();
      throw new ModelError('SIZE_MISMATCH', `${url} is ${total} bytes, the catalogue expects ${expected.bytes}`, { params: { host, bytes: total, expected: expected.bytes } });
    }
    if (total !== null && expected.approxBytes && Math.abs(total - expected.approxBytes) > expected.approxBytes * APPROX_TOLERANCE) {
      await cancel();
      throw new ModelError('SIZE_MISMATCH', `${url} is ${total} bytes, the catalogue expects about ${expected.approxBytes}: not the expected file`, {
        params: { host, bytes: total, expected: expected.approxBytes },
      });
    }

    const sidecar: Sidecar = {
      url,
      etag: res.headers.get('etag') ?? undefined,
      lastModified: res.headers.get('last-modified') ?? undefined,
      total: total ?? undefined,
    };
    fs.writeFileSync(sidecarFile, JSON.stringify(sidecar));

    const hash = createHash('sha256');
    if (startAt > 0) await hashExisting(dest, hash);
    received = startAt;
    const fh = await fs.promises.open(dest, startAt > 0 ? 'a' : 'w');
    const body = res.body?.getReader();
    try {
      if (!body) throw new ModelError('NETWORK', `empty response body from ${url}`, { params: { host, bytes: received, reason: 'empty-body' } });
      let first = startAt === 0;
      for (let next = await body.read(); !next.done; next = await body.read()) {
        const chunk = next.value;
        arm();
        if (first && chunk.length > 0) {
          first = false;
          if (looksLikeHtml(chunk)) throw new ModelError('NOT_BINARY', `${url} returned an HTML/XML page instead of a model file`, { params: { host, contentType: 'text/html' } });
        }
        await fh.write(chunk);
        hash.update(chunk);
        received += chunk.length;
        opts.onBytes?.(received, total);
      }
    } catch (err) {
      // Stop the transfer: the connection is not read any further.
      await body?.cancel().catch(() => undefined);
      const e = failure(err, received);
      if (e.code === 'NOT_BINARY') {
        await fh.close();
        removePart(dest);
      }
      throw e;
    } finally {
      await fh.close().catch(() => undefined);
    }
    if (total !== null && received !== total) {
      throw new ModelError('NETWORK', `connection to ${url} closed at ${received} of ${total} bytes`, { params: { host, bytes: received, expected: total, reason: 'closed' } });
    }
    return finish(received, hash.digest('hex'), res, startAt);
  } catch (err) {
    throw failure(err, received);
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onOuterAbort);
  }

  function finish(bytes: number, sha256: string, res: Response, resumedFrom: number): TransferResult {
    const published = expected.sha256 ?? publishedSha256(res);
    if (published && published !== sha256) {
      removePart(dest);
      throw new ModelError('CHECKSUM_MISMATCH', `sha256 of ${url} is ${sha256}, expected ${published}; the partial file was removed`, { params: { host } });
    }
    if (expected.bytes && bytes !== expected.bytes) {
      removePart(dest);
      throw new ModelError('SIZE_MISMATCH', `${url} delivered ${bytes} bytes, expected ${expected.bytes}`, { params: { host, bytes, expected: expected.bytes } });
    }
    return { bytes, sha256, status: res.status, resumedFrom };
  }
}
