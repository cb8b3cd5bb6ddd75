/**
 * Where the desktop app finds its own files, in development (`electron .` from the repo) and in a
 * packaged app. Pure: Electron's app.isPackaged / process.resourcesPath / app.getAppPath() come in
 * as arguments, so the packaging test can check these paths against a simulated install.
 *
 * Packaged layout (see electron-builder.yml):
 *   <resourcesPath>/app.asar                      out/**, dist/renderer/**, package.json, JS deps
 *   <resourcesPath>/app.asar.unpacked/node_modules native modules (asarUnpack)
 *   <resourcesPath>/resources/{vocab.txt,tags/}   extraResources, read by the engine
 *   <resourcesPath>/models/<id>/manifest.json     extraResources: the model catalogue (no weights)
 */
import path from 'node:path';
import { withAllocatorEnv } from '../engine/util/allocator-env.ts';

export interface PathInputs {
  isPackaged: boolean;
  /** process.resourcesPath */
  resourcesPath: string;
  /** app.getAppPath(): the repo root in development, <resourcesPath>/app.asar when packaged. */
  appPath: string;
  platform?: NodeJS.Platform;
  arch?: string;
  /** process.versions.electron; locates the development-only Electron build of better-sqlite3. */
  electronVersion?: string;
}

export interface AppPaths {
  rendererDir: string;
  preloadPath: string;
  engineEntry: string;
  /** SHIGUANG_RESOURCES: vocab.txt, tags/ */
  resourcesDir: string;
  /** SHIGUANG_MODELS_CATALOGUE_DIR: shipped model manifests */
  modelsCatalogueDir: string;
  /** SHIGUANG_SQLITE_VEC_PATH: a real file (SQLite cannot load an extension from inside asar). */
  sqliteVecPath: string | null;
  /**
   * SHIGUANG_BETTER_SQLITE3_BINDING, development only: node_modules holds the Node build (CLI,
   * tests), so `npm start` uses an Electron build from .cache/electron-abi made by
   * scripts/ensure-electron.mjs --native. Null when packaged (electron-builder rebuilt it in place).
   */
  betterSqlite3Binding: string | null;
}

/** sqlite-vec's per-platform npm package and its loadable file, as sqlite-vec itself names them. */
export function sqliteVecLoadable(platform: NodeJS.Platform, arch: string): { pkg: string; file: string } | null {
  const supported = ['darwin-x64', 'darwin-arm64', 'linux-x64', 'linux-arm64', 'win32-x64'];
  if (!supported.includes(`${platform}-${arch}`)) return null;
  const os = platform === 'win32' ? 'windows' : platform;
  const ext = platform === 'win32' ? 'dll' : platform === 'darwin' ? 'dylib' : 'so';
  return { pkg: `sqlite-vec-${os}-${arch}`, file: `vec0.${ext}` };
}

/** Bundles written by scripts/build-electron.ts, relative to the app root. */
export const BUNDLES = {
  main: 'out/main/index.js',
  engine: 'out/main/engine-process.js',
  encoderWorker: 'out/main/encoder-worker.js',
  preload: 'out/preload/index.cjs',
} as const;

export const RENDERER_DIR = 'dist/renderer';

export function resolveAppPaths(i: PathInputs): AppPaths {
  const platform = i.platform ?? process.platform;
  const arch = i.arch ?? process.arch;
  const app = i.appPath;
  // Native files are unpacked next to the archive; in development they are simply in node_modules.
  const nativeRoot = i.isPackaged && app.endsWith('.asar') ? `${app}.unpacked` : app;
  const vec = sqliteVecLoadable(platform, arch);
  return {
    rendererDir: path.join(app, RENDERER_DIR),
    preloadPath: path.join(app, BUNDLES.preload),
    engineEntry: path.join(app, BUNDLES.engine),
    resourcesDir: i.isPackaged ? path.join(i.resourcesPath, 'resources') : path.join(app, 'resources'),
    modelsCatalogueDir: i.isPackaged ? path.join(i.resourcesPath, 'models') : path.join(app, 'models'),
    sqliteVecPath: vec ? path.join(nativeRoot, 'node_modules', vec.pkg, vec.file) : null,
    betterSqlite3Binding:
      !i.isPackaged && i.electronVersion
        ? path.join(app, '.cache', 'electron-abi', `electron-${i.electronVersion}-${platform}-${arch}`, 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node')
        : null,
  };
}

/**
 * Environment of the engine process: the parent's, the engine's allocator settings (fewer glibc
 * arenas, big blocks returned when freed: util/allocator-env.ts), plus where the packaged resources are.
 */
export function engineEnv(paths: AppPaths, base: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env = withAllocatorEnv(base);
  env.SHIGUANG_RESOURCES = paths.resourcesDir;
  env.SHIGUANG_MODELS_CATALOGUE_DIR = paths.modelsCatalogueDir;
  if (paths.sqliteVecPath) env.SHIGUANG_SQLITE_VEC_PATH = paths.sqliteVecPath;
  if (paths.betterSqlite3Binding) env.SHIGUANG_BETTER_SQLITE3_BINDING = paths.betterSqlite3Binding;
  return env;
}
