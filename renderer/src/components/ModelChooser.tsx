/**
 * The model chooser: the whole window on first run (no model yet), and the "change model" view
 * from settings. One card per model with the catalogue's figures, download (with live progress,
 * failure and retry), the export route for sizes without a hosted ONNX, and "use".
 *
 * On first run a download the person started here is enabled automatically when it finishes
 * (that was their choice, and nothing else works without a model). When changing models we wait
 * for an explicit "use": switching starts re-encoding every photo.
 */
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import type { ModelChoice, ModelDownload, ModelPrecision } from '../../../electron/shared/api.ts';
import { downloadFailureText } from '../../../electron/shared/download-messages.ts';
import { api } from '../api/index.ts';
import { toCallError, type ApiCallError } from '../api/errors.ts';
import { formatBytes, formatCount, formatDuration, progressPercent } from '../lib/format.ts';
import { useI18n } from '../lib/i18n.tsx';
import type { MessageKey } from '../lib/messages.ts';
import { useApiData, useModelDownloads } from '../lib/useApi.ts';
import { errorText } from './ErrorState.tsx';
import { Icon } from './Icon.tsx';
import { ProgressBar } from './ProgressBar.tsx';

interface Props {
  /** No model serves yet: the chooser is the whole app, and a finished download is enabled at once. */
  firstRun: boolean;
  onUsed(model: ModelChoice): void;
  /** Present when there is a library to go back to. */
  onBack?: () => void;
}

export function ModelChooser({ firstRun, onUsed, onBack }: Props) {
  const { t, lang } = useI18n();
  const [modelsNonce, setModelsNonce] = useState(0);
  const models = useApiData(() => api.listModels({}), [modelsNonce]);
  const reloadModels = useCallback(() => setModelsNonce((n) => n + 1), []);
  const dl = useModelDownloads();
  const [using, setUsing] = useState<string | null>(null);
  const [errors, setErrors] = useState<Record<string, ApiCallError | undefined>>({});
  /** Downloads started here on first run: enabled as soon as they are done. */
  const autoUse = useRef(new Set<string>());
  const lastStates = useRef(new Map<string, ModelDownload['state']>());

  const setError = (id: string, e: ApiCallError | undefined) => setErrors((x) => ({ ...x, [id]: e }));

  const use = useCallback(
    async (m: ModelChoice) => {
      setUsing(m.id);
      setErrors((x) => ({ ...x, [m.id]: undefined }));
      try {
        await api.useModel({ id: m.id });
        onUsed(m);
      } catch (e) {
        setErrors((x) => ({ ...x, [m.id]: toCallError(e) }));
        reloadModels();
      } finally {
        setUsing(null);
      }
    },
    [onUsed, reloadModels],
  );

  // A download changed state (finished or failed): the list's "installed" flags changed with it.
  useEffect(() => {
    let changed = false;
    for (const d of dl.downloads) {
      if (lastStates.current.get(d.id) !== d.state) changed = true;
      lastStates.current.set(d.id, d.state);
    }
    if (changed) reloadModels();
  }, [dl.downloads, reloadModels]);

  // First run: enable the model the person downloaded as soon as the list says it is installed.
  useEffect(() => {
    if (!firstRun || using) return;
    const ready = (models.data ?? []).find((m) => m.installed && autoUse.current.has(m.id));
    if (!ready) return;
    autoUse.current.delete(ready.id);
    void use(ready);
  }, [firstRun, models.data, using, use]);

  const download = async (m: ModelChoice, precision: ModelPrecision | undefined) => {
    setError(m.id, undefined);
    try {
      const r = await api.downloadModel({ id: m.id, lang, ...(precision ? { precision } : {}) });
      if (firstRun) autoUse.current.add(m.id);
      if (r.alreadyInstalled) reloadModels();
      dl.refresh();
    } catch (e) {
      setError(m.id, toCallError(e));
    }
  };

  const list = models.data;
  return (
    <div className="chooser">
      <div className="chooser-inner">
        {onBack && (
          <button type="button" className="button ghost small chooser-back" onClick={onBack}>
            <Icon name="arrow_left" size={16} />
            {t('models.back')}
          </button>
        )}
        <header className="chooser-hero">
          <h2 className="chooser-title">{firstRun ? t('models.title') : t('models.changeTitle')}</h2>
          <p className="chooser-intro">{firstRun ? t('models.intro') : t('models.changeIntro')}</p>
          <p className="muted small chooser-footnote">{t('models.zeroShotHint')}</p>
        </header>
        {models.error && !list && <p className="inline-error">{errorText(models.error, t)}</p>}
        {!list && !models.error && <p className="loading-line">{t('models.loading')}</p>}
        {list && list.length === 0 && <p className="muted">{t('models.noneInstalled')}</p>}
        {list && list.length > 0 && (
          <ul className="model-grid">
            {list.map((m) => (
              <ModelCard
                key={m.id}
                model={m}
                download={dl.downloads.find((d) => d.id === m.id) ?? null}
                error={errors[m.id] ?? null}
                using={using === m.id}
                busy={using !== null}
                autoUse={firstRun && autoUse.current.has(m.id)}
                onDownload={(p) => void download(m, p)}
                onUse={() => void use(m)}
              />
            ))}
          </ul>
        )}
        {dl.error && <p className="inline-error">{errorText(dl.error, t)}</p>}
      </div>
    </div>
  );
}

interface CardProps {
  model: ModelChoice;
  download: ModelDownload | null;
  error: ApiCallError | null;
  using: boolean;
  busy: boolean;
  autoUse: boolean;
  onDownload(precision: ModelPrecision | undefined): void;
  onUse(): void;
}

function ModelCard({ model: m, download: d, error, using, busy, autoUse, onDownload, onUse }: CardProps) {
  const { t, lang } = useI18n();
  const titleId = useId();
  const precisionId = useId();
  const [precision, setPrecision] = useState<ModelPrecision | ''>(m.downloads[0]?.precision ?? '');
  const dash = '—';
  const pct = (n: number | null | undefined) => (n === null || n === undefined ? dash : t('models.percent', { n: formatCount(n, lang) }));
  const switching = m.active && !m.serving;
  const running = d?.state === 'running';
  const failed = d?.state === 'failed' && !m.installed;

  let action;
  if (running) {
    action = <DownloadProgress name={m.name} d={d} autoUse={autoUse} />;
  } else if (m.installed) {
    action = (
      <div className="model-actions">
        {d?.state === 'done' && !m.active && (
          <span className="model-done">
            <Icon name="check" size={16} /> {t('models.done')}
          </span>
        )}
        {m.serving && !switching ? (
          <span className="model-inuse">
            <Icon name="check" size={16} /> {t('models.inUse')}
          </span>
        ) : m.active ? null : (
          <button type="button" className="button primary" aria-label={t('models.useLabel', { name: m.name })} onClick={onUse} disabled={busy}>
            {using ? t('models.using') : t('models.use')}
          </button>
        )}
      </div>
    );
  } else if (m.downloadable) {
    action = (
      <>
        {failed && (
          <div className="inline-error model-failed" role="alert">
            <p>{t('models.failed', { message: downloadFailureText(lang, d.failure ?? { code: d.errorCode ?? 'INTERNAL', params: {}, attempts: [] }) })}</p>
            {!d.failure && <p>{t('models.failedResume')}</p>}
          </div>
        )}
        <div className="model-actions">
          {m.downloads.length > 1 && (
            <select
              id={precisionId}
              className="select"
              aria-label={t('models.precisionLabel', { name: m.name })}
              value={precision}
              onChange={(e) => setPrecision(e.target.value as ModelPrecision)}
            >
              {m.downloads.map((x) => (
                <option key={x.precision} value={x.precision}>
                  {x.precision} · {formatBytes(x.bytes, lang)}
                </option>
              ))}
            </select>
          )}
          {failed ? (
            <button
              type="button"
              className="button primary"
              aria-label={t('models.retryLabel', { name: m.name })}
              onClick={() => onDownload(precision || d.precision)}
            >
              <Icon name="download" size={16} />
              {t('models.retry')}
            </button>
          ) : (
            <button
              type="button"
              className={`button${m.isDefault ? ' primary' : ''}`}
              aria-label={t('models.downloadLabel', { name: m.name })}
              onClick={() => onDownload(precision || undefined)}
            >
              <Icon name="download" size={16} />
              {t('models.download')}
            </button>
          )}
        </div>
      </>
    );
  } else if (m.exportRoute) {
    action = <ExportRoute name={m.name} route={m.exportRoute} />;
  }

  return (
    <li className={`model-card${m.isDefault ? ' is-default' : ''}${m.serving || m.active ? ' is-active' : ''}`} aria-labelledby={titleId}>
      <div className="model-head">
        <h3 id={titleId} className="model-name">
          {m.name}
        </h3>
        <span className="model-badges">
          {m.isDefault && <span className="pill pill-accent">{t('models.recommended')}</span>}
          {switching && <span className="pill">{t('models.switching')}</span>}
          {m.installed && !m.serving && !switching && <span className="pill">{t('models.installed')}</span>}
        </span>
      </div>
      <dl className="model-stats">
        <div>
          <dt>{t('models.params')}</dt>
          <dd title={m.params ? t('models.paramsSplit', { image: m.params.imageM, text: m.params.textM }) : undefined}>
            {m.params ? t('models.paramsValue', { total: formatCount(m.params.totalM, lang) }) : dash}
          </dd>
        </div>
        <div>
          <dt>{t('models.dim')}</dt>
          <dd>{m.embeddingDim > 0 ? m.embeddingDim : dash}</dd>
        </div>
        <div>
          <dt>{t('models.resolution')}</dt>
          <dd>{m.resolution > 0 ? t('models.resolutionValue', { n: m.resolution }) : dash}</dd>
        </div>
        <div>
          <dt>{t('models.speed')}</dt>
          <dd>{m.speed ? <span className={`speed speed-${m.speed}`}>{t(`models.speed.${m.speed}` as MessageKey)}</span> : dash}</dd>
        </div>
        <div>
          <dt>{t('models.muge')}</dt>
          <dd>{pct(m.zeroShot?.mugeT2iR1)}</dd>
        </div>
        <div>
          <dt>{t('models.flickr')}</dt>
          <dd>{pct(m.zeroShot?.flickr30kCnT2iR1)}</dd>
        </div>
      </dl>
      {m.params && <p className="muted small model-split">{t('models.paramsSplit', { image: m.params.imageM, text: m.params.textM })}</p>}
      <p className="model-size small">
        {m.installed && m.installedBytes !== null ? (
          t('models.installedSize', { precision: m.installedPrecision ?? '', size: formatBytes(m.installedBytes, lang) })
        ) : m.downloads.length > 0 ? (
          <>
            <span className="muted">{t('models.size')}：</span>
            {m.downloads.map((x) => `${x.precision} ${formatBytes(x.bytes, lang)}`).join(' · ')}
          </>
        ) : null}
      </p>
      {m.error && <p className="inline-error">{errorText({ code: 'MODEL_ERROR', message: m.error, detail: m.errorDetail ?? { reason: 'model-unusable', model: m.name } } as ApiCallError, t)}</p>}
      {error && <p className="inline-error" role="alert">{errorText(error, t)}</p>}
      <div className="model-foot">{action}</div>
    </li>
  );
}

function DownloadProgress({ name, d, autoUse }: { name: string; d: ModelDownload; autoUse: boolean }) {
  const { t, lang } = useI18n();
  const pct = progressPercent(d.bytes, d.total);
  const value = t('models.bytes', { done: formatBytes(d.bytes, lang), total: formatBytes(d.total, lang) });
  return (
    <div className="model-progress" aria-live="polite">
      <div className="progress-head">
        <span className="progress-state">{t('models.downloading', { precision: d.precision })}</span>
        <span className="progress-value">{value}</span>
      </div>
      <ProgressBar pct={pct} label={t('models.progressLabel', { name })} valueText={value} running />
      <p className="progress-meta muted small">
        <span>{pct}%</span>
        {d.rate > 0 && <span>{t('models.rate', { rate: formatBytes(d.rate, lang) })}</span>}
        {d.etaSeconds !== null && d.etaSeconds > 0 && <span>{t('models.eta', { eta: formatDuration(d.etaSeconds, lang) })}</span>}
        {d.source && <span className="model-source">{t('models.from', { source: d.source })}</span>}
      </p>
      {autoUse && <p className="muted small model-autouse">{t('models.autoUse')}</p>}
    </div>
  );
}

/**
 * A size with no hosted download. The installed app has no command line, so the person is told in
 * words what this means and what to do (choose a downloadable model; docs/models.md has the export
 * route for those who can run Python). The official export steps are shown only in a development
 * build, where `npm run cli` exists.
 */
function ExportRoute({ name, route }: { name: string; route: string }) {
  const { t } = useI18n();
  return (
    <div className="export-route">
      <p className="small">{t('models.notDownloadable')}</p>
      {import.meta.env.DEV && <DeveloperExportSteps name={name} steps={route.split('\n').slice(1)} />}
    </div>
  );
}

function DeveloperExportSteps({ name, steps }: { name: string; steps: string[] }) {
  const { t } = useI18n();
  const preRef = useRef<HTMLPreElement>(null);
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(steps.join('\n'));
      setCopied(true);
      setTimeout(() => setCopied(false), 2000);
    } catch {
      // No clipboard permission: select the text so Ctrl+C works.
      const sel = window.getSelection();
      if (sel && preRef.current) {
        const range = document.createRange();
        range.selectNodeContents(preRef.current);
        sel.removeAllRanges();
        sel.addRange(range);
      }
    }
  };
  return (
    <details className="export-dev">
      <summary className="muted small">{t('models.devSteps')}</summary>
      <div className="export-code">
        <pre ref={preRef} tabIndex={0}>
          {steps.join('\n')}
        </pre>
        <button type="button" className="button small export-copy" aria-label={t('models.copyLabel', { name })} onClick={() => void copy()}>
          <Icon name={copied ? 'check' : 'copy'} size={14} />
          {copied ? t('models.copied') : t('models.copy')}
        </button>
      </div>
    </details>
  );
}
