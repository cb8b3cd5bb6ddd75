/**
 * The library database is damaged (LIBRARY_DAMAGED): say what is wrong and offer to rebuild it.
 * Rebuilding re-encodes every photo, so it runs only after the person confirms.
 */
import { api } from '../api/index.ts';
import { toCallError, type ApiCallError } from '../api/errors.ts';
import type { T } from '../lib/i18n.tsx';
import { ErrorState } from './ErrorState.tsx';

export function DamagedLibrary({ error, t, onInfo, onError, onDone }: {
  error: ApiCallError;
  t: T;
  onInfo: (text: string) => void;
  onError: (e: ApiCallError) => void;
  onDone: () => void;
}) {
  const rebuild = async (): Promise<void> => {
    if (!window.confirm(t('library.rebuildConfirm'))) return;
    try {
      const r = await api.rebuildLibrary({});
      onInfo(t('library.rebuilt', { aside: r.aside }));
    } catch (e) {
      onError(toCallError(e));
    }
    onDone();
  };
  return <ErrorState error={error} action={{ label: t('library.rebuild'), run: () => void rebuild() }} t={t} />;
}
