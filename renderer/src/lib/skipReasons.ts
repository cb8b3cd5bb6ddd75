/** Why a file was skipped, in the UI's language: the shared catalogue (electron/shared/skip-reasons.ts), through the UI's `t`. */
import { skipReasonKey } from '../../../electron/shared/skip-reasons.ts';
import type { MessageKey } from './messages.ts';

export { SKIP_REASONS } from '../../../electron/shared/skip-reasons.ts';

/** The i18n context's `t` (declared here: unit tests import this file without JSX). */
type T = (key: MessageKey, vars?: Record<string, string | number>) => string;

export function skipReasonText(raw: string | null | undefined, t: T): string {
  return t(skipReasonKey(raw));
}
