/** Error messages that say what to do next, keyed by error code. */
import type { ApiCallError } from '../api/errors.ts';
import type { T } from '../lib/i18n.tsx';
import type { MessageKey } from '../lib/messages.ts';
import { Icon } from './Icon.tsx';

/** Reasons the engine gives with their parameters (ApiError.detail) that have their own wording. */
const REASONS: ReadonlySet<string> = new Set(['folder-relative', 'folder-missing', 'folder-not-a-folder', 'folder-unreadable', 'folder-inside-library', 'folder-holds-offline', 'folder-offline', 'threads-range', 'provider-unknown']);

export function errorText(err: ApiCallError, t: T): string {
  if (err.detail && REASONS.has(err.detail.reason)) return t(`reason.${err.detail.reason}` as MessageKey, err.detail);
  return t(`error.${err.code}` as MessageKey, { message: err.message });
}

export function ErrorState({ error, onRetry, action, t }: { error: ApiCallError; onRetry?: () => void; action?: { label: string; run: () => void }; t: T }) {
  return (
    <div className="state state-error" role="alert">
      <div className="state-icon">
        <Icon name="alert" size={28} />
      </div>
      <h2 className="state-title">{t('error.title')}</h2>
      <p className="state-body">{errorText(error, t)}</p>
      {action && (
        <button type="button" className="button primary" onClick={action.run}>
          {action.label}
        </button>
      )}
      {onRetry && (
        <button type="button" className="button primary" onClick={onRetry}>
          {t('error.retry')}
        </button>
      )}
    </div>
  );
}
