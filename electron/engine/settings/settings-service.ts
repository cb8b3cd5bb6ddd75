/**
 * The settings service: the saved settings (settings-file.ts) merged with this run's overrides
 * (app/config.ts) into what the model runtime uses, the API view of them, and updates. An override
 * given at start (--provider, SHIGUANG_PROVIDER, --threads) wins until the person changes that
 * setting in the app, which drops the override.
 */
import type { EngineSettings } from '../../shared/api.ts';
import { apiError, SEARCH_SENSITIVITY } from '../../shared/api.ts';
import type { ServiceHandlers } from '../../shared/handlers.ts';
import type { TowerSessionOptions } from '../ml/onnx-session.ts';
import { parseProviderPreference, PROVIDER_NAMES, type ProviderPreference } from '../ml/providers.ts';
import type { Logger } from '../util/log.ts';
import { checkProvider, checkThreads, clampSavedThreads } from './runtime-limits.ts';
import { readSettings, updateSettings, type AppSettings } from './settings-file.ts';

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Provider and thread overrides given for this run (--provider, SHIGUANG_PROVIDER, --threads: app/config.ts). */
export interface SessionOverrides {
  provider?: ProviderPreference;
  threads?: number;
}

/**
 * The model download sources as the settings show and check them. The model manager owns them
 * (models/sources.ts); the composition root hands them in, so settings import nothing above them.
 */
export interface SourceCatalogue {
  /** The environment variable that replaces the saved sources for downloads. */
  envName: string;
  /** The built-in source names. */
  builtIn: readonly string[];
  /** The order used when nothing is saved. */
  defaultOrder(): readonly string[];
  /** Throws with a clear message when a spec is not a source; [] = nothing given. */
  parse(specs: readonly string[]): readonly unknown[];
}

export interface SettingsUpdate {
  provider?: string;
  threads?: number | null;
  sources?: string[];
  ocrEnabled?: boolean;
  searchSensitivity?: number;
}

export class SettingsService {
  private readonly overrides: SessionOverrides;

  constructor(
    readonly file: string,
    overrides: SessionOverrides,
    private readonly sources: SourceCatalogue,
    private readonly log: Logger,
  ) {
    this.overrides = { ...overrides };
  }

  read(): AppSettings {
    return readSettings(this.file);
  }

  async write(patch: Partial<Record<keyof AppSettings, unknown>>): Promise<AppSettings> {
    return updateSettings(this.file, patch);
  }

  /** Provider and threads for the model runtime: overrides, else saved settings, else defaults. */
  sessionOptions(): TowerSessionOptions {
    const saved = this.read();
    const out: TowerSessionOptions = {};
    if (saved.provider) {
      try {
        out.provider = parseProviderPreference(saved.provider);
      } catch (err) {
        this.log.warn(`settings: ${message(err)}; using auto`);
      }
    }
    if (saved.threads) out.threads = clampSavedThreads(saved.threads, (line) => this.log.warn(line));
    return { ...out, ...this.overrides };
  }

  /** Whether photos' text is read: on unless turned off. */
  ocrEnabled(): boolean {
    return this.read().ocr !== false;
  }

  /**
   * Where search results end (search/relevance.ts), read at each query's first page. A settings
   * file that cannot be read (hand-edited) is reported once per query and searched as measured:
   * a broken config must not take search down with it.
   */
  searchSensitivity(): number {
    try {
      return this.read().searchSensitivity ?? SEARCH_SENSITIVITY.default;
    } catch (err) {
      this.log.warn(`settings: ${message(err)}; search results end as measured`);
      return SEARCH_SENSITIVITY.default;
    }
  }

  describe(): EngineSettings {
    const saved = this.read();
    const session = this.sessionOptions();
    const env = process.env[this.sources.envName];
    return {
      provider: session.provider ?? 'auto',
      threads: session.threads ?? null,
      sources: saved.modelSources?.length ? [...saved.modelSources] : [...this.sources.defaultOrder()],
      providerChoices: ['auto', ...PROVIDER_NAMES],
      sourceChoices: [...this.sources.builtIn],
      sourcesOverriddenBy: env && env.trim() ? this.sources.envName : null,
      ocrEnabled: saved.ocr !== false,
      searchSensitivity: saved.searchSensitivity ?? SEARCH_SENSITIVITY.default,
    };
  }

  /** Validates and saves; says whether the model runtime (provider, threads) or the OCR setting changed. */
  async update(req: SettingsUpdate): Promise<{ runtimeChanged: boolean; ocrChanged: boolean }> {
    const next: Partial<Record<keyof AppSettings, unknown>> = {};
    if (req.provider !== undefined) {
      const provider = checkProvider(req.provider);
      next.provider = provider === 'auto' ? undefined : provider; // absent = auto
    }
    if (req.sources !== undefined) {
      try {
        // Validate every spec, keep them as written ([] = back to the built-in order).
        next.modelSources = this.sources.parse(req.sources).length ? req.sources.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean) : undefined;
      } catch (err) {
        throw apiError('source-invalid', { value: req.sources.join(', ') }, message(err));
      }
    }
    if (req.threads !== undefined) next.threads = req.threads === null ? undefined : checkThreads(req.threads);
    if (req.ocrEnabled !== undefined) next.ocr = req.ocrEnabled ? undefined : false; // absent = on
    if (req.searchSensitivity !== undefined) next.searchSensitivity = checkSensitivity(req.searchSensitivity);
    const ocrBefore = this.ocrEnabled();
    const before = this.sessionOptions();
    if (req.provider !== undefined) delete this.overrides.provider;
    if (req.threads !== undefined) delete this.overrides.threads;
    await this.write(next);
    const after = this.sessionOptions();
    const runtimeChanged = (before.provider ?? 'auto') !== (after.provider ?? 'auto') || (before.threads ?? null) !== (after.threads ?? null);
    return { runtimeChanged, ocrChanged: ocrBefore !== this.ocrEnabled() };
  }
}

/**
 * The request schema already holds the range; callers inside the engine (the CLI) come here too.
 * 0 is stored as absent, so the file keeps only what the person changed.
 */
function checkSensitivity(v: number): number | undefined {
  if (!Number.isInteger(v) || v < SEARCH_SENSITIVITY.min || v > SEARCH_SENSITIVITY.max) {
    throw apiError('sensitivity-range', { min: String(SEARCH_SENSITIVITY.min), max: String(SEARCH_SENSITIVITY.max) }, `searchSensitivity must be a whole number from ${SEARCH_SENSITIVITY.min} to ${SEARCH_SENSITIVITY.max}, got ${JSON.stringify(v)}`);
  }
  return v === SEARCH_SENSITIVITY.default ? undefined : v;
}

/**
 * `applyRuntime` reopens the engine with the new provider/threads; it runs inside the app's
 * lifecycle queue, after the settings are saved.
 */
export function settingsHandlers(
  settings: SettingsService,
  applyRuntime: (update: () => Promise<{ runtimeChanged: boolean; ocrChanged: boolean }>) => Promise<void>,
): ServiceHandlers<'settings'> {
  return {
    settings: async () => settings.describe(),
    updateSettings: async (req) => {
      await applyRuntime(() => settings.update(req));
      return settings.describe();
    },
  };
}
