/**
 * The Electron main-process logic, with Electron itself faked: IPC validation, the shell methods,
 * the `shiguang:` protocol handler, window/session hardening, the preload bridge, and that
 * index.ts wires all of it (sandbox, isolation, navigation and window-open denial).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../electron/shared/api.ts';
import type { MediaKind } from '../../electron/shared/handlers.ts';
import { ApiRouter } from '../../electron/shared/router.ts';
import { INVOKE_CHANNEL } from '../../electron/shared/ipc.ts';
import type { GuardedMediaProvider } from '../../electron/transport/media-guard.ts';
import { createInvokeListener } from '../../electron/main/ipc-invoke.ts';
import { shellHandlers, type DesktopShell } from '../../electron/main/desktop-handlers.ts';
import { ALL_SERVICES, recordingHandlers, servicesFrom, type FlatHandlers } from './fake-services.ts';
import { createAppProtocolHandler, DESKTOP_CSP } from '../../electron/main/protocol.ts';
import { hardenSession, hardenWebContents, isAllowedRequestUrl, mainWindowOptions } from '../../electron/main/window.ts';
import { engineEnv, resolveAppPaths, sqliteVecLoadable } from '../../electron/main/paths.ts';
import { makeBridge } from '../../electron/preload/make-bridge.ts';
import { electronInstalled, electronSqliteDir } from '../../scripts/ensure-electron.mjs';

const APP_FRAME = { senderFrame: { url: 'shiguang://app/index.html' } };

/** The main process's router: every service recorded (the engine's and a fake shell). */
function recordingRouter(calls: { method: string; req: unknown }[], overrides: FlatHandlers = {}): ApiRouter {
  return new ApiRouter('ipc').registerAll(servicesFrom(recordingHandlers(calls, overrides)));
}

describe('IPC invoke listener', () => {
  const calls: { method: string; req: unknown }[] = [];
  const listener = createInvokeListener(
    recordingRouter(calls, {
      photo: async () => {
        throw new ApiError('NOT_FOUND', 'no photo 9');
      },
      status: async () => {
        throw new TypeError('kaput');
      },
    }),
  );

  it('forwards a valid call with the parsed (defaulted) request', async () => {
    expect(await listener(APP_FRAME, { method: 'search', payload: { query: '猫' } })).toEqual({ ok: true, result: { method: 'search' } });
    expect(calls.at(-1)).toEqual({ method: 'search', req: { query: '猫', limit: 200, mode: 'all', filter: {}, understand: true } });
  });

  it('answers BAD_REQUEST for bad payloads, unknown methods and malformed envelopes without calling handlers', async () => {
    const before = calls.length;
    for (const envelope of [
      { method: 'search', payload: { query: '' } },
      { method: 'search', payload: { query: 'x', limit: 'all' } },
      { method: 'search', payload: 'string' },
      { method: 'nope', payload: {} },
      { method: 'constructor', payload: {} },
      { method: 42, payload: {} },
      { payload: {} },
      null,
      'search',
      [],
    ]) {
      const r = await listener(APP_FRAME, envelope);
      expect(r.ok, JSON.stringify(envelope)).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('BAD_REQUEST');
        expect(r.error.message.length).toBeGreaterThan(0);
      }
    }
    expect(calls.length).toBe(before);
  });

  it('carries handler errors as {code, message}', async () => {
    expect(await listener(APP_FRAME, { method: 'photo', payload: { photoId: 9 } })).toEqual({
      ok: false,
      error: { code: 'NOT_FOUND', message: 'no photo 9' },
    });
    expect(await listener(APP_FRAME, { method: 'status', payload: {} })).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'kaput' } });
  });

  it('refuses senders that are not the app page', async () => {
    const before = calls.length;
    for (const frame of [{ senderFrame: { url: 'https://evil.example/' } }, { senderFrame: { url: 'file:///tmp/x.html' } }, { senderFrame: null }, { senderFrame: { url: 'shiguang://media/thumb/1' } }]) {
      expect(await listener(frame, { method: 'status', payload: {} })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    }
    expect(calls.length).toBe(before);
  });
});

describe('desktop handlers and the media protocol', () => {
  let tmp: string;
  let library: string;
  let dist: string;
  let outside: string;
  const paths: Record<number, string> = {};

  beforeAll(() => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-main-')));
    library = path.join(tmp, 'photos');
    dist = path.join(tmp, 'dist');
    outside = path.join(tmp, 'outside');
    for (const d of [library, dist, outside]) fs.mkdirSync(d);
    fs.writeFileSync(path.join(library, 'a.jpg'), 'JPEG');
    fs.writeFileSync(path.join(library, 'run.sh'), '#!/bin/sh');
    fs.writeFileSync(path.join(outside, 'b.jpg'), 'OUT');
    fs.writeFileSync(path.join(dist, 'index.html'), '<!doctype html>拾光');
    paths[1] = path.join(library, 'a.jpg');
    paths[2] = path.join(outside, 'b.jpg');
    paths[3] = path.join(library, 'run.sh');
    paths[4] = path.join(library, 'missing.jpg');
  });

  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const media = (): GuardedMediaProvider => ({
    mediaFile: async (id: number, _kind: MediaKind) => {
      if (!paths[id]) throw new ApiError('NOT_FOUND', `no photo ${id}`);
      return paths[id];
    },
    libraryRoots: async () => [library],
  });

  /** The engine's services as main sees them (no shell: main registers its own). */
  function engine(): ApiRouter {
    const h = recordingHandlers([], {
      photo: async (req) => {
        const id = (req as { photoId: number }).photoId;
        if (!paths[id]) throw new ApiError('NOT_FOUND', `no photo ${id}`);
        return { id, path: paths[id] };
      },
    });
    return new ApiRouter('ipc').registerAll(servicesFrom(h, ['system', 'library', 'search', 'tags', 'ocr', 'stacks', 'models', 'settings']));
  }

  function fakeShell(openResult = '') {
    const log: string[] = [];
    const shell: DesktopShell = {
      chooseFolders: async () => ['/a', '/b'],
      showItemInFolder: (f) => void log.push(`reveal ${f}`),
      openPath: async (f) => {
        log.push(`open ${f}`);
        return openResult;
      },
    };
    return { shell, log };
  }

  it('implements the desktop-only methods and reports ipc capabilities', async () => {
    const { shell, log } = fakeShell();
    const router = engine();
    const h = shellHandlers(router, media(), shell);
    router.register('shell', h);
    expect(await router.invoke('capabilities', {})).toEqual({ nativeShell: true, transport: 'ipc', services: ALL_SERVICES });
    expect(await h.chooseFolders({})).toEqual(['/a', '/b']);
    expect(await h.revealPhoto({ photoId: 1 })).toEqual({ ok: true });
    expect(await h.openPhoto({ photoId: 1 })).toEqual({ ok: true });
    expect(log).toEqual([`reveal ${paths[1]}`, `open ${paths[1]}`]);
  });

  it('never opens or reveals files outside the library, non-images or missing files', async () => {
    const { shell, log } = fakeShell();
    const h = shellHandlers(engine(), media(), shell);
    await expect(h.openPhoto({ photoId: 2 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(h.openPhoto({ photoId: 3 })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    await expect(h.revealPhoto({ photoId: 4 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(h.revealPhoto({ photoId: 5 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(log).toEqual([]);
  });

  it('reports a failed open', async () => {
    const { shell } = fakeShell('no application associated');
    await expect(shellHandlers(engine(), media(), shell).openPhoto({ photoId: 1 })).rejects.toThrow(/no application/);
  });

  it('serves the app with the CSP and media through the guard', async () => {
    const handle = createAppProtocolHandler({ media: media(), staticDir: dist });
    const page = await handle(new Request('shiguang://app/index.html'));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('拾光');
    expect(page.headers.get('content-security-policy')).toBe(DESKTOP_CSP);
    expect(DESKTOP_CSP).toContain('img-src');
    expect(DESKTOP_CSP).toContain('shiguang://media');
    const img = await handle(new Request('shiguang://media/original/1'));
    expect(img.status).toBe(200);
    expect(img.headers.get('content-type')).toBe('image/jpeg');
    expect(await img.text()).toBe('JPEG');
    const again = await handle(new Request('shiguang://media/original/1', { headers: { 'If-None-Match': img.headers.get('etag')! } }));
    expect(again.status).toBe(304);
    expect((await handle(new Request('shiguang://media/original/2'))).status).toBe(403);
    expect((await handle(new Request('shiguang://media/original/99'))).status).toBe(404);
    expect((await handle(new Request('shiguang://media/original/1/../../2'))).status).not.toBe(200);
    expect((await handle(new Request('shiguang://other/index.html'))).status).toBe(404);
    expect((await handle(new Request('shiguang://app/index.html', { method: 'POST', body: 'x' }))).status).toBe(405);
    const traversal = await handle(new Request('shiguang://app/%2e%2e/outside/b.jpg'));
    expect(traversal.status).not.toBe(200);
  });
});

describe('window and session hardening', () => {
  it('creates a sandboxed, isolated window without Node', () => {
    const o = mainWindowOptions('/app/out/preload/index.cjs');
    expect(o.webPreferences).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webviewTag: false,
      webSecurity: true,
    });
  });

  it('allows only the app scheme and in-memory URLs', () => {
    for (const ok of ['shiguang://app/index.html', 'shiguang://app/assets/x.js', 'shiguang://media/thumb/1', 'blob:shiguang://app/uuid', 'data:image/png;base64,AA', 'devtools://devtools/bundled/x.html']) {
      expect(isAllowedRequestUrl(ok), ok).toBe(true);
    }
    for (const bad of ['https://example.com/x.js', 'http://127.0.0.1:8080/', 'file:///etc/passwd', 'ws://localhost/', 'shiguang://evil/x', 'ftp://x/', 'not a url']) {
      expect(isAllowedRequestUrl(bad), bad).toBe(false);
    }
  });

  it('denies navigation, redirects, webviews and new windows', () => {
    const on = new Map<string, (e: { preventDefault(): void }) => void>();
    let openHandler: (() => { action: string }) | null = null;
    const wc = { on: (ev: string, cb: (e: { preventDefault(): void }) => void) => on.set(ev, cb), setWindowOpenHandler: (h: () => { action: string }) => (openHandler = h) };
    hardenWebContents(wc as never);
    for (const ev of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      const prevent = vi.fn();
      on.get(ev)!({ preventDefault: prevent });
      expect(prevent, ev).toHaveBeenCalled();
    }
    expect(openHandler!()).toEqual({ action: 'deny' });
  });

  it('denies permissions and downloads and cancels foreign requests', () => {
    const ses = {
      permissionRequest: null as null | ((wc: unknown, p: string, cb: (ok: boolean) => void) => void),
      permissionCheck: null as null | (() => boolean),
      deviceCheck: null as null | (() => boolean),
      events: new Map<string, (e: { preventDefault(): void }) => void>(),
      beforeRequest: null as null | ((d: { url: string }, cb: (r: { cancel: boolean }) => void) => void),
      setPermissionRequestHandler(h: never) {
        this.permissionRequest = h;
      },
      setPermissionCheckHandler(h: never) {
        this.permissionCheck = h;
      },
      setDevicePermissionHandler(h: never) {
        this.deviceCheck = h;
      },
      on(ev: string, cb: (e: { preventDefault(): void }) => void) {
        this.events.set(ev, cb);
      },
      webRequest: {} as { onBeforeRequest?: unknown },
    };
    ses.webRequest.onBeforeRequest = (h: never) => (ses.beforeRequest = h);
    hardenSession(ses as never);
    const granted = vi.fn();
    ses.permissionRequest!(null, 'media', granted);
    expect(granted).toHaveBeenCalledWith(false);
    expect(ses.permissionCheck!()).toBe(false);
    expect(ses.deviceCheck!()).toBe(false);
    const prevent = vi.fn();
    ses.events.get('will-download')!({ preventDefault: prevent });
    expect(prevent).toHaveBeenCalled();
    const answers: boolean[] = [];
    ses.beforeRequest!({ url: 'https://tracker.example/p.gif' }, (r) => answers.push(r.cancel));
    ses.beforeRequest!({ url: 'shiguang://app/index.html' }, (r) => answers.push(r.cancel));
    expect(answers).toEqual([true, false]);
  });
});

describe('preload bridge', () => {
  it('unwraps results and rejects with a plain {code, message}', async () => {
    const sent: unknown[] = [];
    const bridge = makeBridge(async (env) => {
      sent.push(env);
      return env.method === 'status' ? { ok: true, result: { fine: true } } : { ok: false, error: { code: 'NOT_FOUND', message: 'gone' } };
    });
    await expect(bridge.invoke('status', {})).resolves.toEqual({ fine: true });
    const err = await bridge.invoke('photo', { photoId: 1 }).catch((e: unknown) => e);
    expect(err).toEqual({ code: 'NOT_FOUND', message: 'gone' });
    expect(err).not.toBeInstanceOf(Error);
    expect(ApiError.from(err)).toMatchObject({ code: 'NOT_FOUND' });
    expect(sent).toEqual([
      { method: 'status', payload: {} },
      { method: 'photo', payload: { photoId: 1 } },
    ]);
    expect(bridge.mediaUrl(12, 'thumb')).toBe('shiguang://media/thumb/12');
    await expect(makeBridge(async () => 'garbage').invoke('status', {})).rejects.toMatchObject({ code: 'INTERNAL' });
  });
});

describe('ensure-electron', () => {
  it('detects an unpacked Electron binary from path.txt', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-electron-'));
    try {
      expect(electronInstalled(dir)).toBe(false);
      fs.writeFileSync(path.join(dir, 'path.txt'), 'electron');
      expect(electronInstalled(dir)).toBe(false); // path.txt without dist/
      fs.mkdirSync(path.join(dir, 'dist'));
      fs.writeFileSync(path.join(dir, 'dist', 'electron'), '');
      expect(electronInstalled(dir)).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('paths', () => {
  it('resolves a packaged layout', () => {
    const p = resolveAppPaths({ isPackaged: true, resourcesPath: '/opt/拾光/resources', appPath: '/opt/拾光/resources/app.asar', platform: 'linux', arch: 'x64' });
    expect(p).toEqual({
      rendererDir: '/opt/拾光/resources/app.asar/dist/renderer',
      preloadPath: '/opt/拾光/resources/app.asar/out/preload/index.cjs',
      engineEntry: '/opt/拾光/resources/app.asar/out/main/engine-process.js',
      resourcesDir: '/opt/拾光/resources/resources',
      modelsCatalogueDir: '/opt/拾光/resources/models',
      sqliteVecPath: '/opt/拾光/resources/app.asar.unpacked/node_modules/sqlite-vec-linux-x64/vec0.so',
      betterSqlite3Binding: null,
    });
  });

  it('resolves the development layout from the repo', () => {
    const p = resolveAppPaths({ isPackaged: false, resourcesPath: '/x/electron/resources', appPath: '/repo', platform: 'darwin', arch: 'arm64' });
    expect(p.resourcesDir).toBe('/repo/resources');
    expect(p.modelsCatalogueDir).toBe('/repo/models');
    expect(p.sqliteVecPath).toBe('/repo/node_modules/sqlite-vec-darwin-arm64/vec0.dylib');
    expect(p.betterSqlite3Binding).toBeNull(); // no Electron version: not running in Electron
  });

  it('points development Electron at the better-sqlite3 build that ensure-electron makes', () => {
    const p = resolveAppPaths({ isPackaged: false, resourcesPath: '/x', appPath: '/repo', platform: 'linux', arch: 'x64', electronVersion: '41.7.1' });
    expect(p.betterSqlite3Binding).toBe(path.join(electronSqliteDir('/repo', '41.7.1', 'linux', 'x64'), 'build', 'Release', 'better_sqlite3.node'));
    expect(engineEnv(p, {}).SHIGUANG_BETTER_SQLITE3_BINDING).toBe(p.betterSqlite3Binding);
    const packaged = resolveAppPaths({ isPackaged: true, resourcesPath: '/r', appPath: '/r/app.asar', electronVersion: '41.7.1' });
    expect(packaged.betterSqlite3Binding).toBeNull();
  });

  it("starts the engine with two glibc arenas and a fixed mmap threshold unless the person set their own", () => {
    const p = resolveAppPaths({ isPackaged: true, resourcesPath: '/r', appPath: '/r/app.asar', platform: 'linux', arch: 'x64' });
    expect(engineEnv(p, {}).MALLOC_ARENA_MAX).toBe('2');
    expect(engineEnv(p, {}).MALLOC_MMAP_THRESHOLD_).toBe('1048576');
    expect(engineEnv(p, { MALLOC_ARENA_MAX: '8' }).MALLOC_ARENA_MAX).toBe('8');
  });

  it('names sqlite-vec packages as sqlite-vec does', () => {
    expect(sqliteVecLoadable('win32', 'x64')).toEqual({ pkg: 'sqlite-vec-windows-x64', file: 'vec0.dll' });
    expect(sqliteVecLoadable('win32', 'arm64')).toBeNull();
  });

  it('passes the resource locations to the engine', () => {
    const p = resolveAppPaths({ isPackaged: true, resourcesPath: '/r', appPath: '/r/app.asar', platform: 'linux', arch: 'x64' });
    const env = engineEnv(p, { PATH: '/bin', UNSET: undefined });
    expect(env).toEqual({
      PATH: '/bin',
      MALLOC_ARENA_MAX: '2',
      MALLOC_MMAP_THRESHOLD_: '1048576',
      SHIGUANG_RESOURCES: '/r/resources',
      SHIGUANG_MODELS_CATALOGUE_DIR: '/r/models',
      SHIGUANG_SQLITE_VEC_PATH: '/r/app.asar.unpacked/node_modules/sqlite-vec-linux-x64/vec0.so',
    });
  });
});

// ---------- index.ts wiring, with Electron mocked ----------

const electronMock = vi.hoisted(() => {
  type Fn = (...a: unknown[]) => unknown;
  const appEvents = new Map<string, Fn>();
  const state = {
    appEvents,
    windows: [] as { options: Record<string, unknown>; url: string | null; events: Map<string, Fn> }[],
    ipcHandlers: new Map<string, Fn>(),
    protocolHandlers: new Map<string, Fn>(),
    privileged: [] as unknown[],
    sandboxEnabled: false,
    gotLock: true,
    quit: 0,
    readyResolve: null as null | (() => void),
    session: null as unknown,
  };
  class BrowserWindow {
    events = new Map<string, Fn>();
    webContents = {};
    constructor(public options: Record<string, unknown>) {
      state.windows.push({ options, url: null, events: this.events });
    }
    once(ev: string, cb: Fn) {
      this.events.set(ev, cb);
    }
    on(ev: string, cb: Fn) {
      this.events.set(ev, cb);
    }
    loadURL(url: string) {
      state.windows[state.windows.length - 1].url = url;
      return Promise.resolve();
    }
    show() {}
    isMinimized() {
      return false;
    }
    restore() {}
    focus() {}
  }
  const ready = new Promise<void>((r) => (state.readyResolve = r));
  const sessionObj = {
    setPermissionRequestHandler: () => {},
    setPermissionCheckHandler: () => {},
    setDevicePermissionHandler: () => {},
    on: () => {},
    webRequest: { onBeforeRequest: () => {} },
  };
  state.session = sessionObj;
  const module = {
    app: {
      isPackaged: false,
      getAppPath: () => '/repo',
      requestSingleInstanceLock: () => state.gotLock,
      enableSandbox: () => void (state.sandboxEnabled = true),
      on: (ev: string, cb: Fn) => void appEvents.set(ev, cb),
      whenReady: () => ready,
      quit: () => void state.quit++,
      exit: () => {},
    },
    BrowserWindow,
    dialog: { showOpenDialog: async () => ({ canceled: true, filePaths: [] }) },
    ipcMain: { handle: (ch: string, fn: Fn) => void state.ipcHandlers.set(ch, fn) },
    protocol: {
      registerSchemesAsPrivileged: (s: unknown[]) => void state.privileged.push(...s),
      handle: (scheme: string, fn: Fn) => void state.protocolHandlers.set(scheme, fn),
    },
    session: { defaultSession: sessionObj },
    shell: { showItemInFolder: () => {}, openPath: async () => '' },
    utilityProcess: { fork: () => ({ on: () => {}, postMessage: () => {}, kill: () => true }) },
  };
  return { state, module };
});

vi.mock('electron', () => ({ ...electronMock.module, default: electronMock.module }));
vi.mock('../../electron/main/engine-host.ts', async () => {
  const { ApiRouter: Router } = await import('../../electron/shared/router.ts');
  const { ENGINE_SERVICES } = await import('../../electron/main/engine-client.ts');
  return {
    startEngineHost: (entry: string, env: Record<string, string>) => ({
      entry,
      env,
      router: new Router('ipc').forward(ENGINE_SERVICES, async (m) => ({ from: 'engine', m })),
      media: { mediaFile: async () => '/nope', libraryRoots: async () => [] },
      supervisor: null,
      stop: async () => {},
    }),
  };
});

describe('main process wiring (index.ts)', () => {
  const s = electronMock.state;

  beforeAll(async () => {
    await import('../../electron/main/index.ts');
    // Before 'ready': the scheme is privileged and the sandbox is on for every renderer.
    expect(s.privileged).toEqual([
      { scheme: 'shiguang', privileges: expect.objectContaining({ standard: true, secure: true, supportFetchAPI: true }) },
    ]);
    expect(s.sandboxEnabled).toBe(true);
    expect(s.windows).toHaveLength(0);
    s.readyResolve!();
    await vi.waitFor(() => expect(s.windows).toHaveLength(1));
  });

  it('opens one sandboxed, isolated window on the app scheme with the bundled preload', () => {
    const w = s.windows[0];
    expect(w.url).toBe('shiguang://app/index.html');
    expect(w.options.webPreferences).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      preload: path.join('/repo', 'out/preload/index.cjs'),
    });
  });

  it('hardens every web contents created', () => {
    const created = s.appEvents.get('web-contents-created')!;
    const on = new Map<string, (e: { preventDefault(): void }) => void>();
    let deny: unknown = null;
    created({}, { on: (ev: string, cb: never) => on.set(ev, cb), setWindowOpenHandler: (h: () => unknown) => (deny = h()) });
    const prevent = vi.fn();
    on.get('will-navigate')!({ preventDefault: prevent });
    expect(prevent).toHaveBeenCalled();
    expect(deny).toEqual({ action: 'deny' });
  });

  it('registers the single IPC channel with validation and the desktop handlers', async () => {
    expect([...s.ipcHandlers.keys()]).toEqual([INVOKE_CHANNEL]);
    const invoke = s.ipcHandlers.get(INVOKE_CHANNEL)!;
    expect(await invoke(APP_FRAME, { method: 'capabilities', payload: {} })).toEqual({ ok: true, result: { nativeShell: true, transport: 'ipc', services: ALL_SERVICES } });
    expect(await invoke(APP_FRAME, { method: 'status', payload: {} })).toEqual({ ok: true, result: { from: 'engine', m: 'status' } });
    expect(await invoke(APP_FRAME, { method: 'status', payload: { x: 1 } })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await invoke(APP_FRAME, { method: 'chooseFolders', payload: {} })).toEqual({ ok: true, result: [] });
  });

  it('handles the shiguang scheme and keeps a single instance', () => {
    expect([...s.protocolHandlers.keys()]).toEqual(['shiguang']);
    expect(s.appEvents.has('second-instance')).toBe(true);
    expect(s.appEvents.has('before-quit')).toBe(true);
  });
});
