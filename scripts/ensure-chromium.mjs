// The UI suite drives Debian's Chromium with playwright-core (no browser downloads). On a fresh
// Debian/Ubuntu machine where we are root, install it (and CJK fonts so Chinese renders in the
// screenshots); anywhere else, say exactly what is missing.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

const exe = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (fs.existsSync(exe)) process.exit(0);
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (isRoot && fs.existsSync('/usr/bin/apt-get')) {
  process.stderr.write('Chromium not found: installing Debian packages chromium and fonts-noto-cjk…\n');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium', 'fonts-noto-cjk'], { stdio: 'inherit', env });
  if (fs.existsSync(exe)) process.exit(0);
}
process.stderr.write(
  `The UI tests need Chromium at ${exe} (set CHROMIUM_PATH to use another). ` +
    'On Debian/Ubuntu: sudo apt-get install chromium fonts-noto-cjk\n',
);
process.exit(1);
