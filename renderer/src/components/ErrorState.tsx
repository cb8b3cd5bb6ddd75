/** Error messages that say what to do next, in the UI's language, from the error's code and reason. */
import type { ApiCallError } from '../api/errors.ts';
import { canRetry } from '../../../electron/shared/contract/error-reasons.ts';
import { describeError } from '../../../electron/shared/error-messages.ts';
import type { T } from '../lib/i18n.tsx';
import { Icon } from './Icon.tsx';

/**
 * The one way the renderer words an error: by its reason and parameters when the engine gave one,
 * else by its code (shared/error-messages.ts). The engine's English message is never shown (it is
 * for logs: the engine's, the browser's console via the failed request).
 */
export function errorText(err: ApiCallError, t: T): string {
  return describeError(t, err);
}

/** Whether a retry button can help (not for an invalid request, a missing folder, …). */
export function retryHelps(err: ApiCallError): boolean {
  return canRetry(err);
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
      {onRetry && retryHelps(error) && (
        <button type="button" className="button primary" onClick={onRetry}>
          {t('error.retry')}
        </button>
      )}
    </div>
  );
}
