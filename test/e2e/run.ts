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
import { runBrowseUiChecks } from './browse.e2e.ts';
import { runUiSuite, type UiSuiteOptions } from './ui.e2e.ts';
import { runVideoUiCheck } from './video.e2e.ts';
import { runDamagedUiCheck } from './damaged.e2e.ts';
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

/**
 * SHIGUANG_E2E_ONLY=browse,when-where: run only those suites (ui, errors, when-where, browse, quantize, video, stacks, relevance, damaged) (a developer's loop); all by default.
 * Suites: ui, errors (the error wording checks, on the main suite's server: they need no photos),
 * when-where, browse, quantize, video, stacks, relevance, damaged.
 */
const only = new Set((process.env.SHIGUANG_E2E_ONLY ?? '').split(',').filter(Boolean));
type Suite = 'ui' | 'errors' | 'when-where' | 'browse' | 'quantize' | 'video' | 'stacks' | 'relevance' | 'damaged';
const runs = (suite: Suite): boolean => only.size === 0 || only.has(suite);

async function main(): Promise<void> {
  if (!process.env.SHIGUANG_E2E_SKIP_BUILD) {
    await build({ configFile: path.join(ROOT, 'renderer/vite.config.ts'), logLevel: 'warn' });
  }
  // Every suite runs, whatever an earlier one found; the first failure is reported at the end.
  const failures: string[] = [];
  if (runs('ui') || runs('errors')) await runMainSuite(failures);
  // Time, place and kind: the timeline, places and query chips on a library with EXIF and GPS.
  if (runs('when-where')) {
    const whenWhere = await runWhenWhereUiChecks(ROOT, path.join(ROOT, 'test-results'));
    if (whenWhere.failed > 0) failures.push(`${whenWhere.failed} when/where UI check(s) failed`);
  }
  // Browsing without typing: albums with covers, tags, the image-search button, focus, the sidebar.
  if (runs('browse')) {
    const browse = await runBrowseUiChecks(ROOT, path.join(ROOT, 'test-results'));
    if (browse.failed > 0) failures.push(`${browse.failed} browsing UI check(s) failed`);
  }
  // Settings → int8: the real suite's model is opened with --model (not installed), so it has
  // nothing to offer; this check installs one.
  if (runs('quantize')) {
    const { failed } = await runQuantizeUiCheck(ROOT, path.join(ROOT, 'test-results'));
    if (failed > 0) failures.push(`${failed} int8 UI check(s) failed`);
  }
  await runOtherSuites(failures);
  if (failures.length > 0) throw new Error(failures.join('; '));
}

async function runMainSuite(failures: string[]): Promise<void> {
  const server = await startServer();
  try {
    const { baseUrl, close: _close, ...opts } = server;
    if (runs('ui')) await runUiSuite(baseUrl, { screenshotDir: path.join(ROOT, 'test-results'), ...opts });
    // Errors in the UI's language: a missing folder, an over-long query, an invalid request.
    if (runs('errors')) {
      const errors = await runErrorUiChecks(baseUrl, path.join(ROOT, 'test-results'));
      if (errors.failed > 0) failures.push(`${errors.failed} error wording check(s) failed`);
    }
    if (runs('ui')) {
      const session = await runWebSessionCheck(baseUrl, path.join(ROOT, 'test-results'));
      if (session.failed > 0) failures.push(`${session.failed} web session check(s) failed`);
    }
  } catch (err) {
    failures.push(err instanceof Error ? err.message : String(err));
  } finally {
    await server.close();
  }
}

async function runOtherSuites(failures: string[]): Promise<void> {
  // Videos: tiles, the viewer and the kind filter, on a library of its own (real `serve`).
  if (runs('video')) {
    try {
      const video = await runVideoUiCheck(ROOT, path.join(ROOT, 'test-results'));
      if (video.failed > 0) failures.push(`${video.failed} video UI check(s) failed`);
    } catch (err) {
      failures.push(`video UI checks: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  // Copies and bursts shown once, a stack opened, its cover and "not the same", the duplicates view.
  if (runs('stacks')) {
    const stacks = await runStacksUiCheck(ROOT, path.join(ROOT, 'test-results')).catch((err: unknown) => {
      failures.push(err instanceof Error ? err.message : String(err));
      return { failed: 0 };
    });
    if (stacks.failed > 0) failures.push(`${stacks.failed} stacks UI check(s) failed`);
  }
  if (runs('relevance')) {
    // Results that end: the relevant count, the weaker rest behind a button, the sensitivity setting.
    try {
      const relevance = await runRelevanceUiCheck(ROOT, path.join(ROOT, 'test-results'));
      if (relevance.failed > 0) failures.push(`${relevance.failed} results-that-end UI check(s) failed`);
    } catch (err) {
      failures.push(`results-that-end UI checks: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (runs('damaged')) {
    // A damaged library file: what the page says, and 重建照片库 with its confirmation.
    try {
      const damaged = await runDamagedUiCheck(ROOT, path.join(ROOT, 'test-results'));
      if (damaged.failed > 0) failures.push(`${damaged.failed} damaged-library UI check(s) failed`);
    } catch (err) {
      failures.push(`damaged-library UI checks: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
