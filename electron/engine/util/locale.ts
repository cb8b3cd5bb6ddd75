/**
 * The person's language as the system says it, for what has no UI to ask: the CLI's messages and
 * the default order of model download sources. zh-CN where the locale is Chinese, English
 * otherwise (the only two languages the app speaks).
 *
 * POSIX precedence: LC_ALL, then LC_MESSAGES, then LANG (LANGUAGE, a GNU list of preferences, is
 * read first when set, as gettext does). Without any of them — an app started from a desktop on
 * Windows or macOS has no LANG — the runtime's own locale (ICU, from the system settings).
 */
export type Language = 'zh-CN' | 'en';

export function languageOf(locale: string | undefined | null): Language | null {
  if (!locale) return null;
  const tag = locale.trim().split(/[.@:]/)[0]!.replace('_', '-').toLowerCase();
  if (!tag || tag === 'c' || tag === 'posix') return 'en';
  return tag === 'zh' || tag.startsWith('zh-') ? 'zh-CN' : 'en';
}

export function systemLanguage(env: NodeJS.ProcessEnv = process.env, runtimeLocale?: string): Language {
  const language = env.LANGUAGE?.split(':').find(Boolean);
  // LANGUAGE only counts when the locale is not C/POSIX (gettext ignores it then).
  const base = env.LC_ALL || env.LC_MESSAGES || env.LANG;
  if (language && languageOf(base) !== null && !/^(c|posix)([._@]|$)/i.test(base ?? '')) return languageOf(language)!;
  const fromEnv = languageOf(base);
  if (fromEnv) return fromEnv;
  return languageOf(runtimeLocale ?? Intl.DateTimeFormat().resolvedOptions().locale) ?? 'en';
}
