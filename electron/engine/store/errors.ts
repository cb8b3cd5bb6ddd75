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
