/**
 * Downloads the app runs in the background (one per model), with the progress the model chooser
 * polls. Each download verifies and test-encodes the model before it becomes visible
 * (download.ts); closing the app aborts them, and they resume next time.
 */
import type { ModelDownload, ModelPrecision } from '../../shared/api.ts';
import { apiError } from '../../shared/api.ts';
import { estimateBytes, getEntry, type Catalogue, type CatalogueEntry } from './catalogue.ts';
import { downloadModel, type DownloadOptions } from './download.ts';
import { noticeLine } from './download-notices.ts';
import { ModelError } from './errors.ts';
import type { FetchLike } from './fetch.ts';
import { listInstalled } from './install.ts';
import { parseSourceList, resolveSources } from './sources.ts';
import { systemLanguage, type Language } from '../util/locale.ts';
import type { Logger } from '../util/log.ts';

/** Test seams and hooks for the model manager. */
export interface ModelHooks {
  /** Default: the shipped models/catalogue.json. */
  catalogue?: () => Catalogue;
  /** Default: the shipped manifest with the variant's files (download.ts). */
  manifestFor?: DownloadOptions['manifestFor'];
  /** Test encode before a download becomes visible. Default: validateModelDir. */
  validate?: (modelDir: string) => Promise<unknown>;
  fetchImpl?: FetchLike;
  /** Give up on a silent source after this long (default 30 s). */
  idleTimeoutMs?: number;
}

interface DownloadTask {
  status: ModelDownload;
  controller: AbortController;
  done: Promise<void>;
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export function exportRouteText(entry: CatalogueEntry): string {
  return [entry.exportRoute.summary, ...entry.exportRoute.steps].join('\n');
}

export class DownloadRegistry {
  private readonly tasks = new Map<string, DownloadTask>();
  private closing = false;

  constructor(
    private readonly opts: {
      modelsDir: string;
      catalogue: () => Catalogue;
      /** The saved source list (settings); SHIGUANG_MODEL_SOURCES still wins inside resolveSources. */
      savedSources: () => string[] | undefined;
      validate: (modelDir: string) => Promise<unknown>;
      hooks: ModelHooks;
      log: Logger;
    },
  ) {}

  list(): ModelDownload[] {
    return [...this.tasks.values()].map((d) => ({ ...d.status }));
  }

  isRunning(id: string): boolean {
    return this.tasks.get(id)?.status.state === 'running';
  }

  /**
   * `lang`: the UI's language, which orders the built-in sources when none are saved (Chinese:
   * those reachable from mainland China first); default the system's.
   */
  start(id: string, precision: ModelPrecision | undefined, source: string | undefined, lang: Language = systemLanguage()): { started: boolean; alreadyInstalled: boolean } {
    if (this.closing) throw apiError('engine-closing', {}, 'the engine is shutting down');
    const cat = this.opts.catalogue();
    const entry = getEntry(id, cat);
    if (!entry) throw apiError('model-unknown', { model: id }, `unknown model "${id}"; known: ${cat.models.map((m) => m.id).join(', ')}`);
    const hosted = entry.downloads.map((d) => d.precision);
    if (hosted.length === 0) throw apiError('model-not-hosted', { model: entry.name }, `${entry.name} has no hosted ONNX download. ${exportRouteText(entry)}`);
    const chosen = precision ?? (hosted.includes('fp32') ? 'fp32' : hosted[0]);
    const variant = entry.downloads.find((d) => d.precision === chosen);
    if (!variant) throw apiError('model-precision-unavailable', { model: id, precision: String(chosen), hosted: hosted.join(', ') }, `${id} can be downloaded in ${hosted.join(', ')}, not ${chosen}`);

    if (this.isRunning(id)) return { started: false, alreadyInstalled: false };
    const installed = listInstalled(this.opts.modelsDir).find((m) => m.id === id && !m.error);
    if (installed) return { started: false, alreadyInstalled: true };

    let sources;
    try {
      sources = source ? parseSourceList(source) : resolveSources({ config: this.opts.savedSources(), lang });
    } catch (err) {
      throw apiError('source-invalid', { value: source ?? '' }, message(err));
    }
    const { hooks, log } = this.opts;
    const status: ModelDownload = {
      id,
      precision: chosen,
      state: 'running',
      bytes: 0,
      total: estimateBytes(entry, chosen, variant),
      rate: 0,
      etaSeconds: null,
      error: null,
      errorCode: null,
      failure: null,
      source: null,
    };
    const controller = new AbortController();
    const done = downloadModel({
      id,
      precision: chosen,
      sources,
      modelsDir: this.opts.modelsDir,
      catalogue: cat,
      manifestFor: hooks.manifestFor,
      validate: this.opts.validate,
      fetchImpl: hooks.fetchImpl,
      idleTimeoutMs: hooks.idleTimeoutMs,
      signal: controller.signal,
      onProgress: (p) => {
        Object.assign(status, { bytes: p.bytes, total: p.total, rate: p.rate, etaSeconds: p.etaSeconds, source: p.source });
      },
      onNotice: (n) => log.info(`download ${id}: ${noticeLine(n)}`),
    }).then(
      () => {
        Object.assign(status, { state: 'done', bytes: Math.max(status.bytes, status.total), rate: 0, etaSeconds: 0 });
        log.info(`downloaded ${id} (${chosen})`);
      },
      (err: unknown) => {
        const code = err instanceof ModelError ? err.code : 'INTERNAL';
        const text = controller.signal.aborted ? 'download cancelled (the app is closing); it resumes next time' : message(err);
        // The code and its parameters, for a message in the UI's language (shared/download-messages.ts).
        const failure = err instanceof ModelError ? err.toFailure() : { code: 'INTERNAL', params: {}, attempts: [] };
        Object.assign(status, { state: 'failed', rate: 0, etaSeconds: null, error: text, errorCode: code, failure });
        log.error(`download ${id} failed: ${text}`);
      },
    );
    this.tasks.set(id, { status, controller, done });
    return { started: true, alreadyInstalled: false };
  }

  /** Aborts every running download and waits for them to stop. */
  async close(): Promise<void> {
    this.closing = true;
    for (const d of this.tasks.values()) d.controller.abort();
    await Promise.allSettled([...this.tasks.values()].map((d) => d.done));
  }
}
