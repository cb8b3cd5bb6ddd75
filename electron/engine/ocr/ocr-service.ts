/**
 * The OCR service: keeps the library's recognised text current and answers for it.
 *
 * - 'background' (watch, the app): after every indexing pass, a pass over the photos not read yet
 *   starts on its own, photo by photo, only while the indexer has nothing to do — OCR never
 *   competes with image encoding for the cores. The OCR worker is stopped when a pass ends (its
 *   sessions hold memory; the next pass starts it again in about a second).
 * - 'on-demand' (one-shot commands): nothing runs until runPending() (`index` before it exits).
 * - Turned off in the settings: no pass starts, a running one stops after its current photo;
 *   text already read stays searchable and visible.
 */
import type { OcrStatus, PhotoText as PhotoTextResponse } from '../../shared/api.ts';
import { ApiError } from '../../shared/api.ts';
import { ProgressTracker } from '../index/progress.ts';
import type { OcrSessionOptions } from '../ml/ocr/ocr-sessions.ts';
import type { TextFilter } from '../store/ocr-text.ts';
import type { Library } from '../store/library.ts';
import type { Logger } from '../util/log.ts';
import { runOcrPass, type OcrPassSummary, type TextReader } from './ocr-pass.ts';
import { OcrUnavailableError, PhotoReader } from './photo-reader.ts';
import { attachSnippets, searchText, type TextSearchHit, type TextSnippet } from './text-search.ts';
import type { TextMatcher } from '../search/fused-search.ts';

export type OcrMode = 'background' | 'on-demand';

export interface OcrServiceOptions {
  /** The setting, read whenever a pass would start or continue. */
  enabled: () => boolean;
  mode: OcrMode;
  /** Execution provider and threads: the same selection as the encoders'. */
  session: OcrSessionOptions;
  /** Resolves once the indexer has nothing queued (OCR waits for it before every photo). */
  indexerIdle: () => Promise<void>;
  /** An OCR model directory or manifest instead of the shipped one (SHIGUANG_OCR_MODEL). */
  model?: string;
  log: Logger;
  /** For tests: the reader to use instead of the PP-OCR one. */
  reader?: TextReader & { close?(): Promise<void>; info?(): Promise<{ provider: string }> };
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export class OcrService {
  private reader: (TextReader & { close?(): Promise<void>; info?(): Promise<{ provider: string }> }) | null = null;
  private readonly progress = new ProgressTracker();
  private running: Promise<OcrPassSummary | null> | null = null;
  private abort: AbortController | null = null;
  private again = false;
  private closed = false;
  private provider: string | null = null;
  private lastError: string | null = null;
  /** Set when the OCR model cannot be resolved at all (e.g. its weights package is missing). */
  private readonly unavailable: string | null = null;
  readonly engineKey: string;

  constructor(
    private readonly lib: Library,
    private readonly opts: OcrServiceOptions,
  ) {
    let key = opts.reader?.engineKey;
    if (!key) {
      try {
        key = new PhotoReader({}, opts.model).engineKey;
      } catch (err) {
        // The engine still works without OCR; status and the CLI say why.
        this.unavailable = `OCR is unavailable: ${message(err)}`;
        opts.log.warn(this.unavailable);
      }
    }
    this.engineKey = key ?? 'unavailable';
  }

  get enabled(): boolean {
    return this.opts.enabled();
  }

  status(): OcrStatus {
    // Index-only counts (~6 ms at 100k photos): exact on every poll, no cache to go stale.
    const c = this.lib.ocrText.counts(this.engineKey);
    const p = this.progress.snapshot();
    return {
      enabled: this.enabled,
      running: p.running,
      done: c.done,
      failed: c.failed,
      pending: c.pending,
      withText: c.withText,
      rate: p.rate,
      etaSeconds: p.running && p.rate > 0 ? Math.round(c.pending / p.rate) : null,
      current: p.current,
      model: this.engineKey,
      provider: this.provider,
      error: this.unavailable ?? this.lastError,
    };
  }

  /** The recognised lines of one photo, for the viewer. */
  photoText(photoId: number): PhotoTextResponse {
    const row = this.lib.photos.get(photoId);
    if (!row) throw new ApiError('NOT_FOUND', `no photo with id ${photoId}`);
    const state = this.lib.ocrText.state(photoId);
    const current = state !== null && state.engine === this.engineKey && state.photoHash === row.hash && row.status === 'indexed';
    const lines = current && state.status === 'done' ? this.lib.ocrText.lines(photoId) : [];
    return {
      photoId,
      state: current ? (state.status === 'done' ? 'read' : 'failed') : this.enabled ? 'pending' : 'off',
      width: row.width,
      height: row.height,
      lines,
      error: current && state.status === 'failed' ? state.error : null,
    };
  }

  search(query: string, limit: number, filter: TextFilter = {}): TextSearchHit[] {
    return searchText(this.lib, query, limit, filter);
  }

  /** The text side of a fused search (search/fused-search.ts): hits without snippets, snippets for a page. */
  matcher(): TextMatcher {
    return {
      search: (query, limit, filter) => searchText(this.lib, query, limit, filter, { snippets: false }),
      snippets: (query, hits) => {
        const withSnippets = attachSnippets(this.lib, query, hits.map((h) => ({ ...h, snippet: null as TextSnippet | null })));
        return new Map(withSnippets.map((h) => [h.photoId, h.snippet && { text: h.snippet.text, start: h.snippet.start, end: h.snippet.end }]));
      },
    };
  }

  /** Background mode: make sure a pass runs (or runs again after the current one). */
  schedule(): void {
    if (this.opts.mode !== 'background' || this.closed || this.unavailable || !this.enabled) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.pass()
      .catch((e) => {
        this.lastError = message(e);
        this.opts.log.warn(`OCR pass stopped: ${this.lastError}`);
        return null;
      })
      .finally(() => {
        this.running = null;
        void this.releaseReader();
        if (this.again && !this.closed) {
          this.again = false;
          this.schedule();
        }
      });
  }

  /** The setting changed: start reading (background mode) or stop after the current photo. */
  settingChanged(): void {
    if (this.enabled) this.schedule();
    else this.abort?.abort();
  }

  /**
   * Read every pending photo now and return when done (`index` before it exits). Runs even in
   * on-demand mode; refuses when OCR is off.
   */
  async runPending(onProgress?: (p: { done: number; total: number }) => void): Promise<OcrPassSummary> {
    if (this.unavailable) throw new OcrUnavailableError(this.unavailable);
    if (!this.enabled) throw new ApiError('BAD_REQUEST', 'OCR is turned off in the settings');
    await this.running;
    try {
      const summary = await this.pass(onProgress);
      return summary;
    } finally {
      await this.releaseReader();
    }
  }

  /** Resolves when no pass is running. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async pass(onProgress?: (p: { done: number; total: number }) => void): Promise<OcrPassSummary> {
    this.abort = new AbortController();
    this.lastError = null;
    const reader = this.ensureReader();
    const pending = this.lib.ocrText.counts(this.engineKey).pending;
    this.progress.start(pending);
    try {
      const summary = await runOcrPass(this.lib, reader, this.opts.log, {
        signal: this.abort.signal,
        yieldTo: async () => {
          await this.opts.indexerIdle();
          if (!this.enabled || this.closed) this.abort?.abort();
        },
        onProgress: (p) => {
          if (p.done > 0) this.progress.completed();
          this.progress.working(p.currentPath ?? null);
          onProgress?.({ done: p.done, total: p.total });
        },
      });
      if (summary.done > 0) this.opts.log.info(`OCR: read ${summary.done} photos, ${summary.withText} with text, ${summary.failed} failed`);
      return summary;
    } finally {
      this.progress.finish();
      this.abort = null;
    }
  }

  private ensureReader(): TextReader {
    if (!this.reader) {
      this.reader = this.opts.reader ?? new PhotoReader(this.opts.session, this.opts.model);
      void this.reader.info?.().then((i) => (this.provider = i.provider)).catch(() => undefined);
    }
    return this.reader;
  }

  private async releaseReader(): Promise<void> {
    if (this.running || this.opts.reader) return;
    const r = this.reader;
    this.reader = null;
    await r?.close?.();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.abort?.abort();
    await this.idle();
    const r = this.reader;
    this.reader = null;
    await r?.close?.();
  }
}
