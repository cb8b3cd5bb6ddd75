/** Language context: `t(key, vars)` plus the current language for Intl formatting. */
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import { pickInitialLang, translate, type Lang, type MessageKey } from './messages.ts';

const LANG_KEY = 'shiguang.lang';

export type T = (key: MessageKey, vars?: Record<string, string | number>) => string;

interface I18n {
  lang: Lang;
  t: T;
  setLang(lang: Lang): void;
}

const I18nContext = createContext<I18n | null>(null);

function readStoredLang(): string | null {
  try {
    return localStorage.getItem(LANG_KEY);
  } catch {
    return null;
  }
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(() => pickInitialLang(readStoredLang()));
  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = lang === 'zh-CN' ? '拾光' : '拾光 · Shiguang';
  }, [lang]);
  const setLang = useCallback((l: Lang) => {
    setLangState(l);
    try {
      localStorage.setItem(LANG_KEY, l);
    } catch {
      // Not persisted; the choice still applies to this session.
    }
  }, []);
  const value = useMemo<I18n>(() => ({ lang, setLang, t: (key, vars) => translate(lang, key, vars) }), [lang, setLang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const ctx = useContext(I18nContext);
  if (!ctx) throw new Error('useI18n outside I18nProvider');
  return ctx;
}
