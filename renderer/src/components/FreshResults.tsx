/** "有新的结果": the list on screen is behind what indexing or text reading has found since (lib/useFreshness.ts). */
import { useI18n } from '../lib/i18n.tsx';
import { Icon } from './Icon.tsx';

export function FreshResults({ onShow }: { onShow(): void }) {
  const { t } = useI18n();
  return (
    <div className="fresh-results" role="status">
      <Icon name="sparkle" size={16} />
      <span className="fresh-text" title={t('fresh.why')}>
        {t('fresh.notice')}
      </span>
      <button type="button" className="button small primary" onClick={onShow}>
        {t('fresh.show')}
      </button>
    </div>
  );
}
