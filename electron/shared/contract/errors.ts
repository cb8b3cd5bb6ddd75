/**
 * Errors that cross boundaries: a stable code and a message. Pure TypeScript (no Node, DOM or
 * Electron), shared by every process.
 */

export type ApiErrorCode =
  | 'BAD_REQUEST'
  | 'NOT_FOUND'
  | 'UNSUPPORTED'
  | 'ENGINE_UNAVAILABLE'
  | 'MODEL_ERROR'
  /** No model is chosen yet: the user must pick (and download) one first. */
  | 'NO_MODEL'
  /** The library database is damaged: offer to rebuild it (rebuildLibrary), which re-encodes every photo. */
  | 'LIBRARY_DAMAGED'
  /** The disk holding the library is full: nothing was lost, indexing resumes once there is space. */
  | 'DISK_FULL'
  /** Another process held the library's write lock too long; try again. */
  | 'LIBRARY_BUSY'
  | 'INTERNAL';

export interface ApiErrorPayload {
  code: ApiErrorCode;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
  toPayload(): ApiErrorPayload {
    return { code: this.code, message: this.message };
  }
  static from(err: unknown): ApiError {
    if (err instanceof ApiError) return err;
    if (isApiErrorPayload(err)) return new ApiError(err.code, err.message);
    return new ApiError('INTERNAL', err instanceof Error ? err.message : String(err));
  }
}

export function isApiErrorPayload(x: unknown): x is ApiErrorPayload {
  return typeof x === 'object' && x !== null && typeof (x as ApiErrorPayload).code === 'string' &&
    typeof (x as ApiErrorPayload).message === 'string';
}
