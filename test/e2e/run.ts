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
import { runRelevanceUiCheck } from './relevance.e2e.ts';
import { runWhenWhereUiChecks } from './when-where.e2e.ts';
import { runUiSuite, type UiSuiteOptions } from './ui.e2e.ts';
import { runVideoUiCheck } from './video.e2e.ts';
import { runWebSessionCheck } from './web-session.e2e.ts';
import { runErrorUiChecks } from './errors.e2e.ts';
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
  // Every suite runs, whatever an earlier one found; the first failure is reported at the end.
  const failures: string[] = [];
  try {
    const { baseUrl, close: _close, ...opts } = server;
    // SHIGUANG_E2E_ONLY=errors: only the error wording checks (they need no photos).
    if (process.env.SHIGUANG_E2E_ONLY !== 'errors') await runUiSuite(baseUrl, { screenshotDir: path.join(ROOT, 'test-results'), ...opts });
    // Errors in the UI's language: a missing folder, an over-long query, an invalid request.
    const errors = await runErrorUiChecks(baseUrl, path.join(ROOT, 'test-results'));
    if (errors.failed > 0) failures.push(`${errors.failed} error wording check(s) failed`);
    if (process.env.SHIGUANG_E2E_ONLY !== 'errors') {
      const session = await runWebSessionCheck(baseUrl, path.join(ROOT, 'test-results'));
      if (session.failed > 0) failures.push(`${session.failed} web session check(s) failed`);
    }
  } catch (err) {
    failures.push(err instanceof Error ? err.message : String(err));
  } finally {
    await server.close();
  }
  if (process.env.SHIGUANG_E2E_ONLY === 'errors') {
    if (failures.length > 0) throw new Error(failures.join('; '));
    return;
  }
  // Time, place and kind: the timeline, places and query chips on a library with EXIF and GPS.
  const whenWhere = await runWhenWhereUiChecks(ROOT, path.join(ROOT, 'test-results'));
  if (whenWhere.failed > 0) failures.push(`${whenWhere.failed} when/where UI check(s) failed`);
  // Settings → int8: the real suite's model is opened with --model (not installed), so it has
  // nothing to offer; this check installs one.
  const { failed } = await runQuantizeUiCheck(ROOT, path.join(ROOT, 'test-results'));
  if (failed > 0) failures.push(`${failed} int8 UI check(s) failed`);
  // Videos: tiles, the viewer and the kind filter, on a library of its own (real `serve`).
  try {
    const video = await runVideoUiCheck(ROOT, path.join(ROOT, 'test-results'));
    if (video.failed > 0) failures.push(`${video.failed} video UI check(s) failed`);
  } catch (err) {
    failures.push(`video UI checks: ${err instanceof Error ? err.message : String(err)}`);
  }
  // Copies and bursts shown once, a stack opened, its cover and "not the same", the duplicates view.
  const stacks = await runStacksUiCheck(ROOT, path.join(ROOT, 'test-results')).catch((err: unknown) => {
    failures.push(err instanceof Error ? err.message : String(err));
    return { failed: 0 };
  });
  if (stacks.failed > 0) failures.push(`${stacks.failed} stacks UI check(s) failed`);
  // Results that end: the relevant count, the weaker rest behind a button, the sensitivity setting.
  try {
    const relevance = await runRelevanceUiCheck(ROOT, path.join(ROOT, 'test-results'));
    if (relevance.failed > 0) failures.push(`${relevance.failed} results-that-end UI check(s) failed`);
  } catch (err) {
    failures.push(`results-that-end UI checks: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (failures.length > 0) throw new Error(failures.join('; '));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
