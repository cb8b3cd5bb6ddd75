#!/usr/bin/env node
/**
 * Makes sure a Debian package a test needs is installed, like scripts/ensure-cjk-fonts.mjs does for
 * the fonts: where its files are missing and we are root with apt-get, install it; anywhere else
 * say exactly what is missing, so the tests that need it can skip with that message.
 * Plain .mjs so it runs before anything is built.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/** { ok: true } or { ok: false, reason } — never throws. */
export function ensureDebianPackage({ pkg, files, why, install = true, log = (m) => process.stderr.write(m) }) {
  const missing = () => files.filter((f) => !fs.existsSync(f));
  if (missing().length === 0) return { ok: true };
  const reason = `${why} with Debian's ${pkg} (missing: ${missing().join(', ')}); on Debian/Ubuntu: sudo apt-get install ${pkg}`;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!install || !isRoot || !fs.existsSync('/usr/bin/apt-get')) return { ok: false, reason };
  log(`${pkg} not found: installing the Debian package…\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', pkg], { stdio: 'inherit', env });
  } catch (err) {
    return { ok: false, reason: `${reason} (installing failed: ${err instanceof Error ? err.message : String(err)})` };
  }
  return missing().length === 0 ? { ok: true } : { ok: false, reason };
}
