/**
 * Entry of the engine utility process (bundled to out/main/engine-process.js). Runs the engine —
 * SQLite, ONNX Runtime, sharp, the file watcher — outside the main process, so a native crash or a
 * long CPU burst never freezes the window, and the supervisor can restart it.
 *
 * Paths of packaged resources arrive as environment variables set by the main process
 * (SHIGUANG_RESOURCES, SHIGUANG_MODELS_CATALOGUE_DIR, SHIGUANG_SQLITE_VEC_PATH; see paths.ts);
 * the engine modules read them directly.
 */
import { ApiError } from '../shared/api.ts';
import type { EngineControl, EngineLifecycle } from '../shared/ipc.ts';
import { ApiRouter } from '../shared/router.ts';
// The desktop app opens the same library, model choice and provider settings as the CLI
// (SHIGUANG_DB / SHIGUANG_MODEL / SHIGUANG_PROVIDER / config.json in the data dir) through the same
// composition root, so both see one index. With no model yet it still starts: the app answers the
// model chooser's methods and opens the engine once the person has chosen (and downloaded) one.
import { ShiguangApp } from '../engine/app/app.ts';
import { resolveAppConfig } from '../engine/app/config.ts';
import { serveEngine, type EnginePort } from './engine-serve.ts';

// Electron's types declare process.parentPort for utility processes (null anywhere else).
const port: EnginePort | null | undefined = process.parentPort;
if (!port) throw new Error('engine-process.js must be started with Electron utilityProcess.fork');

function isShutdown(e: unknown): boolean {
  const msg = typeof e === 'object' && e !== null && 'data' in e ? (e as { data: unknown }).data : e;
  return typeof msg === 'object' && msg !== null && (msg as EngineControl).type === 'shutdown';
}

try {
  const host = await ShiguangApp.open({
    // SHIGUANG_PROVIDER wins over the provider saved in the app's settings until that is changed.
    config: resolveAppConfig({}),
    // The desktop app follows the library while it runs and catches up on what changed while
    // it was closed.
    watch: true,
    catchUp: true,
  });
  // Thumbnails live in the engine's cache (`thumbnails/` beside the database); the app reports
  // that directory so the media guard accepts it, and no roots at all while there is no model.
  serveEngine(port, { router: new ApiRouter('ipc').registerAll(host.services()), media: host.media });
  port.on('message', (e) => {
    if (!isShutdown(e)) return;
    void host.close().finally(() => process.exit(0));
  });
  port.postMessage({ type: 'ready' } satisfies EngineLifecycle);
} catch (err) {
  port.postMessage({ type: 'fatal', error: ApiError.from(err).toPayload() } satisfies EngineLifecycle);
  // Let the message flush before exiting; the supervisor restarts us with back-off.
  setTimeout(() => process.exit(1), 100);
}
