/** Errors the store raises on purpose, so callers can tell them apart from SQLite failures. */

/** The library file was written by a newer 拾光 whose schema this build does not know. */
export class DatabaseTooNewError extends Error {
  override readonly name = 'DatabaseTooNewError';
  constructor(
    readonly found: number,
    readonly supported: number,
  ) {
    super(`this library was created by a newer version of 拾光 (schema ${found} > ${supported}); update the app`);
  }
}

/** A model id is already stored with another embedding size: its vectors cannot be reused. */
export class ModelDimensionMismatchError extends Error {
  override readonly name = 'ModelDimensionMismatchError';
  constructor(
    readonly modelKey: string,
    readonly stored: number,
    readonly requested: number,
  ) {
    super(`model ${modelKey} is stored with ${stored}-dimensional vectors, not ${requested}`);
  }
}

/**
 * Another process held the library's write lock longer than the bounded wait (see busy.ts).
 * Nothing was written; the operation can be retried.
 */
export class DatabaseBusyError extends Error {
  override readonly name = 'DatabaseBusyError';
  readonly code = 'LIBRARY_BUSY';
  constructor(
    readonly file: string,
    cause?: unknown,
  ) {
    super(`the library ${file} is busy: another 拾光 process kept it locked for too long; nothing was changed, try again`, { cause });
  }
}

/**
 * The disk holding the library filled up mid-write. SQLite rolled the transaction back, so the
 * library is intact: what was being saved stays pending and the next run picks it up.
 */
export class DiskFullError extends Error {
  override readonly name = 'DiskFullError';
  readonly code = 'DISK_FULL';
  constructor(
    readonly file: string,
    cause?: unknown,
  ) {
    super(
      `the disk holding the library${file ? ` (${file})` : ''} is full: indexing stopped. Nothing is lost — photos not yet saved stay pending; ` +
        'free some space and run it again to continue where it stopped',
      { cause },
    );
  }
}

/**
 * The library database file is damaged (truncated, overwritten, not a database). Detected at open
 * (see integrity.ts) or by any read that meets a bad page. The photos themselves are untouched;
 * the library can be rebuilt from them, which re-encodes every photo, so that needs the person's
 * agreement (`--rebuild-damaged`, or the app's prompt).
 */
export class DatabaseDamagedError extends Error {
  override readonly name = 'DatabaseDamagedError';
  readonly code = 'LIBRARY_DAMAGED';
  constructor(
    readonly file: string,
    readonly detail: string,
    cause?: unknown,
  ) {
    super(
      `the library database${file ? ` ${file}` : ''} is damaged (${detail}). Your photos are not affected. ` +
        'Rebuilding sets the damaged file aside and indexes your folders again (every photo is re-encoded): ' +
        'run the command again with --rebuild-damaged, or choose "Rebuild" in the app',
      { cause },
    );
  }
}

/** The typed form of a SQLite failure, or the error itself when it is none of these. */
export function classifyStoreError(err: unknown, file: string): unknown {
  if (err instanceof DiskFullError || err instanceof DatabaseDamagedError || err instanceof DatabaseBusyError) return err;
  const code = (err as { code?: unknown })?.code;
  if (typeof code !== 'string') return err;
  if (code === 'SQLITE_FULL') return new DiskFullError(file, err);
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') return new DatabaseDamagedError(file, (err as Error).message, err);
  return err;
}
