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
  /** A machine-readable reason and its parameters, for the renderer to word (e.g. { reason: 'folder-missing', path }). */
  detail?: ApiErrorDetail;
}

export interface ApiErrorDetail {
  reason: string;
  [param: string]: string;
}

export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly detail?: ApiErrorDetail,
  ) {
    super(message);
    this.name = 'ApiError';
  }
  toPayload(): ApiErrorPayload {
    return this.detail ? { code: this.code, message: this.message, detail: this.detail } : { code: this.code, message: this.message };
  }
  static from(err: unknown): ApiError {
    if (err instanceof ApiError) return err;
    if (isApiErrorPayload(err)) return new ApiError(err.code, err.message, isErrorDetail(err.detail) ? err.detail : undefined);
    return new ApiError('INTERNAL', err instanceof Error ? err.message : String(err));
  }
}

function isErrorDetail(x: unknown): x is ApiErrorDetail {
  return typeof x === 'object' && x !== null && typeof (x as ApiErrorDetail).reason === 'string' && Object.values(x).every((v) => typeof v === 'string');
}

export function isApiErrorPayload(x: unknown): x is ApiErrorPayload {
  return typeof x === 'object' && x !== null && typeof (x as ApiErrorPayload).code === 'string' &&
    typeof (x as ApiErrorPayload).message === 'string';
}
