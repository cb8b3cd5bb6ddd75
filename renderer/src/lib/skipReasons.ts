/**
 * Why a file was skipped, in the UI's language. The engine records a skip as `<reason>: <detail>`
 * (index/encode-pipeline.ts describeFailure; media/errors.ts, video/errors.ts, library/link-policy.ts
 * own the reasons); the detail is the decoder's English, for logs, so only the reason is worded.
 */
import type { MessageKey } from './messages.ts';

/** The i18n context's `t` (declared here: unit tests import this file without JSX). */
type T = (key: MessageKey, vars?: Record<string, string | number>) => string;

export const SKIP_REASONS = [
  'empty-file',
  'not-an-image',
  'truncated',
  'too-large',
  'unsupported-format',
  'decode-failed',
  'unreadable',
  'symlink',
  'unreadable-name',
  'vanished',
  'not-a-video',
  'audio-only',
  'unsupported-codec',
  'timeout',
  'aborted',
  'still-changing',
  'decoder-missing',
] as const;

export function skipReasonText(raw: string | null | undefined, t: T): string {
  const code = (raw ?? '').split(':')[0]!.trim();
  return (SKIP_REASONS as readonly string[]).includes(code) ? t(`skipReason.${code}` as MessageKey) : t('skipReason.other');
}
