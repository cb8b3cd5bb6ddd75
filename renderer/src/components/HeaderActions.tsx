/** The header's right end: the language switch and the settings button. */
import type { Lang } from '../lib/messages.ts';
import { useI18n } from '../lib/i18n.tsx';
import { Icon } from './Icon.tsx';

export function HeaderActions({ lang, onLang, onSettings }: { lang: Lang; onLang(lang: Lang): void; onSettings(): void }) {
  const { t } = useI18n();
  return (
    <div className="header-actions">
      <button
        type="button"
        className="button ghost"
        onClick={() => onLang(lang === 'zh-CN' ? 'en' : 'zh-CN')}
        aria-label={t('lang.toggleLabel')}
        lang={lang === 'zh-CN' ? 'en' : 'zh-CN'}
      >
        <Icon name="globe" size={16} />
        {t('lang.toggle')}
      </button>
      <button type="button" className="icon-button" aria-label={t('settings.open')} title={t('settings.open')} aria-haspopup="dialog" onClick={onSettings}>
        <Icon name="settings" size={19} />
      </button>
    </div>
  );
}
