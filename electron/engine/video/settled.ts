/**
 * A video still being copied into a folder (from a phone, a card, a download) looks truncated: no
 * moov atom yet, or an mdat that ends early. It must not be skipped as broken, only left until it
 * stops changing. The watcher's awaitWriteFinish covers watched folders; a full scan can meet a
 * file mid-copy, so the video pass checks twice: before decoding (modified within `quietMs`:
 * still changing) and after (size or mtime moved while we decoded: still changing), and reports
 * VideoError('still-changing'), which is retryable.
 */
import fs from 'node:fs/promises';
import { VideoError } from './errors.ts';

export interface FileState {
  size: number;
  mtimeMs: number;
}

/** Default quiet time: copies over USB or a network write at least every few hundred ms. */
export const QUIET_MS = 5_000;

async function stat(file: string): Promise<FileState> {
  try {
    const s = await fs.stat(file);
    return { size: s.size, mtimeMs: s.mtimeMs };
  } catch (err) {
    throw new VideoError('unreadable', `the video could not be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { cause: err });
  }
}

/** The file's state, or still-changing when it was modified less than `quietMs` ago. */
export async function settledState(file: string, quietMs = QUIET_MS, now = Date.now()): Promise<FileState> {
  const s = await stat(file);
  const age = now - s.mtimeMs;
  if (age >= 0 && age < quietMs) {
    throw new VideoError('still-changing', `the video is still being written (modified ${Math.round(age / 100) / 10} s ago); it will be indexed when it stops changing`);
  }
  return s;
}

/** Throws still-changing when the file is no longer what `before` saw. */
export async function assertUnchanged(file: string, before: FileState): Promise<void> {
  const after = await stat(file);
  if (after.size !== before.size || after.mtimeMs !== before.mtimeMs) {
    throw new VideoError('still-changing', `the video changed while it was read (${before.size} → ${after.size} bytes); it will be indexed when it stops changing`);
  }
}
