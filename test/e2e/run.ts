/**
 * `npm run test:e2e`: build the renderer, start a web-mode server, run the UI suite against it.
 *
 * The server is the real one: `shiguang serve` on a fresh library with the toy-colors model
 * (real-server.ts). Then the int8 offer in Settings (quantize.e2e.ts), also against the real
 * engine: the web mode started in-process (app-server.ts) on a library with an installed model.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { startRealServer } from './real-server.ts';
import { runQuantizeUiCheck } from './quantize.e2e.ts';
import { runUiSuite, type UiSuiteOptions } from './ui.e2e.ts';
import { runWebSessionCheck } from './web-session.e2e.ts';
import { runStacksUiCheck } from './stacks.e2e.ts';

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
    const session = await runWebSessionCheck(baseUrl, path.join(ROOT, 'test-results'));
    if (session.failed > 0) throw new Error(`${session.failed} web session check(s) failed`);
  } finally {
    await server.close();
  }
  // Settings → int8: the real suite's model is opened with --model (not installed), so it has
  // nothing to offer; this check installs one.
  const { failed } = await runQuantizeUiCheck(ROOT, path.join(ROOT, 'test-results'));
  if (failed > 0) throw new Error(`${failed} int8 UI check(s) failed`);
  // Copies and bursts shown once, a stack opened, its cover and "not the same", the duplicates view.
  const stacks = await runStacksUiCheck(ROOT, path.join(ROOT, 'test-results'));
  if (stacks.failed > 0) throw new Error(`${stacks.failed} stacks UI check(s) failed`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
