/**
 * Errors that cross boundaries: a stable code, a reason with its parameters (for the person's
 * message, in their language: shared/error-messages.ts) and an English message (for logs and bug
 * reports, never shown in a Chinese UI). Pure TypeScript (no Node, DOM or Electron), shared by
 * every process.
 */
import { API_ERROR_CODES, ERROR_REASONS, isErrorReason, type ApiErrorCode, type ErrorReason, type ReasonParams } from './error-reasons.ts';

export * from './error-reasons.ts';

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
  /**
   * Whatever was thrown, as the API reports it. A payload keeps its code and reason; the store's
   * typed errors (busy, disk full, damaged: they carry an API code) get their reason; any other
   * code (a Node errno, a download code) becomes INTERNAL — the English message stays for the log.
   */
  static from(err: unknown): ApiError {
    if (err instanceof ApiError) return err;
    if (isApiErrorPayload(err)) {
      if (!(API_ERROR_CODES as readonly string[]).includes(err.code)) return new ApiError('INTERNAL', err.message);
      const detail = isErrorDetail(err.detail) ? err.detail : STORE_REASONS[err.code];
      return new ApiError(err.code, err.message, detail);
    }
    return new ApiError('INTERNAL', err instanceof Error ? err.message : String(err));
  }
}

/** Errors thrown with an API code but no detail (store/errors.ts): the reason their code implies. */
const STORE_REASONS: Partial<Record<ApiErrorCode, ApiErrorDetail>> = {
  LIBRARY_BUSY: { reason: 'library-busy' },
  DISK_FULL: { reason: 'disk-full' },
  LIBRARY_DAMAGED: { reason: 'library-damaged' },
};

/**
 * The way to make an error a person may meet: a registered reason with exactly its parameters
 * (compile-checked) and the English message for logs. The code comes from the registry.
 */
export function apiError<R extends ErrorReason>(reason: R, params: ReasonParams<R>, message: string): ApiError {
  return new ApiError(ERROR_REASONS[reason].code, message, { reason, ...(params as Record<string, string>) });
}

/** The reason an error carries, when it is one the registry knows. */
export function reasonOf(err: { detail?: { reason?: unknown } } | null | undefined): ErrorReason | null {
  const r = err?.detail?.reason;
  return typeof r === 'string' && isErrorReason(r) ? r : null;
}

function isErrorDetail(x: unknown): x is ApiErrorDetail {
  return typeof x === 'object' && x !== null && typeof (x as ApiErrorDetail).reason === 'string' && Object.values(x).every((v) => typeof v === 'string');
}

export function isApiErrorPayload(x: unknown): x is ApiErrorPayload {
  return typeof x === 'object' && x !== null && typeof (x as ApiErrorPayload).code === 'string' &&
    typeof (x as ApiErrorPayload).message === 'string';
}
