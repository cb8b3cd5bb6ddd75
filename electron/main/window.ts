/**
 * The renderer's security settings in one place, so tests can assert them: a sandboxed,
 * context-isolated page without Node; no navigation, no new windows, no webviews, no
 * permissions, no downloads, and no request leaving the app's own scheme.
 */
import type { BrowserWindowConstructorOptions, Session, WebContents } from 'electron';
import { APP_HOST, APP_ORIGIN, APP_SCHEME, MEDIA_HOST } from '../shared/ipc.ts';

export const START_URL = `${APP_ORIGIN}/index.html`;

export function mainWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 840,
    minWidth: 720,
    minHeight: 480,
    title: '拾光',
    show: false, // shown on ready-to-show: no white flash
    backgroundColor: '#16161a',
    webPreferences: {
      preload: preloadPath,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  };
}

/**
 * Requests the renderer may make: the app and media hosts of our scheme, in-memory blob:/data:
 * URLs (a dropped image previewed before upload) and devtools. Everything else — http(s), ws,
 * file:// — is cancelled, so no remote content or local file can be pulled into the page.
 */
export function isAllowedRequestUrl(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  switch (url.protocol) {
    case `${APP_SCHEME}:`:
      // host, not origin: Node's URL (tests) has no origin for non-special schemes.
      return url.host === APP_HOST || url.host === MEDIA_HOST;
    case 'blob:':
    case 'data:':
    case 'devtools:':
      return true;
    default:
      return false;
  }
}

/** Applied to every WebContents the app creates (app 'web-contents-created'). */
export function hardenWebContents(wc: WebContents): void {
  // The app is a single page: any navigation (a dropped file, a link, window.location) is refused.
  wc.on('will-navigate', (event) => event.preventDefault());
  wc.on('will-redirect', (event) => event.preventDefault());
  wc.on('will-attach-webview', (event) => event.preventDefault());
  wc.setWindowOpenHandler(() => ({ action: 'deny' }));
}

export function hardenSession(ses: Session): void {
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.setDevicePermissionHandler(() => false);
  ses.on('will-download', (event) => event.preventDefault());
  ses.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !isAllowedRequestUrl(details.url) }));
}
