/**
 * Electron main process: lifecycle and wiring only. The engine runs in a utility process
 * (engine-host.ts); the renderer is served from the `shiguang:` scheme (protocol.ts); the API
 * arrives on one IPC channel (ipc-invoke.ts); security settings live in window.ts.
 */
import fs from 'node:fs';
import { app, BrowserWindow, dialog, ipcMain, protocol, session, shell } from 'electron';
import { APP_SCHEME, INVOKE_CHANNEL } from '../shared/ipc.ts';
import { shellHandlers, type DesktopShell } from './desktop-handlers.ts';
import { startEngineHost, type EngineHost } from './engine-host.ts';
import { createInvokeListener } from './ipc-invoke.ts';
import { engineEnv, resolveAppPaths } from './paths.ts';
import { createAppProtocolHandler } from './protocol.ts';
import { hardenSession, hardenWebContents, mainWindowOptions, START_URL } from './window.ts';

// Must happen before 'ready': a standard + secure scheme gets an origin, fetch and a secure context.
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, codeCache: true } },
]);
app.enableSandbox();

let mainWindow: BrowserWindow | null = null;
let host: EngineHost | null = null;

function createWindow(preloadPath: string): BrowserWindow {
  const win = new BrowserWindow(mainWindowOptions(preloadPath));
  win.once('ready-to-show', () => win.show());
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = null;
  });
  void win.loadURL(START_URL);
  return win;
}

function focusMainWindow(): void {
  if (!mainWindow) return;
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.focus();
}

const desktopShell: DesktopShell = {
  async chooseFolders() {
    const options = { title: '选择照片文件夹', properties: ['openDirectory', 'multiSelections'] as ('openDirectory' | 'multiSelections')[] };
    const r = mainWindow ? await dialog.showOpenDialog(mainWindow, options) : await dialog.showOpenDialog(options);
    return r.canceled ? [] : r.filePaths;
  },
  showItemInFolder: (file) => shell.showItemInFolder(file),
  openPath: (file) => shell.openPath(file),
};

async function start(): Promise<void> {
  const paths = resolveAppPaths({
    isPackaged: app.isPackaged,
    resourcesPath: process.resourcesPath,
    appPath: app.getAppPath(),
    electronVersion: process.versions.electron,
  });
  if (paths.betterSqlite3Binding && !fs.existsSync(paths.betterSqlite3Binding)) {
    console.warn('No Electron build of better-sqlite3 in .cache/electron-abi; run `node scripts/ensure-electron.mjs --native`.');
    paths.betterSqlite3Binding = null;
  }
  hardenSession(session.defaultSession);
  host = startEngineHost(paths.engineEntry, engineEnv(paths));
  protocol.handle(APP_SCHEME, createAppProtocolHandler({ media: host.media, staticDir: paths.rendererDir }));
  host.router.register('shell', shellHandlers(host.router, host.media, desktopShell));
  ipcMain.handle(INVOKE_CHANNEL, createInvokeListener(host.router));
  mainWindow = createWindow(paths.preloadPath);
  app.on('activate', () => {
    if (!mainWindow) mainWindow = createWindow(paths.preloadPath);
  });
}

export function main(): void {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  app.on('second-instance', focusMainWindow);
  app.on('web-contents-created', (_event, wc) => hardenWebContents(wc));
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  // Give the engine a moment to close its database cleanly, then quit for real.
  let stopping = false;
  app.on('before-quit', (event) => {
    if (!host || stopping) return;
    stopping = true;
    event.preventDefault();
    void host.stop().finally(() => app.quit());
  });
  app.whenReady().then(start).catch((err: unknown) => {
    console.error('拾光 failed to start:', err);
    app.exit(1);
  });
}

main();
