// The UI suite drives Debian's Chromium with playwright-core (no browser downloads), and its
// screenshots need a CJK font or Chinese renders as empty boxes. Each is checked on its own:
// Chromium at CHROMIUM_PATH (default /usr/bin/chromium), a Chinese font via fontconfig
// (`fc-list :lang=zh`). On Debian/Ubuntu as root, what is missing is installed with apt
// (chromium, fonts-noto-cjk); anywhere else, the message says exactly what to install.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

const exe = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const canApt = isRoot && fs.existsSync('/usr/bin/apt-get');

function hasChineseFont() {
  try {
    return execFileSync('fc-list', [':lang=zh', 'family'], { encoding: 'utf8' }).trim().length > 0;
  } catch {
    return false; // no fontconfig: Chromium on Linux would have no fonts to find either
  }
}

const missing = [];
if (!fs.existsSync(exe)) missing.push('chromium');
if (process.platform === 'linux' && !hasChineseFont()) missing.push('fonts-noto-cjk');
if (missing.length === 0) process.exit(0);

if (canApt) {
  process.stderr.write(`Installing Debian packages for the UI tests: ${missing.join(' ')}…\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
  const still = [];
  if (!fs.existsSync(exe)) still.push('chromium');
  if (process.platform === 'linux' && !hasChineseFont()) still.push('fonts-noto-cjk');
  if (still.length === 0) process.exit(0);
  missing.splice(0, missing.length, ...still);
}
process.stderr.write(
  `The UI tests need ${missing.join(' and ')}` +
    (missing.includes('chromium') ? ` (Chromium at ${exe}; set CHROMIUM_PATH to use another)` : '') +
    `. On Debian/Ubuntu: sudo apt-get install ${missing.join(' ')}\n`,
);
process.exit(1);
