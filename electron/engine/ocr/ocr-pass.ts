/**
 * The OCR pass: reads the text of every indexed photo the current OCR model has not read at its
 * current content, one photo at a time, storing each photo's result in its own transaction — so
 * a pass stopped at any point (Ctrl-C, a crash, the setting turned off) resumes with the photos
 * still unread. A photo that cannot be read is recorded with its reason and not retried until the
 * model or the photo changes.
 *
 * Priority: before each photo the pass awaits `yieldTo()`, which the engine resolves only while no
 * image encoding is waiting, so OCR never competes with embedding for the cores.
 *
 * Every read goes through the same check as the indexer's (LibraryBounds.checkReadable): a photo
 * that became a link, or whose real path left the library folders since it was indexed, is not
 * read — its text could otherwise be stored and shown from a file outside the library.
 */
import fs from 'node:fs';
import { LibraryBounds, PolicySkip } from '../library/link-policy.ts';
import { DecodeError } from '../media/errors.ts';
import type { Library } from '../store/library.ts';
import type { Logger } from '../util/log.ts';
import { normaliseText } from './normalise-text.ts';
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
}

export interface OcrPassSummary extends OcrProgress {
  /** True when stopped by the signal or maxPhotos before the queue was empty. */
  interrupted: boolean;
}

const PAGE = 64;

export async function runOcrPass(lib: Library, reader: TextReader, log: Logger, opts: OcrPassOptions = {}): Promise<OcrPassSummary> {
  const engine = reader.engineKey;
  const progress: OcrProgress = { done: 0, total: lib.ocrText.counts(engine).pending, withText: 0, failed: 0 };
  opts.onProgress?.({ ...progress });
  let afterId = 0;
  for (;;) {
    const page = lib.ocrText.pending(engine, PAGE, afterId);
    if (page.length === 0) return { ...progress, interrupted: false };
    // Resolved per page: a pass can outlast a change of the library folders.
    const bounds = await LibraryBounds.resolve(lib.folders.list().map((f) => f.path));
    for (const photo of page) {
      afterId = photo.id;
      if (opts.signal?.aborted || (opts.maxPhotos !== undefined && progress.done >= opts.maxPhotos)) return { ...progress, interrupted: true };
      await opts.yieldTo?.();
      if (opts.signal?.aborted) return { ...progress, interrupted: true };
      // The photo may have changed or gone while we waited.
      const row = lib.photos.get(photo.id);
      if (!row || row.status !== 'indexed' || row.path !== photo.path) continue;
      // Its folder is away (an unplugged drive): it stays unread until the folder is back.
      if (lib.folders.get(row.folderId)?.offline) continue;
      progress.currentPath = photo.path;
      try {
        const r = await reader.read(await bounds.checkReadable(photo.path));
        // Removed while it was read (its folder removed): nothing to store it against.
        if (!lib.photos.get(photo.id)) continue;
        lib.ocrText.saveRead(photo.id, {
          engine,
          photoHash: row.hash,
          lines: r.lines.map((l) => ({ text: l.text, confidence: l.confidence, box: l.box })),
          norm: normaliseText(r.lines.map((l) => l.text).join('')),
        });
        if (r.lines.length > 0) progress.withText++;
      } catch (err) {
        // The model not loading is nobody's photo's fault: stop, the photos stay pending. Anything
        // else happened on this photo (it does not decode, or reading it failed or even crashed
        // the worker, which is restarted for the next one) and is recorded against it.
        if (err instanceof OcrUnavailableError) throw err;
        // Gone or replaced as it was about to be read: a race, not a verdict. It stays unread and
        // the indexer's next pass moves or removes its row.
        // The same when the file is gone now (its drive unplugged mid-read): not the photo's fault.
        const vanished = (err instanceof PolicySkip && err.reason === 'vanished') || !(await fs.promises.access(photo.path).then(() => true, () => false));
        if (!vanished && lib.photos.get(photo.id)) {
          const message = err instanceof Error ? err.message : String(err);
          const reason = err instanceof DecodeError || err instanceof PolicySkip ? err.reason : 'ocr-failed';
          lib.ocrText.saveFailure(photo.id, { engine, photoHash: row.hash, error: `${reason}: ${message}` });
          log.warn(`OCR skipped ${photo.path}: ${message}`);
          progress.failed++;
        }
      }
      progress.done++;
      opts.onProgress?.({ ...progress });
    }
  }
}
