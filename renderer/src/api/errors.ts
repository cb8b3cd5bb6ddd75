/**
 * Errors as the renderer sees them. The engine's codes (ApiErrorCode) plus two that only a
 * transport can produce: the engine could not be reached at all, or the web-mode token was refused.
 * Deliberately not the ApiError class from electron/shared/api.ts: importing that module at runtime
 * would pull zod and every request schema into the renderer bundle (the reason registry is zod-free).
 */
import { API_ERROR_CODES, TRANSPORT_ERROR_CODES, type ErrorCode } from '../../../electron/shared/contract/error-reasons.ts';

export type CallErrorCode = ErrorCode;

export class ApiCallError extends Error {
  constructor(
    readonly code: CallErrorCode,
    message: string,
    /** The engine's reason and its parameters, for a message in the person's language (e.g. folder-missing + path). */
    readonly detail?: { reason: string; [param: string]: string },
  ) {
    super(message);
    this.name = 'ApiCallError';
  }
}

export function isErrorPayload(x: unknown): x is { code: string; message: string } {
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof (x as { code?: unknown }).code === 'string' &&
    typeof (x as { message?: unknown }).message === 'string'
  );
}

const KNOWN_CODES: readonly string[] = [...API_ERROR_CODES, ...TRANSPORT_ERROR_CODES];

/** Whatever a transport rejected with → ApiCallError (unknown codes become INTERNAL). */
export function toCallError(err: unknown): ApiCallError {
  if (err instanceof ApiCallError) return err;
  if (isErrorPayload(err)) {
    const code = KNOWN_CODES.includes(err.code) ? (err.code as CallErrorCode) : 'INTERNAL';
    const detail = (err as { detail?: unknown }).detail;
    return new ApiCallError(code, err.message, isDetail(detail) ? detail : undefined);
  }
  return new ApiCallError('INTERNAL', err instanceof Error ? err.message : String(err));
}

function isDetail(x: unknown): x is { reason: string; [param: string]: string } {
  return typeof x === 'object' && x !== null && typeof (x as { reason?: unknown }).reason === 'string' && Object.values(x).every((v) => typeof v === 'string');
}
