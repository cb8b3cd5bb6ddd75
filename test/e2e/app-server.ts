/**
 * The real web mode, started in this process, for the UI checks that need a library state the
 * plain `shiguang serve` of real-server.ts does not start in: no model yet (first run), a test
 * catalogue whose downloads come from a local fixture hub, an installed and chosen model (the int8
 * offer), a library database written ahead (100 000 photos), and the desktop transport.
 *
 * It is put together exactly as `serve` does it (electron/cli/commands/serve.ts):
 * `ShiguangApp.open({ config, watch: true })` + `createWebServer({ services, media, staticDir })`.
 * The desktop transport is the main process's router as electron/main builds it: the engine's
 * services plus the shell service of main/desktop-handlers.ts (guard included), whose Electron
 * part (dialog, showItemInFolder, openPath) is the one stand-in: `recordingShell`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ShiguangApp, type AppOptions } from '../../electron/engine/app/app.ts';
import { dataPaths, type DataPaths } from '../../electron/engine/app/paths.ts';
import { prepareModelDir } from '../../electron/engine/ml/prepare-model.ts';
import type { ModelHooks } from '../../electron/engine/models/download-registry.ts';
import { importModel, useModel } from '../../electron/engine/models/install.ts';
import { createLogger } from '../../electron/engine/util/log.ts';
import { shellHandlers, type DesktopShell } from '../../electron/main/desktop-handlers.ts';
import { createWebServer } from '../../electron/server/web-server.ts';
import { ApiRouter } from '../../electron/shared/router.ts';

export interface AppServerOptions {
  /** Repository root: dist/renderer (built beforehand) is served from here. */
  root: string;
  /** The data directory (what SHIGUANG_HOME names); default: a fresh one, removed on close. */
  home?: string;
  /** The library database; default: library.db in the data directory. */
  dbPath?: string;
  /** A model directory for this run (`--model`); default: the model chosen in the data directory, if any. */
  modelDir?: string;
  /** Folders to add and index before the page opens (`serve FOLDER…`); needs a model. */
  folders?: string[];
  /** Re-scan the watched folders at start, as `serve` without folders does (default: when no folders are given). */
  catchUp?: boolean;
  /** Model manager hooks (models/download-registry.ts): a test catalogue, a slowed-down fetch. */
  models?: ModelHooks;
  /**
   * When the per-photo passes (tags, text in photos) run: in the background like `serve`
   * (default), or only on demand — for a library whose photos are rows without files, or a check
   * that must not share two cores with them.
   */
  passes?: 'background' | 'on-demand';
  /** The Electron part of the desktop shell service, for `ipc`. Default: one that records and refuses nothing. */
  shell?: DesktopShell;
}

export interface AppServer {
  /** http://127.0.0.1:PORT/?token=… */
  url: string;
  token: string;
  app: ShiguangApp;
  paths: DataPaths;
  dbPath: string;
  /**
   * The desktop main process's router ('ipc'): every engine service plus `shell`. The web server
   * never serves `shell`; a page reaches this one through desktop-bridge.ts.
   */
  ipc: ApiRouter;
  close(): Promise<void>;
}

const log = createLogger('e2e', (process.env.SHIGUANG_LOG as 'warn' | undefined) ?? 'warn');

/** A data directory as `models import DIR` + `models use ID` leave it; returns the model's id. */
export async function installModel(home: string, modelDir: string): Promise<string> {
  const paths = dataPaths({ SHIGUANG_HOME: home });
  // The validation `models import` runs (electron/cli/main.ts): a test encode, short text sequences.
  const m = await importModel(modelDir, paths.models, { validate: (dir) => prepareModelDir(dir) });
  await useModel(m.id, { modelsDir: paths.models, configFile: paths.config });
  return m.id;
}

/** Waits until the indexer is idle with `n` photos indexed (serve indexes the folders it is given in the background). */
export async function waitIndexed(app: ShiguangApp, n: number, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await app.status();
    if (!s.progress.running && s.counts.pending === 0 && s.counts.indexed >= n) return;
    if (Date.now() > deadline) throw new Error(`indexing did not finish: ${JSON.stringify(s.counts)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The Electron calls of the shell service, recorded: the folder dialog answers `chosen`. */
export function recordingShell(chosen: string[]): DesktopShell & { calls: { call: keyof DesktopShell; arg?: string }[] } {
  const calls: { call: keyof DesktopShell; arg?: string }[] = [];
  return {
    calls,
    chooseFolders: async () => {
      calls.push({ call: 'chooseFolders' });
      return chosen;
    },
    showItemInFolder: (file) => void calls.push({ call: 'showItemInFolder', arg: file }),
    openPath: async (file) => {
      calls.push({ call: 'openPath', arg: file });
      return '';
    },
  };
}

export async function startAppServer(opts: AppServerOptions): Promise<AppServer> {
  const ownHome = opts.home === undefined;
  const home = opts.home ?? fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-e2e-'));
  const paths = dataPaths({ SHIGUANG_HOME: home });
  const dbPath = opts.dbPath ?? paths.db;
  const options: AppOptions = {
    config: { paths, dbPath, modelDir: opts.modelDir, sessionOverrides: { threads: 1 } },
    logger: log,
    watch: true,
    catchUp: opts.catchUp ?? !opts.folders?.length,
    models: opts.models,
    ...(opts.passes ? { engine: { passes: opts.passes } } : {}),
  };
  const app = await ShiguangApp.open(options);
  try {
    if (opts.folders?.length) {
      const engine = app.requireEngine();
      for (const f of opts.folders) await engine.folders.addFolder(path.resolve(f));
    }
    const staticDir = path.join(opts.root, 'dist', 'renderer');
    if (!fs.existsSync(path.join(staticDir, 'index.html'))) throw new Error(`no renderer build in ${staticDir}: run npx vite build --config renderer/vite.config.ts`);
    const server = await createWebServer({ services: app.services(), media: app.media, staticDir });
    const ipc = new ApiRouter('ipc').registerAll(app.services());
    ipc.register('shell', shellHandlers(ipc, app.media, opts.shell ?? recordingShell([])));
    return {
      url: server.url,
      token: server.token,
      app,
      paths,
      dbPath,
      ipc,
      close: async () => {
        await server.close();
        await app.close();
        if (ownHome) fs.rmSync(home, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await app.close();
    throw err;
  }
}
