/**
 * `npm run test:e2e`: build the renderer, start a web-mode server, run the UI suite against it.
 *
 * The server is the real one: `shiguang serve` on a fresh library with the toy-colors model
 * (real-server.ts). fake-api-server.ts is only for developing the UI without the engine.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { startRealServer } from './real-server.ts';
import { runQuantizeUiCheck } from './quantize.e2e.ts';
import { runUiSuite, type UiSuiteOptions } from './ui.e2e.ts';
import { runVideoUiCheck } from './video.e2e.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface StartedServer extends UiSuiteOptions {
  /** Full URL of the app including ?token=… */
  baseUrl: string;
  close(): Promise<void>;
}

/** The real web mode (`shiguang serve`) with the toy-colors model; see real-server.ts. */
async function startServer(): Promise<StartedServer> {
  return startRealServer(ROOT);
}

async function main(): Promise<void> {
  if (!process.env.SHIGUANG_E2E_SKIP_BUILD) {
    await build({ configFile: path.join(ROOT, 'renderer/vite.config.ts'), logLevel: 'warn' });
  }
  const server = await startServer();
  try {
    const { baseUrl, close: _close, ...opts } = server;
    await runUiSuite(baseUrl, { screenshotDir: path.join(ROOT, 'test-results'), ...opts });
  } finally {
    await server.close();
  }
  // Settings → int8: against the fake API (the real suite's model is not an installed one).
  const { failed } = await runQuantizeUiCheck(path.join(ROOT, 'test-results'));
  if (failed > 0) throw new Error(`${failed} int8 UI check(s) failed`);
  // Videos: tiles, the viewer and the kind filter, on a library of its own (real `serve`).
  const video = await runVideoUiCheck(ROOT, path.join(ROOT, 'test-results'));
  if (video.failed > 0) throw new Error(`${video.failed} video UI check(s) failed`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
