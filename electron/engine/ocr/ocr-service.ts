/**
 * The OCR service: answers for the text read in photos (the viewer's lines, the text side of
 * searches, OCR's status) and owns the reader the OCR pass uses. Reading runs as a registered
 * per-photo pass (ocr-pass.ts) on the pass scheduler: in the background after indexing while
 * nothing waits to be embedded (watch, the app), or before `index` exits. Turned off in the
 * settings: nothing is read; a running pass stops after its current photo; text already read
 * stays searchable and visible.
 */
import type { OcrStatus, PassStatus, PhotoText as PhotoTextResponse } from '../../shared/api.ts';
import { apiError } from '../../shared/api.ts';
import type { OcrSessionOptions } from '../ml/ocr/ocr-sessions.ts';
import type { PhotoQuery } from '../store/photo-filter.ts';
import type { Library } from '../store/library.ts';
import type { Logger } from '../util/log.ts';
import { OcrPass, type TextReader } from './ocr-pass.ts';
import { PhotoReader } from './photo-reader.ts';
import { attachSnippets, searchText, type TextSearchHit, type TextSnippet } from './text-search.ts';
import type { TextMatcher } from '../search/fused-search.ts';

export interface OcrServiceOptions {
  /** The setting, read whenever a pass would start or continue. */
  enabled: () => boolean;
  /** Execution provider and threads: the same selection as the encoders'. */
  session: OcrSessionOptions;
  /** An OCR model directory or manifest instead of the shipped one (SHIGUANG_OCR_MODEL). */
  model?: string;
  log: Logger;
  /** For tests: the reader to use instead of the PP-OCR one. */
  reader?: TextReader & { close?(): Promise<void>; info?(): Promise<{ provider: string }> };
}

type Reader = TextReader & { close?(): Promise<void>; info?(): Promise<{ provider: string }> };

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export class OcrService {
  private reader: Reader | null = null;
  private provider: string | null = null;
  /** Set when the OCR model cannot be resolved at all (e.g. its weights package is missing). */
  private readonly unavailable: string | null = null;
  readonly engineKey: string;
  /** The pass that reads photos (registered with the engine's pass scheduler). */
  readonly pass: OcrPass;

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
    this.pass = new OcrPass(
      lib,
      this.engineKey,
      {
        enabled: () => this.enabled,
        unavailable: () => this.unavailable,
        reader: () => this.ensureReader(),
        releaseReader: () => this.releaseReader(),
      },
      opts.log,
    );
  }

  get enabled(): boolean {
    return this.opts.enabled();
  }

  /** OCR's progress, from its pass's status in the scheduler. */
  status(pass: PassStatus): OcrStatus {
    // Index-only counts (~6 ms at 100k photos): exact on every poll, no cache to go stale.
    const c = this.lib.ocrText.counts(this.engineKey);
    return {
      enabled: this.enabled,
      running: pass.running,
      done: c.done,
      failed: c.failed,
      pending: c.pending,
      withText: c.withText,
      rate: pass.rate,
      etaSeconds: pass.etaSeconds,
      current: pass.current,
      model: this.engineKey,
      provider: this.provider,
      error: this.unavailable ?? pass.error,
    };
  }

  /** The recognised lines of one photo, for the viewer. */
  photoText(photoId: number): PhotoTextResponse {
    const row = this.lib.photos.get(photoId);
    if (!row) throw apiError('photo-unknown', { id: String(photoId) }, `no photo with id ${photoId}`);
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

  search(query: string, limit: number, filter: PhotoQuery = {}): TextSearchHit[] {
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

  private ensureReader(): TextReader {
    if (!this.reader) {
      this.reader = this.opts.reader ?? new PhotoReader(this.opts.session, this.opts.model);
      void this.reader.info?.().then((i) => (this.provider = i.provider)).catch(() => undefined);
    }
    return this.reader;
  }

  /** The worker's sessions hold memory: stopped when a run ends (the next starts it again in about a second). */
  private async releaseReader(): Promise<void> {
    if (this.opts.reader) return;
    const r = this.reader;
    this.reader = null;
    await r?.close?.();
  }

  async close(): Promise<void> {
    const r = this.reader;
    this.reader = null;
    await r?.close?.();
  }
}
