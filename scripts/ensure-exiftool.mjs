#!/usr/bin/env node
/**
 * The when/where end-to-end tests write EXIF dates, cameras and GPS positions into real photos
 * with Debian's exiftool (libimage-exiftool-perl). Like scripts/ensure-cjk-fonts.mjs: where it is
 * missing and we are root on Debian/Ubuntu, install it; anywhere else say exactly what is missing,
 * so those tests skip with that message instead of failing.
 *
 * Run directly (`node scripts/ensure-exiftool.mjs`) it exits 0 when exiftool is there.
 * Plain .mjs so it runs before anything is built.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

function version() {
  try {
    return execFileSync('exiftool', ['-ver'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

/** { ok: true, version } or { ok: false, reason } — never throws. */
export function exiftoolStatus() {
  const v = version();
  if (v) return { ok: true, version: v };
  return { ok: false, reason: 'the when/where end-to-end tests need exiftool to write EXIF into photos; on Debian/Ubuntu: sudo apt-get install libimage-exiftool-perl' };
}

/** Installs libimage-exiftool-perl with apt when missing and allowed (root + apt-get); returns the final status. */
export function ensureExiftool({ install = true, log = (m) => process.stderr.write(m) } = {}) {
  const status = exiftoolStatus();
  if (status.ok || !install) return status;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !fs.existsSync('/usr/bin/apt-get')) return status;
  log('exiftool not found: installing the Debian package libimage-exiftool-perl…\n');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'libimage-exiftool-perl'], { stdio: 'inherit', env });
  } catch (err) {
    return { ok: false, reason: `${status.reason} (installing failed: ${err instanceof Error ? err.message : String(err)})` };
  }
  return exiftoolStatus();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === fs.realpathSync(process.argv[1])) {
  const s = ensureExiftool();
  if (!s.ok) process.stderr.write(`${s.reason}\n`);
  process.exit(s.ok ? 0 : 1);
}
