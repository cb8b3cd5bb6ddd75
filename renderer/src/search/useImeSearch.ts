/**
 * Binds ImeQueryController to a controlled <input>. The field always shows what is typed
 * (pinyin included); only the controller decides when a query goes out.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ChangeEvent, CompositionEvent, KeyboardEvent } from 'react';
import { ImeQueryController } from './imeQuery.ts';

export interface ImeSearchBinding {
  value: string;
  /** Set the field from code (suggestion, back navigation) without re-firing that query. */
  setValueSilently(value: string): void;
  inputProps: {
    value: string;
    onChange(e: ChangeEvent<HTMLInputElement>): void;
    onCompositionStart(): void;
    onCompositionEnd(e: CompositionEvent<HTMLInputElement>): void;
    onKeyDown(e: KeyboardEvent<HTMLInputElement>): void;
  };
}

export function useImeSearch(onQuery: (q: string) => void, delayMs = 200): ImeSearchBinding {
  const [value, setValue] = useState('');
  const onQueryRef = useRef(onQuery);
  onQueryRef.current = onQuery;
  const ctlRef = useRef<ImeQueryController | null>(null);
  if (ctlRef.current === null) {
    ctlRef.current = new ImeQueryController({ delayMs, onQuery: (q) => onQueryRef.current(q) });
  }
  const ctl = ctlRef.current;
  useEffect(() => () => ctl.dispose(), [ctl]);

  const setValueSilently = useCallback(
    (v: string) => {
      setValue(v);
      ctl.sync(v);
    },
    [ctl],
  );

  return {
    value,
    setValueSilently,
    inputProps: {
      value,
      onChange(e) {
        setValue(e.target.value);
        ctl.input(e.target.value, (e.nativeEvent as InputEvent).isComposing === true);
      },
      onCompositionStart() {
        ctl.compositionStart();
      },
      onCompositionEnd(e) {
        ctl.compositionEnd(e.currentTarget.value);
      },
      onKeyDown(e) {
        // keyCode 229: the IME owns this keystroke (older Chromium/Safari report Enter this way).
        if (e.key === 'Enter' && !e.nativeEvent.isComposing && e.keyCode !== 229) ctl.submit(e.currentTarget.value);
        if (e.key === 'Escape' && !e.nativeEvent.isComposing && e.currentTarget.value !== '') {
          e.preventDefault();
          setValue('');
          ctl.submit('');
        }
      },
    },
  };
}
