/**
 * Reading the text in photos, shown apart from embedding in the library panel: it runs after
 * photos are embedded and only while nothing is waiting to be embedded, so it has its own bar,
 * counts and state (off in the settings, waiting, reading, done).
 */
import type { EngineStatus } from '../../../electron/shared/api.ts';
import { baseName, formatCount, formatDuration, formatRate, progressPercent } from '../lib/format.ts';
import { useI18n } from '../lib/i18n.tsx';
import { Icon } from './Icon.tsx';
import { ProgressBar } from './ProgressBar.tsx';

export function OcrProgress({ status }: { status: EngineStatus | null }) {
  const { t, lang } = useI18n();
  const ocr = status?.ocr;
  if (!ocr) return null;
  const total = ocr.done + ocr.failed + ocr.pending;
  const handled = ocr.done + ocr.failed;
  const pct = progressPercent(handled, total);
  const valueText = t('progress.value', { done: formatCount(handled, lang), total: formatCount(total, lang) });
  const embedding = status.progress.running;
  const state = !ocr.enabled
    ? t('ocrProgress.off')
    : ocr.running
      ? embedding
        ? t('ocrProgress.waiting')
        : t('ocrProgress.reading')
      : ocr.pending > 0
        ? t('ocrProgress.queued')
        : t('ocrProgress.done');
  return (
    <div className="progress-block ocr-progress" aria-live="polite">
      <div className="progress-head">
        <span className="progress-state">
          {ocr.enabled && !ocr.running && ocr.pending === 0 && total > 0 && <Icon name="check" size={16} />} {t('ocrProgress.title')} · {state}
        </span>
        {total > 0 && <span className="progress-value">{valueText}</span>}
      </div>
      {ocr.enabled && total > 0 && (
        <ProgressBar pct={pct} label={t('ocrProgress.label')} valueText={valueText} running={ocr.running && !embedding} />
      )}
      {ocr.running && !embedding && (
        <p className="progress-meta small muted">
          {ocr.rate > 0 && <span>{t('progress.rate', { rate: formatRate(ocr.rate, lang) })}</span>}
          {ocr.etaSeconds !== null && <span>{t('progress.eta', { eta: formatDuration(ocr.etaSeconds, lang) })}</span>}
          {ocr.current && <span title={ocr.current}>{t('progress.current', { file: baseName(ocr.current) })}</span>}
        </p>
      )}
      <p className="counts small">
        <span>{t('ocrProgress.withText', { n: formatCount(ocr.withText, lang) })}</span>
        {ocr.failed > 0 && <span>{t('ocrProgress.failed', { n: formatCount(ocr.failed, lang) })}</span>}
      </p>
      {ocr.error && <p className="inline-error small">{t('ocrProgress.error', { reason: ocr.error })}</p>}
    </div>
  );
}
