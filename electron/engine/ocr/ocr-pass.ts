/**
 * The OCR pass: reads the text of every indexed photo the current OCR model has not read at its
 * current content, two photos in flight (IN_FLIGHT, PIXELS_IN_FLIGHT), storing each photo's result in its own
 * transaction — so a pass stopped at any point (Ctrl-C, a crash, the setting turned off) resumes
 * with the photos still unread. A photo that cannot be read is recorded with its reason and not
 * retried until the model or the photo changes.
 *
 * Priority: before each photo starts, the pass awaits `yieldTo()`, which resolves only while no
 * image encoding is waiting, so OCR never competes with embedding for the cores beyond the photos
 * it is already on.
 *
 * Every read goes through the same check as the indexer's (LibraryBounds.checkReadable): a photo
 * that became a link, or whose real path left the library folders since it was indexed, is not
 * read — its text could otherwise be stored and shown from a file outside the library.
 */
import fs from 'node:fs';
import { LibraryBounds, PolicySkip } from '../library/link-policy.ts';
import { DecodeError } from '../media/errors.ts';
import { MAX_OCR_PIXELS } from '../media/ocr-image.ts';
import type { Library } from '../store/library.ts';
import type { Logger } from '../util/log.ts';
import { normaliseText } from './normalise-text.ts';
import type { PassWait } from '../../shared/api.ts';
import type { PassContext, PassCounts, PassItem, PassReport, PhotoPass } from '../passes/pass.ts';
import { OcrUnavailableError, type PhotoText } from './photo-reader.ts';

/** What the pass needs from the reader (PhotoReader, or a fake in tests). */
export interface TextReader {
  readonly engineKey: string;
  read(path: string): Promise<PhotoText>;
}

export interface OcrProgress {
  /** Photos handled in this run so far, and how many were left when it started. */
  done: number;
  total: number;
  withText: number;
  failed: number;
  currentPath?: string;
}

export interface OcrPassOptions {
  signal?: AbortSignal;
  /** Resolves when OCR may use the machine (no embedding pending); called before every photo. */
  yieldTo?: () => Promise<void>;
  onProgress?: (p: OcrProgress) => void;
  /** Stop after this many photos (tests, bounded runs). */
  maxPhotos?: number;
  /** Photos read at once (default IN_FLIGHT). */
  inFlight?: number;
}

export interface OcrPassSummary extends OcrProgress {
  /** True when stopped by the signal or maxPhotos before the queue was empty. */
  interrupted: boolean;
}

const PAGE = 64;

/**
 * Photos read at once through the one reader. The OCR worker runs one photo's graphs at a time;
 * with a second photo in flight, its decoding (libvips threads) and the JS around it overlap the
 * graphs of the first instead of leaving the cores idle between them: median ×1.08 photos/s on 2
 * cores (where ONNX Runtime already uses both), for ~50 MB more (two photos' rasters), measured in
 * docs/decisions/ocr.md. A second worker would run two sets of graphs: ×1.09–1.35 on the folded
 * graphs, but the OCR process peaked at 1.12–1.17 GiB and `index` at 1.14–1.20 GiB, over the 1 GB
 * the indexing process is allowed — each worker's ONNX Runtime arena keeps its own high-water
 * mark, and onnxruntime-node cannot ask the runtime to shrink it (docs/decisions/ocr.md, "Stop 30").
 */
export const IN_FLIGHT = 2;

/**
 * Photos share the flight only while their reading rasters together stay within this many pixels
 * (flightWeight): two 12–16 MP phone photos are read side by side, a 24 MP or larger one only
 * beside a photo under 8 MP.
 * Two 48 MP photos in flight (each read from a 24 MP, 72 MB raster) took the indexing process with
 * OCR from 0.89–0.90 to 1.12 GB; read alone, they stay where 12 MP photos do (docs/decisions/ocr.md).
 */
export const PIXELS_IN_FLIGHT = 32_000_000;

/** How much of the flight a photo takes: its reading raster's pixels, from the size the index recorded (unknown: the largest). */
export function flightWeight(size: { width: number | null; height: number | null } | null | undefined): number {
  const width = size?.width ?? 0;
  const height = size?.height ?? 0;
  const pixels = width > 0 && height > 0 ? width * height : MAX_OCR_PIXELS;
  return Math.min(pixels, MAX_OCR_PIXELS);
}

/** Bounds the items in flight by their summed weight as well as their number. */
export interface FlightBudget<T> {
  weight: (item: T) => number;
  /** An item starts beside others only if the weights in flight, its own included, stay within this; alone, it always starts. */
  budget: number;
}

/**
 * Runs `work` over `items` with at most `limit` at once (and, with `size`, within its budget), in
 * order of start. `before(i)` is awaited before item i starts and returns false to start no more.
 * Resolves once every started item has finished; the first error any of them threw is thrown then
 * (the others are let finish, so nothing is left running behind the caller).
 */
export async function inFlight<T>(
  items: readonly T[],
  limit: number,
  before: (i: number) => Promise<boolean>,
  work: (item: T) => Promise<void>,
  size?: FlightBudget<T>,
): Promise<void> {
  const running = new Set<Promise<void>>();
  let load = 0;
  let failed: { error: unknown } | null = null;
  try {
    for (const [i, item] of items.entries()) {
      const weight = size ? size.weight(item) : 0;
      const full = (): boolean => running.size >= Math.max(1, limit) || (size !== undefined && running.size > 0 && load + weight > size.budget);
      while (full() && !failed) await Promise.race(running);
      if (failed || !(await before(i))) break;
      load += weight;
      const p: Promise<void> = work(item)
        .catch((error: unknown) => void (failed ??= { error }))
        .finally(() => {
          running.delete(p);
          load -= weight;
        });
      running.add(p);
    }
  } finally {
    await Promise.all(running);
  }
  if (failed) throw (failed as { error: unknown }).error;
}

type Outcome = 'read' | 'withText' | 'failed' | 'gone';

/** Reads one photo and stores its text or the reason it could not be read. */
async function readOne(lib: Library, reader: TextReader, bounds: LibraryBounds, photo: { id: number; path: string }, log: Logger): Promise<Outcome> {
  const engine = reader.engineKey;
  // The photo may have changed or gone while we waited.
  const row = lib.photos.get(photo.id);
  if (!row || row.status !== 'indexed' || row.path !== photo.path) return 'gone';
  // Its folder is away (an unplugged drive): it stays unread until the folder is back.
  if (lib.folders.get(row.folderId)?.offline) return 'gone';
  // A byte-identical copy this model already read (a backup folder, an export): its text is this
  // photo's too, as the indexer gives such a copy its twin's vector.
  const copy = row.hash ? lib.ocrText.readOfCopy(photo.id, engine, row.hash) : null;
  if (copy) {
    lib.ocrText.saveRead(photo.id, copy);
    return copy.lines.length > 0 ? 'withText' : 'read';
  }
  try {
    const r = await reader.read(await bounds.checkReadable(photo.path));
    // Removed while it was read (its folder removed): nothing to store it against.
    if (!lib.photos.get(photo.id)) return 'gone';
    lib.ocrText.saveRead(photo.id, {
      engine,
      photoHash: row.hash,
      lines: r.lines.map((l) => ({ text: l.text, confidence: l.confidence, box: l.box })),
      norm: normaliseText(r.lines.map((l) => l.text).join('')),
    });
    return r.lines.length > 0 ? 'withText' : 'read';
  } catch (err) {
    // The model not loading is nobody's photo's fault: stop, the photos stay pending. Anything
    // else happened on this photo (it does not decode, or reading it failed or even crashed
    // the worker, which is restarted for the next one) and is recorded against it.
    if (err instanceof OcrUnavailableError) throw err;
    // Gone or replaced as it was about to be read: a race, not a verdict. It stays unread and
    // the indexer's next pass moves or removes its row.
    if (err instanceof PolicySkip && err.reason === 'vanished') return 'read';
    // The same when the file is gone now (its drive unplugged mid-read), or the photo was removed.
    if (!lib.photos.get(photo.id) || !(await fs.promises.access(photo.path).then(() => true, () => false))) return 'gone';
    const message = err instanceof Error ? err.message : String(err);
    const reason = err instanceof DecodeError || err instanceof PolicySkip ? err.reason : 'ocr-failed';
    lib.ocrText.saveFailure(photo.id, { engine, photoHash: row.hash, error: `${reason}: ${message}` });
    log.warn(`OCR skipped ${photo.path}: ${message}`);
    return 'failed';
  }
}

/** The flight's budget for a library's photos, weighed by the size their indexing recorded. */
function photoBudget(lib: Library): FlightBudget<{ id: number }> {
  return { weight: (photo) => flightWeight(lib.photos.get(photo.id)), budget: PIXELS_IN_FLIGHT };
}

/** Counts one photo's outcome into a run's progress. */
function count(progress: OcrProgress, outcome: Outcome): boolean {
  if (outcome === 'gone') return false;
  if (outcome === 'withText') progress.withText++;
  if (outcome === 'failed') progress.failed++;
  progress.done++;
  return true;
}

/** Reads every photo still to read, in one go (tests, benchmarks; the app runs OcrPass through the pass scheduler). */
export async function runOcrPass(lib: Library, reader: TextReader, log: Logger, opts: OcrPassOptions = {}): Promise<OcrPassSummary> {
  const engine = reader.engineKey;
  const progress: OcrProgress = { done: 0, total: lib.ocrText.counts(engine).pending, withText: 0, failed: 0 };
  opts.onProgress?.({ ...progress });
  let afterId = 0;
  let started = 0;
  let interrupted = false;
  for (;;) {
    const page = lib.ocrText.pending(engine, PAGE, afterId);
    if (page.length === 0) return { ...progress, interrupted: false };
    // Resolved per page: a pass can outlast a change of the library folders.
    const bounds = await LibraryBounds.resolve(lib.folders.list().map((f) => f.path));
    await inFlight(
      page,
      opts.inFlight ?? IN_FLIGHT,
      async (i) => {
        afterId = page[i].id;
        if (opts.signal?.aborted || (opts.maxPhotos !== undefined && started >= opts.maxPhotos)) return !(interrupted = true);
        await opts.yieldTo?.();
        if (opts.signal?.aborted) return !(interrupted = true);
        started++;
        progress.currentPath = page[i].path;
        return true;
      },
      async (photo) => {
        if (count(progress, await readOne(lib, reader, bounds, photo, log))) opts.onProgress?.({ ...progress });
      },
      photoBudget(lib),
    );
    if (interrupted) return { ...progress, interrupted: true };
  }
}

export interface OcrPassHost {
  /** The OCR setting. */
  enabled(): boolean;
  /** Why OCR cannot run at all (its model cannot be loaded), or null. */
  unavailable(): string | null;
  /** The reader, started on first use. */
  reader(): TextReader;
  /** Stops the reader's worker (its sessions hold memory) until the next run. */
  releaseReader(): Promise<void>;
}

/**
 * Reading the text in photos as a registered per-photo pass: a photo is owed until the current
 * OCR model has read it at its current content (store/ocr-text.ts keeps that state with the
 * text). Before every photo it yields to the indexer.
 */
export class OcrPass implements PhotoPass {
  readonly name = 'ocr';
  readonly priority = 20;
  readonly batchSize = PAGE;
  readonly usesVectors = false;
  readonly ownModels = true;
  private run_: OcrProgress = { done: 0, total: 0, withText: 0, failed: 0 };

  constructor(
    private readonly lib: Library,
    private readonly engineKey: string,
    private readonly host: OcrPassHost,
    private readonly log: Logger,
  ) {}

  counts(): PassCounts {
    const c = this.lib.ocrText.counts(this.engineKey);
    return { done: c.done, failed: c.failed, pending: c.pending };
  }

  owed(limit: number, afterId: number): PassItem[] {
    return this.lib.ocrText.pending(this.engineKey, limit, afterId);
  }

  blocked(): PassWait | null {
    if (this.host.unavailable()) return 'error';
    return this.host.enabled() ? null : 'off';
  }

  async run(batch: PassItem[], ctx: PassContext): Promise<void> {
    const reader = this.host.reader();
    const bounds = await LibraryBounds.resolve(this.lib.folders.list().map((f) => f.path));
    await inFlight(
      batch,
      IN_FLIGHT,
      async (i) => {
        // The scheduler waited for the indexer before the batch; each further photo waits again.
        if (i > 0) await ctx.yieldTo();
        if (ctx.signal.aborted || !this.host.enabled()) return false;
        ctx.working(batch[i].path);
        return true;
      },
      async (photo) => {
        if (count(this.run_, await readOne(this.lib, reader, bounds, photo, this.log))) ctx.completed(1);
      },
      photoBudget(this.lib),
    );
  }

  release(): Promise<void> {
    return this.host.releaseReader();
  }

  report(): PassReport | null {
    const r = this.run_;
    this.run_ = { done: 0, total: 0, withText: 0, failed: 0 };
    return r.done > 0 ? { text: `read ${r.done} photos, ${r.withText} with text, ${r.failed} failed`, counts: { read: r.done, withText: r.withText, failed: r.failed } } : null;
  }
}
