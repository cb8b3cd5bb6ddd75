/**
 * The web mode's access token, kept for a data directory: the same address works after a
 * restart (a bookmark, a second browser window) until the person asks for a new token
 * (`serve --new-token`), which makes every earlier address and browser session invalid.
 *
 * Stored in `<data dir>/web-access.json`, readable by its owner only (0600): the token is the
 * key to the library's photos. A file that others could read is narrowed to 0600 again (and
 * reported) rather than trusted as it is. The port last served on is kept too, so `serve`
 * without --port can come back on the same address.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { generateToken } from './web-server.ts';

export const WEB_ACCESS_FILE = 'web-access.json';

export interface WebAccess {
  token: string;
  /** The port the last `serve` listened on, if any. */
  port?: number;
  file: string;
  /** A token was made now: none existed, it was unreadable, or a new one was asked for. */
  created: boolean;
  /** The file had been readable by others and was narrowed to 0600. */
  narrowed: boolean;
}

function writePrivate(file: string, data: { token: string; port?: number }): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  // Created 0600 from the start (never briefly world-readable), then renamed over the old one.
  fs.writeFileSync(tmp, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  fs.renameSync(tmp, file);
}

function readExisting(file: string): { token: string; port?: number } | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const j = JSON.parse(text) as { token?: unknown; port?: unknown };
    if (typeof j.token !== 'string' || !/^[A-Za-z0-9_-]{16,200}$/.test(j.token)) return null;
    const port = typeof j.port === 'number' && Number.isInteger(j.port) && j.port > 0 && j.port < 65536 ? j.port : undefined;
    return { token: j.token, port };
  } catch {
    return null; // damaged: replaced by a new token below
  }
}

/** The data directory's token (made on first use or when `renew`), with its file's permissions checked. */
export function loadWebAccess(dataDir: string, opts: { renew?: boolean } = {}): WebAccess {
  const file = path.join(dataDir, WEB_ACCESS_FILE);
  const existing = opts.renew ? null : readExisting(file);
  if (!existing) {
    const token = generateToken();
    writePrivate(file, { token });
    return { token, file, created: true, narrowed: false };
  }
  let narrowed = false;
  if (process.platform !== 'win32' && (fs.statSync(file).mode & 0o077) !== 0) {
    fs.chmodSync(file, 0o600);
    narrowed = true;
  }
  return { ...existing, file, created: false, narrowed };
}

/** Remembers the port served on (keeps the token and the file's permissions). */
export function rememberPort(access: Pick<WebAccess, 'file' | 'token'>, port: number): void {
  writePrivate(access.file, { token: access.token, port });
}
