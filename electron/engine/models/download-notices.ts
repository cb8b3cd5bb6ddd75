/**
 * What a download reports while it runs, besides progress: a file resumed, a dropped connection
 * retried, a source given up for the next one, the proxy in use. Structured, so the CLI can say it
 * in the person's language (cli/commands/models-notices.ts); `noticeLine` is the English line for
 * logs and bug reports.
 */
import type { ModelErrorCode } from './errors.ts';
import type { FailureParams } from '../../shared/download-messages.ts';

export type DownloadNotice =
  | { kind: 'resumed'; file: string; bytes: number; source: string }
  /** A retryable failure (dropped, silent): the same source again, resuming; `attempt` of `of`. */
  | { kind: 'retrying'; file: string; code: ModelErrorCode; params: FailureParams; detail: string; attempt: number; of: number }
  /** `source` failed for good; `next` is tried. */
  | { kind: 'next-source'; file: string; source: string; code: ModelErrorCode; params: FailureParams; detail: string; next: string }
  | { kind: 'proxy'; via: string }
  /** A proxy is set in the environment, but this Node.js fetch cannot use it. */
  | { kind: 'proxy-ignored' };

export function noticeLine(n: DownloadNotice): string {
  switch (n.kind) {
    case 'resumed':
      return `${n.file}: resumed at ${n.bytes} bytes from ${n.source}`;
    case 'retrying':
      return `${n.file}: ${n.detail}; retrying (${n.attempt}/${n.of})`;
    case 'next-source':
      return `${n.file}: ${n.source} failed (${n.detail}); trying ${n.next}`;
    case 'proxy':
      return `using ${n.via} for downloads`;
    case 'proxy-ignored':
      return 'A proxy is set in the environment but this Node.js fetch ignores it. Restart with NODE_USE_ENV_PROXY=1 (Node >= 24 or a recent 22.x) so downloads go through the proxy.';
  }
}
