/**
 * The one resolver of where things are and what this run was told, shared by the CLI, the web
 * mode and the desktop engine process: the data directory, the library database, a model given
 * outside the app's settings, and provider/thread overrides. Saved settings (settings/) are read
 * by the app itself; overrides given here win over them for this run only.
 *
 * Precedence, highest first: command-line flag, environment variable, saved setting, default.
 */
import path from 'node:path';
import { checkProvider, checkThreads } from '../settings/runtime-limits.ts';
import type { SessionOverrides } from '../settings/settings-service.ts';
import type { VectorSearchMode } from '../search/vector-search.ts';
import { dataPaths, type DataPaths } from './paths.ts';

export interface AppFlags {
  db?: string;
  model?: string;
  provider?: string;
  threads?: string | number;
  /** --rebuild-damaged: the person agrees to rebuild a damaged library from the photos. */
  rebuildDamaged?: boolean;
}

export interface AppConfig {
  paths: DataPaths;
  /** --db, else SHIGUANG_DB, else library.db in the data directory. */
  dbPath: string;
  /** A model directory chosen outside the app's settings: --model, else SHIGUANG_MODEL. */
  modelDir?: string;
  /** --provider / SHIGUANG_PROVIDER and --threads: they win over the saved settings for this run. */
  sessionOverrides: SessionOverrides;
  /** SHIGUANG_VECTOR_INDEX=sqlite|js: force a vector search path (diagnostics, benchmarks). */
  vectorSearch?: VectorSearchMode;
  /** SHIGUANG_OCR_MODEL: an OCR model directory (manifest.json + graphs) instead of the shipped one. */
  ocrModel?: string;
  /** Rebuild a damaged library at open (set aside, re-index) instead of refusing to open it. */
  rebuildDamaged?: boolean;
  /** SHIGUANG_NOW (ISO date/time or Unix ms): the moment queries' relative times count from (tests, demos); default the clock. */
  now?: number;
}

function parseThreads(value: string | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  return checkThreads(value, '--threads');
}

function vectorSearchFromEnv(value: string | undefined): VectorSearchMode | undefined {
  const v = value?.trim().toLowerCase();
  if (!v) return undefined;
  if (v === 'sqlite' || v === 'off' || v === '0') return 'sqlite';
  return 'index';
}

export function resolveAppConfig(flags: AppFlags = {}, env: NodeJS.ProcessEnv = process.env): AppConfig {
  const paths = dataPaths(env);
  const sessionOverrides: SessionOverrides = {};
  const provider = flags.provider ?? (env.SHIGUANG_PROVIDER || undefined);
  if (provider !== undefined) sessionOverrides.provider = checkProvider(provider);
  const threads = parseThreads(flags.threads);
  if (threads !== undefined) sessionOverrides.threads = threads;
  const modelDir = flags.model ?? (env.SHIGUANG_MODEL || undefined);
  return {
    paths,
    dbPath: path.resolve(flags.db ?? (env.SHIGUANG_DB || paths.db)),
    modelDir: modelDir === undefined ? undefined : path.resolve(modelDir),
    sessionOverrides,
    vectorSearch: vectorSearchFromEnv(env.SHIGUANG_VECTOR_INDEX),
    ocrModel: env.SHIGUANG_OCR_MODEL ? path.resolve(env.SHIGUANG_OCR_MODEL) : undefined,
    rebuildDamaged: flags.rebuildDamaged === true,
    now: parseNow(env.SHIGUANG_NOW),
  };
}

function parseNow(value: string | undefined): number | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  const t = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(t)) throw new Error(`SHIGUANG_NOW must be an ISO date/time or Unix milliseconds, got ${value}`);
  return t;
}
