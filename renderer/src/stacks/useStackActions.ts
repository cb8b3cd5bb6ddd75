/** What the app does when a person opens a stack, picks its cover or says a photo is not the same. */
import { useCallback } from 'react';
import type { PhotoHit } from '../../../electron/shared/api.ts';
import { api } from '../api/index.ts';
import { toCallError, type ApiCallError } from '../api/errors.ts';
import { useI18n } from '../lib/i18n.tsx';
import type { Mode } from '../lib/useApi.ts';

interface Deps {
  mode: Mode;
  /** Enters a mode, remembering the text query to go back to. */
  switchMode(make: (backTo: string | null) => Mode): void;
  setMode(m: Mode): void;
  closeViewer(): void;
  /** Lists and results reload. */
  edited(): void;
  info(message: string): void;
  error(err: ApiCallError): void;
}

export function useStackActions(d: Deps) {
  const { t } = useI18n();
  const { mode, switchMode, setMode, closeViewer, edited, info, error } = d;
  const openStack = useCallback(
    (hit: PhotoHit) => {
      if (hit.stack) switchMode((backTo) => ({ kind: 'stack', stack: hit.stack!, fileName: hit.fileName, backTo }));
    },
    [switchMode],
  );
  const openDuplicates = useCallback(() => switchMode((backTo) => ({ kind: 'duplicates', backTo })), [switchMode]);
  const chooseCover = async (hit: PhotoHit) => {
    try {
      await api.chooseCover({ photoId: hit.id });
      info(t('stack.coverChosen', { name: hit.fileName }));
      edited();
    } catch (e) {
      error(toCallError(e));
    }
  };
  const separate = async (hit: PhotoHit) => {
    try {
      const r = await api.separate({ photoId: hit.id });
      info(t('stack.separated', { name: hit.fileName }));
      closeViewer();
      if (mode.kind === 'stack') {
        // What is left of the stack (none: back to where it was opened from).
        if (r.left > 0) setMode({ ...mode, stack: { ...mode.stack, size: r.left } });
        else setMode(mode.backTo ? { kind: 'text', query: mode.backTo } : { kind: 'home' });
      }
      edited();
    } catch (e) {
      error(toCallError(e));
    }
  };
  return { openStack, openDuplicates, chooseCover, separate };
}
