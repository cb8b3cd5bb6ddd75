/**
 * Shared CLI plumbing: the global options (--db, --model, --provider, --threads), the app opened
 * from them through the composition root (so a provider or thread count saved in the settings
 * applies here as in the app), and errors printed as one clear line instead of a stack trace.
 */
import type { Command } from 'commander';
import { ShiguangApp, type AppOptions } from '../engine/app/app.ts';
import { resolveAppConfig, type AppConfig, type AppFlags } from '../engine/app/config.ts';
import type { Engine } from '../engine/engine.ts';
import { classifyStoreError } from '../engine/store/errors.ts';
import { discardEmptyLibrary, libraryExists } from '../engine/store/discard.ts';
import { stopOnSignals, type StopOptions } from './shutdown.ts';
import { cliLanguage, t } from './i18n.ts';
import { ApiError, API_ERROR_CODES } from '../shared/api.ts';
import { errorMessage } from '../shared/error-messages.ts';

export function globals(cmd: Command): AppFlags {
  return cmd.optsWithGlobals() as AppFlags;
}

export function appConfig(cmd: Command): AppConfig {
  return resolveAppConfig(globals(cmd));
}

export type OneShotOptions = Pick<NonNullable<AppOptions['engine']>, 'autoTag' | 'vectorSearch'>;

/**
 * Open the app for one command, run `fn` on its engine (the chosen model must exist) and always
 * close it. One-shot queries use sqlite-vec's scan unless SHIGUANG_VECTOR_INDEX says otherwise:
 * loading the in-memory index (seconds at 100k photos) would cost more than one scan.
 *
 * `stop`: Ctrl-C and SIGTERM stop the command in order, within 5 s (shutdown.ts). A command that
 * fails on a library it created itself, before any folder or photo got in (`index` of a folder that
 * is not there), leaves no library file behind.
 */
export async function withEngine<T>(
  cmd: Command,
  extra: OneShotOptions,
  fn: (engine: Engine, app: ShiguangApp) => Promise<T>,
  stop?: StopOptions,
): Promise<T> {
  const config = appConfig(cmd);
  const existed = libraryExists(config.dbPath);
  let app: ShiguangApp | null = null;
  let unhook = (): void => undefined;
  let stopping = false;
  try {
    app = await ShiguangApp.open({ config, engine: { vectorSearch: config.vectorSearch ?? 'sqlite', ...extra } });
    const opened = app;
    if (stop) {
      unhook = stopOnSignals(async () => {
        stopping = true;
        await opened.close();
      }, stop);
    }
    return await fn(app.requireEngine(), app);
  } catch (err) {
    // Stopped by a signal: the work failing because the engine closed is not an error; the handler exits.
    if (stopping) return new Promise<never>(() => undefined);
    await app?.close();
    app = null;
    if (!existed) discardEmptyLibrary(config.dbPath);
    throw err;
  } finally {
    unhook();
    await app?.close();
  }
}

/** A flag's value the command cannot take (already in the CLI's words): exit code 2, like a refused request. */
export class UsageError extends Error {}

/** Run an action, printing a failure as `error: message` with exit code 1 (2 for bad usage). */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (thrown) {
      // A raw SQLite failure outside a transaction (a full disk, a bad page) still gets the clear message.
      const err = classifyStoreError(thrown, '');
      const msg = reasonText(err) ?? (err instanceof Error ? err.message : String(err));
      process.stderr.write(`${t('error.prefix')}${msg}\n`);
      if (process.env.SHIGUANG_DEBUG && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
      process.exitCode = err instanceof UsageError || (err as { code?: string }).code === 'BAD_REQUEST' ? 2 : 1;
    }
  };
}

/**
 * An error with an API code (a refusal with its reason and parameters: a folder that is missing, a
 * thread count out of range, …; the store's busy / disk full / damaged), in Chinese when the CLI
 * speaks Chinese — the same words the app uses (shared/error-messages.ts); null otherwise. In
 * English the engine's own message says it (with the flag's name, the path, the cause).
 */
export function reasonText(err: unknown): string | null {
  if (cliLanguage() === 'en') return null;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !(API_ERROR_CODES as readonly string[]).includes(code)) return null;
  return errorMessage(cliLanguage(), ApiError.from(err));
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}
