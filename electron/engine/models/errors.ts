/**
 * Download/install failures with a stable code and the facts behind it (host, HTTP status, bytes,
 * …) as parameters, so the CLI and the UI can say in the person's language what failed and what
 * to try (electron/shared/download-messages.ts). `message` stays English, for logs and bug reports.
 */
import { apiError, type ApiError, type ErrorReason, type ReasonParams } from '../../shared/contract/errors.ts';
import type { DownloadFailure, FailureParams } from '../../shared/download-messages.ts';

export type { FailureParams } from '../../shared/download-messages.ts';

export type ModelErrorCode =
  | 'UNKNOWN_MODEL'
  | 'NO_HOSTED_ONNX'
  | 'NO_SOURCE'
  | 'NOT_FOUND'
  | 'HTTP_ERROR'
  | 'NOT_BINARY'
  | 'SIZE_MISMATCH'
  | 'CHECKSUM_MISMATCH'
  | 'TIMEOUT'
  | 'NETWORK'
  /** DNS failure, refused connection, TLS failure: another attempt at the same host will not help. */
  | 'UNREACHABLE'
  | 'DISK_SPACE'
  | 'DISK_FULL'
  | 'ABORTED'
  | 'INVALID_MODEL'
  | 'ALREADY_INSTALLED'
  /** Another download of the same model and precision is running (this or another process). */
  | 'BUSY'
  | 'NOT_INSTALLED';

export interface SourceAttempt {
  source: string;
  url: string;
  code: ModelErrorCode;
  message: string;
  params: FailureParams;
}

export class ModelError extends Error {
  override readonly name = 'ModelError';
  readonly code: ModelErrorCode;
  /** Per-source failures when every source was tried. */
  readonly attempts: SourceAttempt[];
  /** What the message catalogue needs: host, status, bytes, seconds, model, file, dir, … */
  readonly params: FailureParams;
  /**
   * A refusal that is not a download's (a folder that holds no model, a model already installed):
   * the registered reason its message is worded from (shared/error-messages.ts).
   */
  readonly refusal?: ApiError;

  constructor(code: ModelErrorCode, message: string, opts: { attempts?: SourceAttempt[]; cause?: unknown; params?: FailureParams; refusal?: ApiError } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.code = code;
    this.attempts = opts.attempts ?? [];
    this.params = opts.params ?? {};
    this.refusal = opts.refusal;
  }

  /** The failure as the API and the message catalogue take it. */
  toFailure(): DownloadFailure {
    return { code: this.code, params: this.params, attempts: this.attempts.map((a) => ({ source: String(a.params.source ?? a.source), code: a.code, params: a.params })) };
  }
}

/** A ModelError a person meets outside a download, worded from a registered reason with its parameters. */
export function modelRefusal<R extends ErrorReason>(code: ModelErrorCode, reason: R, params: ReasonParams<R>, message: string, cause?: unknown): ModelError {
  return new ModelError(code, message, { cause, refusal: apiError(reason, params, message) });
}

/** The host of a URL, for messages (the URL itself is in `message`). */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** Worth another try against the same source, resuming where the last one stopped. */
export function isRetryable(code: ModelErrorCode): boolean {
  return code === 'NETWORK' || code === 'TIMEOUT';
}

/** No other source can help: the user cancelled or the disk is full. */
export function isFatal(code: ModelErrorCode): boolean {
  return code === 'ABORTED' || code === 'DISK_FULL' || code === 'DISK_SPACE';
}
