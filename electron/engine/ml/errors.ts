/**
 * Errors that cross module boundaries as types, so callers decide with `instanceof` rather than
 * by matching message text.
 */

/**
 * The encoder worker thread is gone (crashed, exited, or closed): nothing sent to it will be
 * answered. Work in flight should stay pending for the next run, not be recorded as a bad photo.
 */
export class WorkerGoneError extends Error {
  override readonly name = 'WorkerGoneError';
}
