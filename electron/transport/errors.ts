/** How API error codes map onto HTTP statuses (web mode) and media responses (both transports). */
import type { ApiErrorCode } from '../shared/api.ts';

const STATUS: Readonly<Record<ApiErrorCode, number>> = {
  BAD_REQUEST: 400,
  NOT_FOUND: 404,
  UNSUPPORTED: 501,
  ENGINE_UNAVAILABLE: 503,
  MODEL_ERROR: 500,
  NO_MODEL: 409,
  INTERNAL: 500,
};

export function httpStatusFor(code: ApiErrorCode): number {
  return STATUS[code] ?? 500;
}
