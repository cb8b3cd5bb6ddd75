/**
 * The per-photo passes (tags, text in photos, …), each shown apart from embedding in the library
 * panel: they run after photos are embedded and only while nothing is waiting to be embedded, so
 * each has its own bar, counts and state (off in the settings, waiting, preparing, running, done).
 * A pass the UI has no words for is shown by its name.
 */
import type { EngineStatus, PassStatus } from '../../../electron/shared/api.ts';
import { baseName, formatCount, formatEta, formatRate, progressPercent } from '../lib/format.ts';
import { useI18n, type T } from '../lib/i18n.tsx';
import type { MessageKey } from '../lib/messages.ts';
import { Icon } from './Icon.tsx';
import { ProgressBar } from './ProgressBar.tsx';

/** The message keys of each pass the UI knows: its title, progress bar label and running state. */
const PASS_WORDS: Record<string, { title: MessageKey; label: MessageKey; running: MessageKey }> = {
  places: { title: 'passes.places.title', label: 'passes.places.label', running: 'passes.places.running' },
  tags: { title: 'passes.tags.title', label: 'passes.tags.label', running: 'passes.tags.running' },
  ocr: { title: 'ocrProgress.title', label: 'ocrProgress.label', running: 'ocrProgress.reading' },
  videos: { title: 'passes.videos.title', label: 'passes.videos.label', running: 'passes.videos.running' },
  stacks: { title: 'passes.stacks.title', label: 'passes.stacks.label', running: 'passes.stacks.running' },
};

function stateOf(p: PassStatus, embedding: boolean, t: T): string {
  if (p.preparing) return t('passes.preparing', { done: p.preparing.done, total: p.preparing.total });
  if (p.waiting === 'off') return t('ocrProgress.off');
  if (p.waiting === 'needs-preparation') return t('passes.needsPreparation');
  if (p.waiting === 'model-switch') return t('passes.modelSwitch');
  if (p.waiting === 'unavailable') return t('passes.unavailable');
  if (p.running) return embedding || p.waiting === 'indexing' ? t('ocrProgress.waiting') : t(PASS_WORDS[p.name]?.running ?? 'passes.running');
  return p.pending > 0 ? t('ocrProgress.queued') : t('ocrProgress.done');
}

function PassBlock({ pass, status }: { pass: PassStatus; status: EngineStatus }) {
  const { t, lang } = useI18n();
  const words = PASS_WORDS[pass.name];
  const total = pass.done + pass.failed + pass.pending;
  const handled = pass.done + pass.failed;
  const valueText = t('progress.value', { done: formatCount(handled, lang), total: formatCount(total, lang) });
  const embedding = status.progress.running;
  const working = pass.running && !embedding && pass.waiting === null && pass.preparing === null;
  const off = pass.waiting === 'off';
  const ocr = pass.name === 'ocr' ? status.ocr : null;
  const title = words ? t(words.title) : pass.name;
  return (
    <div className={`progress-block pass-progress ${pass.name}-progress`} aria-live="polite">
      <div className="progress-head">
        <span className="progress-state">
          {!off && !pass.running && pass.pending === 0 && total > 0 && <Icon name="check" size={16} />} {title} · {stateOf(pass, embedding, t)}
        </span>
        {total > 0 && <span className="progress-value">{valueText}</span>}
      </div>
      {!off && total > 0 && (
        <ProgressBar pct={progressPercent(handled, total)} label={words ? t(words.label) : pass.name} valueText={valueText} running={working} />
      )}
      {working && (
        <p className="progress-meta small muted">
          {pass.rate > 0 && <span>{t('progress.rate', { rate: formatRate(pass.rate, lang) })}</span>}
          {pass.etaSeconds !== null && <span>{t('progress.eta', { eta: formatEta(pass.etaSeconds, lang) })}</span>}
          {pass.current && (
            <span className="progress-file" title={pass.current}>
              {t('progress.current', { file: baseName(pass.current) })}
            </span>
          )}
        </p>
      )}
      {ocr && (
        <p className="counts small">
          <span>{t('ocrProgress.withText', { n: formatCount(ocr.withText, lang) })}</span>
          {ocr.failed > 0 && <span>{t('ocrProgress.failed', { n: formatCount(ocr.failed, lang) })}</span>}
        </p>
      )}
      {(ocr?.error ?? pass.error) && <p className="inline-error small">{t('passes.error', { title, reason: (ocr?.error ?? pass.error)! })}</p>}
    </div>
  );
}

export function PassesProgress({ status }: { status: EngineStatus | null }) {
  if (!status) return null;
  const shown = status.passes.filter((p) => p.done + p.failed + p.pending > 0 || p.preparing !== null);
  return (
    <>
      {shown.map((p) => (
        <PassBlock key={p.name} pass={p} status={status} />
      ))}
    </>
  );
}
