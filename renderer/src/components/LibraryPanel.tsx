/**
 * Library side panel: watched folders (add / remove), live indexing progress, the progress of
 * reading photos' text (OCR, separate from embedding), skipped files and the model / execution
 * provider actually in use.
 */
import { useEffect, useId, useState } from 'react';
import type { FormEvent } from 'react';
import type { EngineStatus, FolderOffline, SkippedFile, WatchedFolder } from '../../../electron/shared/api.ts';
import { api } from '../api/index.ts';
import { toCallError, type ApiCallError } from '../api/errors.ts';
import { MAX_FOLDER_PATH_LENGTH } from '../../../electron/shared/contract/limits.ts';
import { fitsLimit, InputLimit } from './InputLimit.tsx';
import { skipReasonText } from '../lib/skipReasons.ts';
import { baseName, formatCount, formatEta, formatRate, formatTakenAt, progressPercent } from '../lib/format.ts';
import type { MessageKey } from '../lib/messages.ts';
import { useI18n } from '../lib/i18n.tsx';
import { errorText } from './ErrorState.tsx';
import { Icon } from './Icon.tsx';
import { PassesProgress } from './PassesProgress.tsx';
import { ProgressBar } from './ProgressBar.tsx';

interface Props {
  status: EngineStatus | null;
  statusError: ApiCallError | null;
  folders: WatchedFolder[] | null;
  nativeShell: boolean;
  onAddPaths(paths: string[]): Promise<void>;
  onRemove(folder: WatchedFolder): Promise<void>;
  onError(err: ApiCallError): void;
}

export function LibraryPanel(props: Props) {
  const { t } = useI18n();
  return (
    <section className="panel" aria-labelledby="library-title">
      <h2 id="library-title" className="panel-title">
        {t('library.title')}
      </h2>
      <FolderList folders={props.folders} offline={offlineByFolder(props.status, props.folders)} onRemove={props.onRemove} />
      <AddFolder nativeShell={props.nativeShell} onAddPaths={props.onAddPaths} onError={props.onError} />
      <IndexProgressView status={props.status} error={props.statusError} />
      <PassesProgress status={props.status} />
      <SkippedList skippedCount={props.status?.counts.skipped ?? 0} />
      <EngineInfo status={props.status} />
    </section>
  );
}

/** Which folders are away: the status (polled, so it follows a drive unplugged now), else the folder list. */
function offlineByFolder(status: EngineStatus | null, folders: WatchedFolder[] | null): Map<number, FolderOffline> {
  const out = new Map<number, FolderOffline>();
  if (status?.offlineFolders) for (const f of status.offlineFolders) out.set(f.id, { since: f.since, reason: f.reason });
  else for (const f of folders ?? []) if (f.offline) out.set(f.id, f.offline);
  return out;
}

function FolderList({ folders, offline, onRemove }: { folders: WatchedFolder[] | null; offline: Map<number, FolderOffline>; onRemove(f: WatchedFolder): Promise<void> }) {
  const { t, lang } = useI18n();
  const [confirming, setConfirming] = useState<number | null>(null);
  if (!folders) return null;
  if (folders.length === 0) return <p className="muted small panel-note">{t('library.noFolders')}</p>;
  return (
    <ul className="folder-list">
      {folders.map((f) => (
        <li key={f.id} className="folder-item">
          <Icon name="folder" />
          <div className="folder-text" title={f.path}>
            <span className="folder-name">
              {baseName(f.path)}
              {offline.has(f.id) && <span className="badge offline-badge">{t('library.offline')}</span>}
            </span>
            <span className="folder-path">{f.path}</span>
            {offline.has(f.id) && <OfflineNote offline={offline.get(f.id)!} />}
          </div>
          <span className="folder-count">{t('library.photoCount', { n: formatCount(f.photoCount, lang) })}</span>
          {confirming === f.id ? (
            <span className="confirm-row">
              <button
                type="button"
                className="button danger small"
                aria-label={t('library.removeConfirmLabel', { path: f.path })}
                onClick={() => {
                  setConfirming(null);
                  void onRemove(f);
                }}
                autoFocus
              >
                {t('library.removeConfirm')}
              </button>
              <button type="button" className="button small" onClick={() => setConfirming(null)}>
                {t('library.cancel')}
              </button>
            </span>
          ) : (
            <button
              type="button"
              className="icon-button small"
              aria-label={t('library.removeLabel', { path: f.path })}
              title={t('library.remove')}
              onClick={() => setConfirming(f.id)}
            >
              <Icon name="trash" size={16} />
            </button>
          )}
        </li>
      ))}
    </ul>
  );
}

function OfflineNote({ offline }: { offline: FolderOffline }) {
  const { t, lang } = useI18n();
  const since = formatTakenAt(offline.since, lang) ?? offline.since;
  const why = t(`library.offlineReason.${offline.reason}` as MessageKey);
  return <span className="folder-offline">{t('library.offlineSince', { since, why })}</span>;
}

function AddFolder({
  nativeShell,
  onAddPaths,
  onError,
}: {
  nativeShell: boolean;
  onAddPaths(paths: string[]): Promise<void>;
  onError(err: ApiCallError): void;
}) {
  const { t } = useI18n();
  const [path, setPath] = useState('');
  const [busy, setBusy] = useState(false);
  const inputId = useId();
  const limitId = useId();
  const fits = fitsLimit(path, MAX_FOLDER_PATH_LENGTH);

  if (nativeShell) {
    const choose = async () => {
      setBusy(true);
      try {
        const paths = await api.chooseFolders({});
        if (paths.length > 0) await onAddPaths(paths);
      } catch (e) {
        onError(toCallError(e));
      } finally {
        setBusy(false);
      }
    };
    return (
      <button type="button" className="button block" onClick={() => void choose()} disabled={busy}>
        <Icon name="plus" />
        {t('library.add')}
      </button>
    );
  }

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const p = path.trim();
    if (!p || !fits) return;
    setBusy(true);
    try {
      await onAddPaths([p]);
      setPath('');
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="add-folder" onSubmit={(e) => void submit(e)}>
      <label htmlFor={inputId} className="field-label">
        {t('library.pathLabel')}
      </label>
      <div className="input-row">
        <input
          id={inputId}
          className="text-input"
          type="text"
          value={path}
          onChange={(e) => setPath(e.target.value)}
          placeholder={t('library.pathPlaceholder')}
          spellCheck={false}
          autoComplete="off"
          aria-invalid={!fits}
          aria-describedby={fits ? undefined : limitId}
        />
        <button type="submit" className="button primary" disabled={busy || path.trim() === '' || !fits}>
          <Icon name="plus" />
          {t('library.addPath')}
        </button>
      </div>
      <InputLimit value={path} max={MAX_FOLDER_PATH_LENGTH} message="library.pathTooLong" id={limitId} />
      <p className="muted small">{t('library.webHint')}</p>
    </form>
  );
}

function IndexProgressView({ status, error }: { status: EngineStatus | null; error: ApiCallError | null }) {
  const { t, lang } = useI18n();
  if (error && !status) return <p className="inline-error">{errorText(error, t)}</p>;
  if (!status) return null;
  const { progress, counts } = status;
  // The last good status stays on screen; say so when the engine stopped answering.
  const stale = error ? <p className="inline-error">{errorText(error, t)}</p> : null;
  // A finished run stays visible as a full bar until the library is emptied.
  const finished = !progress.running && progress.total > 0 && progress.done >= progress.total && counts.indexed > 0;
  const showBar = progress.running || finished;
  const pct = progressPercent(progress.done, progress.total);
  const valueText = t('progress.value', { done: formatCount(progress.done, lang), total: formatCount(progress.total, lang) });
  return (
    <div className="progress-block" aria-live="polite">
      {stale}
      {showBar && (
        <>
          <div className="progress-head">
            <span className="progress-state">
              {progress.running ? t('progress.indexing') : (
                <>
                  <Icon name="check" size={16} /> {t('progress.done')}
                </>
              )}
            </span>
            <span className="progress-value">{valueText}</span>
          </div>
          <ProgressBar pct={pct} label={t('progress.label')} valueText={valueText} running={progress.running} />
          {progress.running && (
            <p className="progress-meta small muted">
              {progress.rate > 0 && <span>{t('progress.rate', { rate: formatRate(progress.rate, lang) })}</span>}
              {progress.etaSeconds !== null && <span>{t('progress.eta', { eta: formatEta(progress.etaSeconds, lang) })}</span>}
            </p>
          )}
          {progress.running && progress.current && (
            <p className="progress-current small muted" title={progress.current}>
              {t('progress.current', { file: baseName(progress.current) })}
            </p>
          )}
        </>
      )}
      <p className="counts small">
        <span>{t('counts.summary', { indexed: formatCount(counts.indexed, lang) })}</span>
        {counts.pending > 0 && <span>{t('counts.pending', { n: formatCount(counts.pending, lang) })}</span>}
        {counts.skipped > 0 && <span>{t('counts.skipped', { n: formatCount(counts.skipped, lang) })}</span>}
        {(status.videos?.indexed ?? 0) > 0 && <span>{t('counts.videos', { n: formatCount(status.videos!.indexed, lang) })}</span>}
      </p>
    </div>
  );
}

const SKIPPED_PAGE = 500;

function SkippedList({ skippedCount }: { skippedCount: number }) {
  const { t, lang } = useI18n();
  const [open, setOpen] = useState(false);
  const [items, setItems] = useState<SkippedFile[] | null>(null);
  const [error, setError] = useState<ApiCallError | null>(null);

  useEffect(() => {
    if (!open) return;
    let live = true;
    api.listSkipped({ limit: SKIPPED_PAGE, offset: 0 }).then(
      (r) => {
        if (!live) return;
        setItems(r);
        setError(null);
      },
      (e: unknown) => live && setError(toCallError(e)),
    );
    return () => {
      live = false;
    };
  }, [open, skippedCount]);

  if (skippedCount === 0) return null;
  return (
    <details className="skipped" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>
        {t('skipped.title')} <span className="badge">{formatCount(skippedCount, lang)}</span>
      </summary>
      {error && <p className="inline-error">{errorText(error, t)}</p>}
      {!items && !error && <p className="muted small">{t('skipped.loading')}</p>}
      {items && items.length === 0 && <p className="muted small">{t('skipped.none')}</p>}
      {items && items.length > 0 && (
        <ul className="skipped-list">
          {items.map((s) => (
            <li key={s.path} title={s.path}>
              <span className="skipped-name">{baseName(s.path)}</span>
              <span className="skipped-reason">{skipReasonText(s.reason, t)}</span>
            </li>
          ))}
        </ul>
      )}
      {items && items.length >= SKIPPED_PAGE && skippedCount > items.length && (
        <p className="muted small">{t('skipped.truncated', { n: formatCount(items.length, lang) })}</p>
      )}
    </details>
  );
}

function EngineInfo({ status }: { status: EngineStatus | null }) {
  const { t, lang } = useI18n();
  if (!status) return null;
  const { model, provider } = status;
  return (
    <div className="engine-info">
      <h3 className="section-label">{t('engine.title')}</h3>
      <dl className="engine-dl small">
        <dt>{t('engine.model')}</dt>
        <dd>
          {model ? (
            <>
              {model.name} <span className="muted">· {t('engine.dim', { n: formatCount(model.embeddingDim, lang) })}</span>
            </>
          ) : (
            <span className="muted">{t('engine.noModel')}</span>
          )}
        </dd>
        <dt>{t('engine.provider')}</dt>
        <dd>
          {provider ? <span className="provider-name">{provider.name.toUpperCase()}</span> : <span className="muted">—</span>}
        </dd>
      </dl>
      {provider && provider.fallbacks.length > 0 && (
        // Reasons can be long (install hints); one line until asked for.
        <details className="fallbacks small">
          <summary className="muted">
            {t('engine.fallbacks', {
              n: provider.fallbacks.length,
              list: provider.fallbacks.map((f) => f.provider.toUpperCase()).join(lang === 'zh-CN' ? '、' : ', '),
            })}
          </summary>
          <ul>
            {provider.fallbacks.map((f) => (
              <li key={f.provider}>{t('engine.fallback', { provider: f.provider.toUpperCase(), reason: lang === 'zh-CN' || !f.reason ? t(f.kind === 'failed' ? 'engine.fallbackFailed' : 'engine.fallbackMissing') : f.reason })}</li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
