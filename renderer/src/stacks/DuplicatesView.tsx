/**
 * The duplicates view: each kind apart (identical copies, copies of one photo, bursts) as tabs
 * with their counts, the groups with most space to free first — each photo with its thumbnail,
 * where it is, its size, the cover marked — "show in folder" on the desktop, and how to remove
 * copies oneself: the app never deletes, moves or writes a photo.
 */
import { useEffect, useState } from 'react';
import type { DuplicateGroup, DuplicatesReport, StackBadge, StackKind } from '../../../electron/shared/api.ts';
import { api, mediaUrl } from '../api/index.ts';
import { toCallError, type ApiCallError } from '../api/errors.ts';
import { ErrorState } from '../components/ErrorState.tsx';
import { Icon } from '../components/Icon.tsx';
import { formatBytes, formatCount } from '../lib/format.ts';
import { useI18n } from '../lib/i18n.tsx';
import './stacks.css';

const KINDS: readonly StackKind[] = ['exact', 'near', 'burst'];
const PAGE = 40;

interface Props {
  nativeShell: boolean;
  /** Reloads after indexing runs and the person's own edits. */
  version: number;
  onBack(): void;
  onOpenStack(stack: StackBadge, fileName: string): void;
  onError(err: ApiCallError): void;
}

export function DuplicatesView({ nativeShell, version, onBack, onOpenStack, onError }: Props) {
  const { t, lang } = useI18n();
  const [kind, setKind] = useState<StackKind>('exact');
  const [limit, setLimit] = useState(PAGE);
  const [report, setReport] = useState<DuplicatesReport | null>(null);
  const [error, setError] = useState<ApiCallError | null>(null);
  const [nonce, setNonce] = useState(0);

  useEffect(() => {
    let live = true;
    api.duplicates({ kind, limit, offset: 0 }).then(
      (r) => {
        if (!live) return;
        setReport(r);
        setError(null);
      },
      (e: unknown) => live && setError(toCallError(e)),
    );
    return () => {
      live = false;
    };
  }, [kind, limit, version, nonce]);

  const reveal = async (photoId: number) => {
    try {
      await api.revealPhoto({ photoId });
    } catch (e) {
      onError(toCallError(e));
    }
  };

  const totals = report?.totals;
  const current = totals?.[kind];
  const none = totals && KINDS.every((k) => totals[k].groups === 0);
  return (
    <div className="duplicates">
      <div className="results-header">
        <button type="button" className="button ghost small" onClick={onBack}>
          <Icon name="arrow_left" size={16} />
          {t('results.home')}
        </button>
        <h2 className="results-title">{t('dup.title')}</h2>
      </div>
      <p className="dup-howto" role="note">
        {nativeShell ? t('dup.howTo') : t('dup.howToWeb')}
      </p>
      <div className="dup-tabs" role="tablist" aria-label={t('dup.tabs')}>
        {KINDS.map((k) => (
          <button
            key={k}
            type="button"
            role="tab"
            aria-selected={k === kind}
            className={`dup-tab${k === kind ? ' is-active' : ''}`}
            onClick={() => {
              setKind(k);
              setLimit(PAGE);
            }}
          >
            {/* No count until the report says it: a "（0）" while loading reads as "none". */}
            {totals ? t('dup.tab', { kind: t(`stack.kind.${k}`), n: formatCount(totals[k].groups, lang) }) : t(`stack.kind.${k}`)}
          </button>
        ))}
      </div>
      {error ? (
        <ErrorState error={error} onRetry={() => setNonce((n) => n + 1)} t={t} />
      ) : !report ? (
        <p className="loading-line">{t('dup.loading')}</p>
      ) : (
        <div role="tabpanel" className="dup-panel">
          {current && current.groups > 0 && (
            <p className="muted">
              {t('dup.summary', { groups: formatCount(current.groups, lang), photos: formatCount(current.photos, lang), size: formatBytes(current.extraBytes, lang) })}
            </p>
          )}
          {report.groups.length === 0 && <p className="muted">{none ? t('dup.noneAll') : t('dup.none')}</p>}
          <ol className="dup-groups">
            {report.groups.map((g) => (
              <Group key={`${g.kind}:${g.id}`} group={g} nativeShell={nativeShell} onReveal={reveal} onOpenStack={onOpenStack} />
            ))}
          </ol>
          {current && report.groups.length < current.groups && (
            <button type="button" className="button" onClick={() => setLimit((n) => n + PAGE)}>
              {t('dup.more')}
            </button>
          )}
        </div>
      )}
    </div>
  );
}

function Group({ group: g, nativeShell, onReveal, onOpenStack }: { group: DuplicateGroup; nativeShell: boolean; onReveal(id: number): void; onOpenStack: Props['onOpenStack'] }) {
  const { t, lang } = useI18n();
  const cover = g.photos.find((p) => p.cover)!;
  return (
    <li className="dup-group">
      <div className="dup-group-head">
        <span>
          {t('dup.group', { n: formatCount(g.size, lang), size: formatBytes(g.extraBytes, lang) })}
          {g.frames !== undefined && t('dup.frames', { n: formatCount(g.frames, lang) })}
        </span>
        {g.stackId !== null && (
          <button type="button" className="link-button small" onClick={() => onOpenStack({ id: g.stackId!, size: g.size, kind: g.kind, coverId: cover.id }, cover.fileName)}>
            {t('dup.openStack')}
          </button>
        )}
      </div>
      <ul className="dup-photos">
        {g.photos.map((p) => (
          <li key={p.id} className={`dup-photo${p.cover ? ' is-cover' : ''}`}>
            <img src={mediaUrl(p.id, 'thumb')} alt="" loading="lazy" decoding="async" />
            <div className="dup-photo-info">
              <span className="dup-name" title={p.path}>
                {p.fileName}
              </span>
              {/* The end of the folder's path tells copies apart (photos/ vs backup/): cut at the start. */}
              <span className="dup-path muted small" title={p.path}>
                <bdi>{p.folder}</bdi>
              </span>
              <span className="muted small">
                {formatBytes(p.bytes, lang)} · {formatCount(p.width, lang)} × {formatCount(p.height, lang)}
              </span>
              {p.cover && (
                <span className="stack-cover-mark small">
                  <Icon name="check" size={14} />
                  {t('dup.keep')}
                </span>
              )}
              {nativeShell && (
                <button type="button" className="link-button small" onClick={() => onReveal(p.id)}>
                  <Icon name="folder" size={14} />
                  {t('dup.reveal')}
                </button>
              )}
            </div>
          </li>
        ))}
      </ul>
    </li>
  );
}
