/**
 * Shared CLI plumbing: global options (--db, --model, --provider, --threads), opening the
 * engine from them, and printing errors as one clear line instead of a stack trace.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { dataPaths } from '../engine/paths.ts';
import { createEngine, type Engine } from '../engine/engine.ts';
import { describeRebuild, openRebuildingIfDamaged } from '../engine/index/rebuild.ts';
import { classifyStoreError } from '../engine/store/errors.ts';
import { parseProviderPreference } from '../engine/ml/providers.ts';
import type { TowerSessionOptions } from '../engine/ml/onnx-session.ts';

export interface GlobalOptions {
  db?: string;
  model?: string;
  provider?: string;
  threads?: string;
  rebuildDamaged?: boolean;
}

export function globals(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals() as GlobalOptions;
}

export function sessionOptions(g: GlobalOptions): TowerSessionOptions {
  const threads = g.threads ? Number.parseInt(g.threads, 10) : undefined;
  if (threads !== undefined && !(threads > 0)) throw new Error(`--threads must be a positive number, got ${g.threads}`);
  return { provider: parseProviderPreference(g.provider ?? process.env.SHIGUANG_PROVIDER), threads };
}

/**
 * The model directory: --model, else SHIGUANG_MODEL, else the model chosen with `models use`
 * (config.json in the data dir), else a clear message about how to get one.
 */
export function resolveModelArg(g: GlobalOptions): string {
  if (g.model) return g.model;
  if (process.env.SHIGUANG_MODEL) return process.env.SHIGUANG_MODEL;
  const paths = dataPaths();
  if (fs.existsSync(paths.config)) {
    const cfg = JSON.parse(fs.readFileSync(paths.config, 'utf8')) as { activeModel?: string };
    if (cfg.activeModel) {
      const dir = path.join(paths.models, cfg.activeModel);
      if (fs.existsSync(dir)) return dir;
    }
  }
  throw new Error(
    'no model selected. Download one with `npm run cli -- models download cn-clip-vit-b-16`, ' +
      'import an export with `npm run cli -- models import DIR`, or pass --model DIR.',
  );
}

export function resolveDbArg(g: GlobalOptions): string {
  return g.db ?? process.env.SHIGUANG_DB ?? dataPaths().db;
}

export async function openEngine(g: GlobalOptions, extra: { autoTag?: boolean } = {}): Promise<Engine> {
  const dbPath = resolveDbArg(g);
  const modelDir = resolveModelArg(g);
  const open = (): Promise<Engine> => createEngine({ dbPath, modelDir, session: sessionOptions(g), autoTag: extra.autoTag });
  // A damaged library is rebuilt only when asked (--rebuild-damaged): it re-encodes every photo.
  const { engine, rebuilt } = await openRebuildingIfDamaged(dbPath, open, g.rebuildDamaged === true);
  if (rebuilt) process.stderr.write(`${describeRebuild(rebuilt)} (by \`index\`, \`watch\` or the app)\n`);
  return engine;
}

/** Open the engine for one command and always close it, whatever the command does. */
export async function withEngine<T>(cmd: Command, extra: { autoTag?: boolean }, fn: (engine: Engine) => Promise<T>): Promise<T> {
  const engine = await openEngine(globals(cmd), extra);
  try {
    return await fn(engine);
  } finally {
    await engine.close();
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
      process.stderr.write(`error: ${msg}\n`);
      if (process.env.SHIGUANG_DEBUG && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
      process.exitCode = (err as { code?: string }).code === 'BAD_REQUEST' ? 2 : 1;
    }
  };
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}
