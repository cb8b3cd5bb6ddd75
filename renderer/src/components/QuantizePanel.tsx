/**
 * Settings → model: offers an int8 version of the current fp32 model (quantizeModel), shows its
 * progress while the engine makes and checks it, then the figures it was measured at against
 * fp32 on the person's photos (speed-up, cosine, top-10 kept) and a button to switch to it.
 * For a model that already is an int8 version, shows the figures it was installed with.
 */
import { useCallback, useEffect, useState } from 'react';
import type { EngineStatus, ModelChoice, ModelQuantization, QuantizationFigures } from '../../../electron/shared/api.ts';
import { api } from '../api/index.ts';
import { toCallError } from '../api/errors.ts';
import { useI18n } from '../lib/i18n.tsx';
import type { MessageKey } from '../lib/messages.ts';
import { errorText } from './ErrorState.tsx';

interface Props {
  model: NonNullable<EngineStatus['model']>;
  /** After switching to the int8 version. */
  onUsed(): void;
}

function Figures({ f }: { f: QuantizationFigures }) {
  const { t } = useI18n();
  return (
    <p className="muted small settings-hint" data-testid="quantize-figures">
      {t('quantize.figures', {
        photos: f.photos,
        prompts: f.prompts,
        imageSpeedup: f.speedup.image.toFixed(1),
        imageCos: f.cosine.image.mean.toFixed(4),
        textSpeedup: f.speedup.text.toFixed(1),
        textCos: f.cosine.text.mean.toFixed(4),
        top10: Math.round(100 * f.top10Overlap.textToImage),
      })}
    </p>
  );
}

export function QuantizePanel({ model, onUsed }: Props) {
  const { t } = useI18n();
  const [choices, setChoices] = useState<ModelChoice[] | null>(null);
  const [job, setJob] = useState<ModelQuantization | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const refresh = useCallback(async () => {
    const [list, jobs] = await Promise.all([api.listModels({}), api.modelQuantizations({})]);
    setChoices(list);
    setJob(jobs.find((j) => j.sourceId === model.id) ?? null);
  }, [model.id]);

  useEffect(() => {
    refresh().catch((e: unknown) => setError(errorText(toCallError(e), t)));
  }, [refresh, t]);

  const running = job?.state === 'running';
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => void refresh().catch(() => undefined), 1000);
    return () => clearInterval(timer);
  }, [running, refresh]);

  const current = choices?.find((c) => c.id === model.id);
  if (!choices || !current) return null;
  if (current.quantization) {
    return (
      <div className="settings-quantize" aria-label={t('quantize.title')}>
        <p className="settings-note">{t('quantize.current', { source: current.quantization.sourceId })}</p>
        <Figures f={current.quantization} />
      </div>
    );
  }
  if (!current.installed || current.installedPrecision !== 'fp32') return null;
  const target = choices.find((c) => c.id === `${model.id}-int8` && c.installed);

  const start = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.quantizeModel({ id: model.id });
      await refresh();
    } catch (e) {
      setError(errorText(toCallError(e), t));
    } finally {
      setBusy(false);
    }
  };
  const use = async (id: string) => {
    setBusy(true);
    try {
      await api.useModel({ id });
      onUsed();
    } catch (e) {
      setError(errorText(toCallError(e), t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="settings-quantize" role="group" aria-label={t('quantize.title')}>
      <h4 className="field-label">{t('quantize.title')}</h4>
      {target?.quantization ? (
        <>
          <p className="small">{t('quantize.ready', { name: target.name })}</p>
          <Figures f={target.quantization} />
          <button type="button" className="button primary" disabled={busy} onClick={() => void use(target.id)}>
            {t('quantize.use')}
          </button>
        </>
      ) : running && job ? (
        <p className="loading-line" role="status">
          {t('quantize.running')} {t(`quantize.stage.${job.stage}` as MessageKey, { done: job.done, total: job.total })}
        </p>
      ) : (
        <>
          {job?.state === 'refused' && (
            <>
              <p className="inline-error">{t('quantize.refused', { mean: job.figures?.bound.meanCosine ?? 0.99 })}</p>
              {job.figures && <Figures f={job.figures} />}
            </>
          )}
          {job?.state === 'failed' && <p className="inline-error">{t('quantize.failed')}</p>}
          <p className="muted small settings-hint">{t('quantize.offer', { name: current.name })}</p>
          <button type="button" className="button" disabled={busy} onClick={() => void start()}>
            {t('quantize.start')}
          </button>
        </>
      )}
      {error && (
        <p className="inline-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
