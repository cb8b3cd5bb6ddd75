/**
 * The desktop transport in a Chromium page, without Electron: the real preload
 * (electron/preload/index.ts, bundled by esbuild as scripts/build-electron.ts bundles it) runs in
 * the page with a stand-in for the two Electron objects it touches — contextBridge puts
 * `window.shiguang` on the page, ipcRenderer.invoke reaches the main process's IPC listener
 * (main/ipc-invoke.ts) over the desktop router of app-server.ts (engine services + shell) through
 * Playwright's exposeFunction. Only photo URLs differ: Chromium cannot load `shiguang://media/…`
 * here, so they go to the web server's /media route, behind the same media guard.
 */
import path from 'node:path';
import { build } from 'esbuild';
import type { Page } from 'playwright-core';
import { createInvokeListener } from '../../electron/main/ipc-invoke.ts';
import { APP_ORIGIN, INVOKE_CHANNEL } from '../../electron/shared/ipc.ts';
import type { AppServer } from './app-server.ts';

const ELECTRON_STAND_IN = `
export const contextBridge = { exposeInMainWorld: (key, api) => { window[key] = api; } };
export const ipcRenderer = { invoke: (channel, envelope) => window.__shiguangIpc(channel, envelope) };
`;

async function preloadBundle(root: string): Promise<string> {
  const out = await build({
    entryPoints: [path.join(root, 'electron/preload/index.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'silent',
    plugins: [
      {
        name: 'electron-stand-in',
        setup(b) {
          b.onResolve({ filter: /^electron$/ }, () => ({ path: 'electron', namespace: 'stand-in' }));
          b.onLoad({ filter: /.*/, namespace: 'stand-in' }, () => ({ contents: ELECTRON_STAND_IN, loader: 'js' }));
        },
      },
    ],
  });
  return out.outputFiles[0]!.text;
}

/**
 * Makes `page` a desktop window before it loads: returns the API methods it invoked over IPC, in
 * order. Load the app without a token afterwards (the desktop has none).
 */
export async function installDesktopBridge(page: Page, root: string, server: AppServer): Promise<string[]> {
  const invoked: string[] = [];
  const listener = createInvokeListener(server.ipc);
  // The listener accepts only the app's own page; here only this page can call the binding.
  const fromApp = { senderFrame: { url: `${APP_ORIGIN}/index.html` } };
  await page.exposeFunction('__shiguangIpc', async (channel: string, envelope: { method?: unknown }) => {
    if (channel !== INVOKE_CHANNEL) return { ok: false, error: { code: 'BAD_REQUEST', message: `unknown channel ${channel}` } };
    invoked.push(String(envelope?.method));
    return listener(fromApp, envelope);
  });
  const media = `window.shiguang.mediaUrl = (id, kind) => '/media/' + kind + '/' + id + '?token=' + ${JSON.stringify(encodeURIComponent(server.token))};`;
  await page.addInitScript(`${await preloadBundle(root)}\n${media}`);
  return invoked;
}
