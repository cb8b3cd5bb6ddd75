/**
 * Settings: the current model (and "change model"), the execution provider, ONNX Runtime threads,
 * reading photos' text (OCR), where search results end (the relevance boundary's sensitivity) and
 * the ordered model download sources. A native modal <dialog>,
 * mounted only while open, with a focus trap that hands focus back to its opener.
 */
import { useEffect, useId, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { SEARCH_SENSITIVITY, type EngineSettings, type EngineStatus, type ModelChoice } from '../../../electron/shared/api.ts';
import { api } from '../api/index.ts';
import { toCallError, type ApiCallError } from '../api/errors.ts';
import { useFocusTrap } from '../lib/useFocusTrap.ts';
import { useI18n } from '../lib/i18n.tsx';
import type { MessageKey } from '../lib/messages.ts';
import { errorText } from './ErrorState.tsx';
import { Icon } from './Icon.tsx';
import { QuantizePanel } from './QuantizePanel.tsx';
import '../relevance.css';

interface Props {
  model: EngineStatus['model'];
  onClose(): void;
  onChangeModel(): void;
  onSaved(): void;
}

const KNOWN_SOURCES = ['huggingface', 'hf-mirror', 'modelscope'];

export function SettingsDialog({ model, onClose, onChangeModel, onSaved }: Props) {
  const { t } = useI18n();
  const dialogRef = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const providerId = useId();
  const threadsId = useId();
  const threadsHintId = useId();
  const customId = useId();
  const sensitivityId = useId();
  const sensitivityHintId = useId();
  const [loaded, setLoaded] = useState<EngineSettings | null>(null);
  const [loadError, setLoadError] = useState<ApiCallError | null>(null);
  const [switchingTo, setSwitchingTo] = useState<ModelChoice | null>(null);
  const [provider, setProvider] = useState('auto');
  const [threads, setThreads] = useState('');
  const [sources, setSources] = useState<string[]>([]);
  const [ocrEnabled, setOcrEnabled] = useState(true);
  const [sensitivity, setSensitivity] = useState<number>(SEARCH_SENSITIVITY.default);
  const [pick, setPick] = useState('');
  const [custom, setCustom] = useState('');
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);

  useEffect(() => {
    const d = dialogRef.current;
    if (d && !d.open) d.showModal();
  }, []);
  // Tab stays in the dialog; closed, focus goes back to the settings button (lib/useFocusTrap.ts).
  useFocusTrap(dialogRef, true);

  useEffect(() => {
    let live = true;
    api.settings({}).then(
      (s) => {
        if (!live) return;
        setLoaded(s);
        setProvider(s.provider);
        setThreads(s.threads === null ? '' : String(s.threads));
        setSources(s.sources);
        setOcrEnabled(s.ocrEnabled);
        setSensitivity(s.searchSensitivity);
      },
      (e: unknown) => live && setLoadError(toCallError(e)),
    );
    api.listModels({}).then(
      (list) => live && setSwitchingTo(list.find((m) => m.active && !m.serving) ?? null),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, []);

  const sourceLabel = (s: string) => (KNOWN_SOURCES.includes(s) ? t(`source.${s}` as MessageKey) : s);
  const move = (i: number, by: number) =>
    setSources((list) => {
      const next = [...list];
      const [x] = next.splice(i, 1);
      next.splice(i + by, 0, x!);
      return next;
    });
  const addSource = (s: string) => {
    const v = s.trim();
    if (!v || sources.includes(v)) return;
    setSources((list) => [...list, v]);
  };

  const threadsValue = threads.trim();
  const threadsNum = threadsValue === '' ? null : Number(threadsValue);
  const threadsOk = threadsNum === null || (Number.isInteger(threadsNum) && threadsNum >= 1 && threadsNum <= 1024);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!loaded || !threadsOk) return;
    setSaving(true);
    setSaveError(null);
    try {
      await api.updateSettings({ provider, threads: threadsNum, sources, ocrEnabled, searchSensitivity: sensitivity });
      onSaved();
    } catch (err) {
      setSaveError(errorText(toCallError(err), t));
    } finally {
      setSaving(false);
    }
  };

  const unused = (loaded?.sourceChoices ?? []).filter((s) => !sources.includes(s));

  return (
    <dialog
      ref={dialogRef}
      className="settings-dialog"
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <form className="settings-form" onSubmit={(e) => void save(e)}>
        <div className="settings-head">
          <h2 id={titleId} className="settings-title">
            <Icon name="settings" size={18} />
            {t('settings.title')}
          </h2>
          <button type="button" className="icon-button" aria-label={t('settings.close')} onClick={onClose}>
            <Icon name="close" />
          </button>
        </div>
        <div className="settings-body">
          <section className="settings-section" aria-label={t('settings.model')}>
            <h3 className="section-label">{t('settings.model')}</h3>
            <div className="settings-model">
              <div className="settings-model-text">
                <span className="settings-model-name">{model ? model.name : t('settings.noModel')}</span>
                {model && <span className="muted small">{t('engine.dim', { n: model.embeddingDim })}</span>}
              </div>
              <button type="button" className="button" onClick={onChangeModel}>
                {model ? t('settings.changeModel') : t('settings.chooseModel')}
              </button>
            </div>
            {switchingTo && <p className="settings-note">{t('settings.switching', { name: switchingTo.name })}</p>}
            {model && !switchingTo && <p className="muted small settings-hint">{t('models.changeIntro')}</p>}
            {model && !switchingTo && <QuantizePanel model={model} onUsed={onSaved} />}
          </section>

          {loadError && <p className="inline-error">{errorText(loadError, t)}</p>}
          {!loaded && !loadError && <p className="loading-line">{t('settings.loading')}</p>}
          {loaded && (
            <>
              <section className="settings-section settings-grid">
                <div>
                  <label htmlFor={providerId} className="field-label">
                    {t('settings.provider')}
                  </label>
                  <select id={providerId} className="select settings-select" value={provider} onChange={(e) => setProvider(e.target.value)}>
                    {loaded.providerChoices.map((p) => (
                      <option key={p} value={p}>
                        {p === 'auto' ? t('settings.providerAuto') : p}
                      </option>
                    ))}
                  </select>
                  <p className="muted small settings-hint">{t('settings.providerHint')}</p>
                </div>
                <div>
                  <label htmlFor={threadsId} className="field-label">
                    {t('settings.threads')}
                  </label>
                  <input
                    id={threadsId}
                    className="text-input settings-threads"
                    type="number"
                    min={1}
                    max={1024}
                    step={1}
                    inputMode="numeric"
                    placeholder={t('settings.threadsPlaceholder')}
                    value={threads}
                    aria-invalid={!threadsOk}
                    aria-describedby={threadsHintId}
                    onChange={(e) => setThreads(e.target.value)}
                  />
                  <p id={threadsHintId} className={threadsOk ? 'muted small settings-hint' : 'inline-error'}>
                    {threadsOk ? t('settings.threadsHint') : t('settings.threadsInvalid')}
                  </p>
                </div>
              </section>

              <section className="settings-section" aria-label={t('settings.ocr')}>
                <h3 className="section-label">{t('settings.ocr')}</h3>
                <label className="toggle">
                  <input type="checkbox" checked={ocrEnabled} onChange={(e) => setOcrEnabled(e.target.checked)} />
                  {t('settings.ocrLabel')}
                </label>
                <p className="muted small settings-hint">{t('settings.ocrHint')}</p>
              </section>

              <section className="settings-section" aria-label={t('settings.sensitivity')}>
                <h3 className="section-label">{t('settings.sensitivity')}</h3>
                <label htmlFor={sensitivityId} className="field-label">
                  {t('settings.sensitivityLabel')}
                </label>
                <div className="sensitivity-row">
                  <span className="muted small" aria-hidden="true">
                    {t('settings.sensitivityStrict')}
                  </span>
                  <input
                    id={sensitivityId}
                    className="sensitivity-range"
                    type="range"
                    min={SEARCH_SENSITIVITY.min}
                    max={SEARCH_SENSITIVITY.max}
                    step={1}
                    value={sensitivity}
                    aria-describedby={sensitivityHintId}
                    aria-valuetext={t(`settings.sensitivity.${sensitivity}` as MessageKey)}
                    onChange={(e) => setSensitivity(Number(e.target.value))}
                  />
                  <span className="muted small" aria-hidden="true">
                    {t('settings.sensitivityBroad')}
                  </span>
                  <output htmlFor={sensitivityId} className="sensitivity-value">
                    {t(`settings.sensitivity.${sensitivity}` as MessageKey)}
                  </output>
                </div>
                <p id={sensitivityHintId} className="muted small settings-hint">
                  {t('settings.sensitivityHint')}
                </p>
              </section>

              <section className="settings-section" aria-label={t('settings.sources')}>
                <h3 className="section-label">{t('settings.sources')}</h3>
                <p className="muted small settings-hint">{t('settings.sourcesHint')}</p>
                {loaded.sourcesOverriddenBy && (
                  <p className="settings-note" role="note">
                    <Icon name="alert" size={16} />
                    {t('settings.sourcesOverridden', { name: loaded.sourcesOverriddenBy })}
                  </p>
                )}
                {sources.length === 0 ? (
                  <p className="muted small">{t('settings.sourcesEmpty')}</p>
                ) : (
                  <ol className="source-list">
                    {sources.map((s, i) => (
                      <li key={s} className="source-item">
                        <span className="source-rank">{i + 1}</span>
                        <span className="source-text" title={s}>
                          <span className="source-name">{sourceLabel(s)}</span>
                          {KNOWN_SOURCES.includes(s) && <code className="source-spec">{s}</code>}
                        </span>
                        <button
                          type="button"
                          className="icon-button small"
                          aria-label={t('settings.sourceUp', { name: s })}
                          disabled={i === 0}
                          onClick={() => move(i, -1)}
                        >
                          <Icon name="arrow_up" size={15} />
                        </button>
                        <button
                          type="button"
                          className="icon-button small"
                          aria-label={t('settings.sourceDown', { name: s })}
                          disabled={i === sources.length - 1}
                          onClick={() => move(i, 1)}
                        >
                          <Icon name="arrow_down" size={15} />
                        </button>
                        <button
                          type="button"
                          className="icon-button small"
                          aria-label={t('settings.sourceRemove', { name: s })}
                          onClick={() => setSources((list) => list.filter((x) => x !== s))}
                        >
                          <Icon name="close" size={15} />
                        </button>
                      </li>
                    ))}
                  </ol>
                )}
                <div className="source-add">
                  {unused.length > 0 && (
                    <div className="input-row">
                      <select className="select" aria-label={t('settings.sourcePick')} value={pick} onChange={(e) => setPick(e.target.value)}>
                        <option value="">{t('settings.sourcePickNone')}</option>
                        {unused.map((s) => (
                          <option key={s} value={s}>
                            {sourceLabel(s)}
                          </option>
                        ))}
                      </select>
                      <button
                        type="button"
                        className="button"
                        disabled={!pick}
                        onClick={() => {
                          addSource(pick);
                          setPick('');
                        }}
                      >
                        <Icon name="plus" size={16} />
                        {t('settings.sourceAdd')}
                      </button>
                    </div>
                  )}
                  <label htmlFor={customId} className="field-label">
                    {t('settings.sourceCustom')}
                  </label>
                  <div className="input-row">
                    <input
                      id={customId}
                      className="text-input"
                      type="text"
                      spellCheck={false}
                      autoComplete="off"
                      placeholder={t('settings.sourceCustomPlaceholder')}
                      value={custom}
                      onChange={(e) => setCustom(e.target.value)}
                      onKeyDown={(e) => {
                        if (e.key === 'Enter') {
                          e.preventDefault();
                          addSource(custom);
                          setCustom('');
                        }
                      }}
                    />
                    <button
                      type="button"
                      className="button"
                      disabled={custom.trim() === ''}
                      onClick={() => {
                        addSource(custom);
                        setCustom('');
                      }}
                    >
                      <Icon name="plus" size={16} />
                      {t('settings.sourceAdd')}
                    </button>
                  </div>
                </div>
              </section>
            </>
          )}
          {saveError && (
            <p className="inline-error" role="alert">
              {saveError}
            </p>
          )}
        </div>
        <div className="settings-foot">
          <button type="button" className="button" onClick={onClose}>
            {t('settings.cancel')}
          </button>
          <button type="submit" className="button primary" disabled={!loaded || saving || !threadsOk}>
            {saving ? t('settings.saving') : t('settings.save')}
          </button>
        </div>
      </form>
    </dialog>
  );
}
