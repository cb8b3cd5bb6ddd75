#!/usr/bin/env node
/**
 * The OCR fixtures (scripts/fixtures/ocr-images.ts) draw Chinese with Debian's fonts-noto-cjk
 * through fontconfig. Like scripts/ensure-chromium.mjs: where the fonts are missing and we are
 * root on Debian/Ubuntu, install them; anywhere else say exactly what is missing, so the OCR
 * quality tests can skip with that message instead of failing on tofu boxes.
 *
 * Run directly (`node scripts/ensure-cjk-fonts.mjs`) it exits 0 when the fonts are there.
 * Plain .mjs so it runs before anything is built.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

/** What the fixtures ask fontconfig for, and the files Debian's package puts them in. */
export const CJK_FONT_FILES = [
  '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc',
  '/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc',
  '/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc',
  '/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc',
];

function fontconfigHas(family) {
  try {
    return execFileSync('fc-list', [family], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().length > 0;
  } catch {
    return false;
  }
}

/** { ok: true } or { ok: false, reason } — never throws. */
export function cjkFontsStatus() {
  const missing = CJK_FONT_FILES.filter((f) => !fs.existsSync(f));
  if (missing.length === 0) return { ok: true };
  if (fontconfigHas('Noto Sans CJK SC') && fontconfigHas('Noto Serif CJK SC')) return { ok: true };
  return {
    ok: false,
    reason: `the OCR fixtures need the Noto CJK fonts (missing: ${missing.join(', ')}); on Debian/Ubuntu: sudo apt-get install fonts-noto-cjk`,
  };
}

/** Installs fonts-noto-cjk with apt when missing and allowed (root + apt-get); returns the final status. */
export function ensureCjkFonts({ install = true, log = (m) => process.stderr.write(m) } = {}) {
  const status = cjkFontsStatus();
  if (status.ok || !install) return status;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !fs.existsSync('/usr/bin/apt-get')) return status;
  log('Noto CJK fonts not found: installing the Debian package fonts-noto-cjk…\n');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'fonts-noto-cjk'], { stdio: 'inherit', env });
  } catch (err) {
    return { ok: false, reason: `${status.reason} (installing failed: ${err instanceof Error ? err.message : String(err)})` };
  }
  return cjkFontsStatus();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === fs.realpathSync(process.argv[1])) {
  const s = ensureCjkFonts();
  if (!s.ok) process.stderr.write(`${s.reason}\n`);
  process.exit(s.ok ? 0 : 1);
}
