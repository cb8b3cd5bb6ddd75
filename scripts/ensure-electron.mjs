#!/usr/bin/env node
/**
 * Run by `npm start` and `npm run dist` before anything needs Electron itself.
 *
 * 1. The Electron binary. The README installs with ELECTRON_SKIP_BINARY_DOWNLOAD=1 (CI, the CLI
 *    and the tests never need it), so a developer's first `npm start` downloads it here, by
 *    running electron's own install.js with that variable removed. ELECTRON_MIRROR is honoured
 *    (e.g. https://npmmirror.com/mirrors/electron/ in mainland China).
 *
 * 2. With --native: an Electron-ABI build of better-sqlite3 for `npm start`, kept apart in
 *    .cache/electron-abi/ so node_modules keeps the Node build that the CLI and tests load.
 *    better-sqlite3 is the only addon that needs this: onnxruntime-node and sharp are N-API and
 *    sqlite-vec is a SQLite extension. The main process passes the file to the engine as
 *    SHIGUANG_BETTER_SQLITE3_BINDING (better-sqlite3's `nativeBinding` option).
 *    Packaged apps do not use this: electron-builder rebuilds node_modules itself (npmRebuild).
 *
 * Plain .mjs (no TypeScript) because it must run before anything is built or installed.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ELECTRON_DIR = path.join(ROOT, 'node_modules', 'electron');

/** True when node_modules/electron has an unpacked binary for this machine. */
export function electronInstalled(electronDir = ELECTRON_DIR) {
  try {
    const rel = fs.readFileSync(path.join(electronDir, 'path.txt'), 'utf8').trim();
    return rel.length > 0 && fs.existsSync(path.join(electronDir, 'dist', rel));
  } catch {
    return false;
  }
}

export function electronVersion(electronDir = ELECTRON_DIR) {
  return JSON.parse(fs.readFileSync(path.join(electronDir, 'package.json'), 'utf8')).version;
}

/** Where the Electron-ABI better-sqlite3 lives; electron/main/paths.ts computes the same path. */
export function electronSqliteDir(root, version, platform = process.platform, arch = process.arch) {
  return path.join(root, '.cache', 'electron-abi', `electron-${version}-${platform}-${arch}`, 'better-sqlite3');
}

function run(args, cwd, env = process.env) {
  const r = spawnSync(process.execPath, args, { cwd, env, stdio: 'inherit' });
  return r.status === 0;
}

function ensureBinary() {
  if (electronInstalled()) return;
  if (!fs.existsSync(path.join(ELECTRON_DIR, 'install.js'))) {
    throw new Error('node_modules/electron is missing; run `npm install` first');
  }
  console.log(`Downloading the Electron ${electronVersion()} binary (one time)…`);
  const env = { ...process.env };
  delete env.ELECTRON_SKIP_BINARY_DOWNLOAD;
  if (!run([path.join(ELECTRON_DIR, 'install.js')], ELECTRON_DIR, env) || !electronInstalled()) {
    throw new Error(
      'could not download Electron. It needs internet access to github.com, or set ELECTRON_MIRROR ' +
        '(e.g. ELECTRON_MIRROR=https://npmmirror.com/mirrors/electron/) and run this again.',
    );
  }
}

function ensureElectronSqlite() {
  const version = electronVersion();
  const dest = electronSqliteDir(ROOT, version);
  const binding = path.join(dest, 'build', 'Release', 'better_sqlite3.node');
  if (fs.existsSync(binding)) return binding;
  const src = path.join(ROOT, 'node_modules', 'better-sqlite3');
  console.log(`Building better-sqlite3 for Electron ${version} into ${path.relative(ROOT, dest)}…`);
  fs.rmSync(dest, { recursive: true, force: true });
  // The package without its Node build; prebuild-install reads its package.json for the release URL.
  fs.cpSync(src, dest, { recursive: true, filter: (p) => path.relative(src, p).split(path.sep)[0] !== 'build' });
  const target = [`--target=${version}`, `--arch=${process.arch}`];
  const prebuilt = run([path.join(ROOT, 'node_modules', 'prebuild-install', 'bin.js'), '--runtime=electron', ...target], dest);
  if (!prebuilt || !fs.existsSync(binding)) {
    console.log('No prebuilt binary; compiling against Electron headers (needs a C++ toolchain)…');
    const gyp = path.join(ROOT, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
    if (!run([gyp, 'rebuild', '--release', '--runtime=electron', ...target, '--dist-url=https://electronjs.org/headers'], dest)) {
      throw new Error('could not build better-sqlite3 for Electron; see the output above');
    }
  }
  if (!fs.existsSync(binding)) throw new Error(`better-sqlite3 build finished but ${binding} is missing`);
  return binding;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    ensureBinary();
    if (process.argv.includes('--native')) ensureElectronSqlite();
  } catch (err) {
    console.error(`ensure-electron: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
