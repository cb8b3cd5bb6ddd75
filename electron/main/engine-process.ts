/**
 * Entry of the engine utility process (bundled to out/main/engine-process.js). Runs the engine —
 * SQLite, ONNX Runtime, sharp, the file watcher — outside the main process, so a native crash or a
 * long CPU burst never freezes the window, and the supervisor can restart it.
 *
 * Paths of packaged resources arrive as environment variables set by the main process
 * (SHIGUANG_RESOURCES, SHIGUANG_MODELS_CATALOGUE_DIR, SHIGUANG_SQLITE_VEC_PATH; see paths.ts);
 * the engine modules read them directly.
 */
import path from 'node:path';
import { ApiError } from '../shared/api.ts';
import type { EngineControl, EngineLifecycle } from '../shared/ipc.ts';
import type { GuardedMediaProvider } from '../server/media-guard.ts';
// The desktop app opens the same library, model choice and provider settings as the CLI
// (SHIGUANG_DB / SHIGUANG_MODEL / config.json in the data dir), so both see one index.
import { openEngine, resolveDbArg } from '../cli/context.ts';
import { serveEngine, type EnginePort } from './engine-serve.ts';

const port = (process as unknown as { parentPort?: EnginePort }).parentPort;
if (!port) throw new Error('engine-process.js must be started with Electron utilityProcess.fork');

function isShutdown(e: unknown): boolean {
  const msg = typeof e === 'object' && e !== null && 'data' in e ? (e as { data: unknown }).data : e;
  return typeof msg === 'object' && msg !== null && (msg as EngineControl).type === 'shutdown';
}

try {
  const engine = await openEngine({});
  const own: GuardedMediaProvider = engine.media;
  const media: GuardedMediaProvider = {
    mediaFile: (id, kind) => own.mediaFile(id, kind),
    libraryRoots: () => own.libraryRoots(),
    // Thumbnails live in the engine's cache, by default `thumbnails/` beside the database
    // (EngineOptions.cacheDir); the media guard must accept that directory for thumbnails.
    thumbnailRoots: own.thumbnailRoots
      ? () => own.thumbnailRoots!()
      : async () => [path.join(path.dirname(path.resolve(resolveDbArg({}))), 'thumbnails')],
  };
  serveEngine(port, { handlers: engine.handlers, media });
  port.on('message', (e) => {
    if (!isShutdown(e)) return;
    void engine.close().finally(() => process.exit(0));
  });
  port.postMessage({ type: 'ready' } satisfies EngineLifecycle);
} catch (err) {
  port.postMessage({ type: 'fatal', error: ApiError.from(err).toPayload() } satisfies EngineLifecycle);
  // Let the message flush before exiting; the supervisor restarts us with back-off.
  setTimeout(() => process.exit(1), 100);
}
