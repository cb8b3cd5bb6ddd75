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
import { t } from './i18n.ts';

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
 */
export async function withEngine<T>(cmd: Command, extra: OneShotOptions, fn: (engine: Engine, app: ShiguangApp) => Promise<T>): Promise<T> {
  const config = appConfig(cmd);
  const app = await ShiguangApp.open({ config, engine: { vectorSearch: config.vectorSearch ?? 'sqlite', ...extra } });
  try {
    return await fn(app.requireEngine(), app);
  } finally {
    await app.close();
  }
}

/** Run an action, printing a failure as `error: message` with exit code 1 (2 for bad usage). */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (thrown) {
      // A raw SQLite failure outside a transaction (a full disk, a bad page) still gets the clear message.
      const err = classifyStoreError(thrown, '');
      const msg = err instanceof Error ? err.message : String(err);
      process.stderr.write(`${t('error.prefix')}${msg}\n`);
      if (process.env.SHIGUANG_DEBUG && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
      process.exitCode = (err as { code?: string }).code === 'BAD_REQUEST' ? 2 : 1;
    }
  };
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}
