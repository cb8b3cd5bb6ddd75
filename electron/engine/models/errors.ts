/** Download/install failures with a stable code, so the CLI and the UI can say what to do next. */

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
}

export class ModelError extends Error {
  override readonly name = 'ModelError';
  readonly code: ModelErrorCode;
  /** Per-source failures when every source was tried. */
  readonly attempts: SourceAttempt[];

  constructor(code: ModelErrorCode, message: string, opts: { attempts?: SourceAttempt[]; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.code = code;
    this.attempts = opts.attempts ?? [];
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
