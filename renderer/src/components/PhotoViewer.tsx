/**
 * The photo viewer: a native modal <dialog> (inert page, Esc) with a focus trap, showing the original,
 * its details, the text read in it (boxes over the photo, selectable; the lines listed beside) and
 * actions. A video plays from its matching segment, marked on its timeline (VideoStage). ← / →
 * move through the current results; closing hands the index back so the grid can put focus on
 * that photo's cell.
 */
import { Fragment, useEffect, useRef, useState } from 'react';
import type { KeyboardEvent, ReactNode } from 'react';
import type { PhotoDetail, PhotoHit, PhotoPlace } from '../../../electron/shared/api.ts';
import { api, mediaUrl } from '../api/index.ts';
import { toCallError, type ApiCallError } from '../api/errors.ts';
import { cameraName } from '../../../electron/shared/camera-name.ts';
import { skipReasonText } from '../lib/skipReasons.ts';
import { baseName, formatBytes, formatClock, formatCount, formatScore, formatTakenAt } from '../lib/format.ts';
import { useFocusTrap } from '../lib/useFocusTrap.ts';
import { useI18n } from '../lib/i18n.tsx';
import { errorText } from './ErrorState.tsx';
import { FileName } from './FileName.tsx';
import { Icon } from './Icon.tsx';
import { PhotoTextPanel, TextOverlay, usePhotoText } from './PhotoText.tsx';
import { hitKey } from './ResultsGrid.tsx';
import { VideoStage } from './VideoStage.tsx';
import { LivePhoto } from './LivePhoto.tsx';

interface Props {
  hits: PhotoHit[];
  index: number | null;
  nativeShell: boolean;
  onIndex(index: number): void;
  onClose(index: number): void;
  onSimilar(hit: PhotoHit): void;
  onTag(name: string): void;
  /** A place in the details opens the photos taken there (any level: a district too). */
  onPlace(place: PhotoPlace): void;
  onError(err: ApiCallError): void;
  /** The photo's stack (copies, a burst): what it stands for, or inside one, its cover and "not the same". */
  stackPanel?(hit: PhotoHit): ReactNode;
  /** false for lists without a query (an album, a tag, a place): no similarity to show. */
  scored?: boolean;
}

export function PhotoViewer({ hits, index, nativeShell, onIndex, onClose, onSimilar, onTag, onPlace, onError, stackPanel, scored = true }: Props) {
  const { t, lang } = useI18n();
  const dialogRef = useRef<HTMLDialogElement>(null);
  const closeRef = useRef<HTMLButtonElement>(null);
  const hit = index !== null ? hits[index] : undefined;
  const [detail, setDetail] = useState<PhotoDetail | null>(null);
  const [detailError, setDetailError] = useState<ApiCallError | null>(null);
  const [loadedId, setLoadedId] = useState<number | null>(null);
  const photoText = usePhotoText(hit?.id ?? null);
  const [showBoxes, setShowBoxes] = useState(true);
  const [activeLine, setActiveLine] = useState<number | null>(null);
  /** Where a video is now (seconds): "more like this moment" looks for that frame. */
  const moment = useRef<number | null>(null);

  useEffect(() => {
    const d = dialogRef.current;
    if (!d) return;
    if (hit && !d.open) {
      d.showModal();
      // showModal would focus the first focusable control (a nav arrow); start on Close instead.
      closeRef.current?.focus();
    }
    if (!hit && d.open) d.close();
  }, [hit]);
  // Tab stays in the viewer; closed, focus goes back to what opened it (lib/useFocusTrap.ts).
  useFocusTrap(dialogRef, hit !== undefined, { initialFocus: () => closeRef.current });

  // A new item (or another segment of the same video): no moment of it chosen yet.
  const shownKey = hit ? hitKey(hit) : null;
  useEffect(() => {
    moment.current = null;
  }, [shownKey]);

  useEffect(() => {
    if (!hit) return;
    let live = true;
    setDetail(null);
    setDetailError(null);
    api.photo({ photoId: hit.id }).then(
      (p) => live && setDetail(p),
      (e: unknown) => live && setDetailError(toCallError(e)),
    );
    // Warm the neighbours' originals so arrowing through feels instant (photos only: a video streams).
    const around = [index! - 1, index! + 1].map((i) => hits[i]).filter((h): h is PhotoHit => !!h && h.kind !== 'video');
    for (const h of around) new Image().src = mediaUrl(h.id, 'original');
    return () => {
      live = false;
    };
    // Keyed on the photo only: re-running when the list grows would refetch the same detail.
  }, [hit?.id]);

  if (index === null || !hit) return <dialog ref={dialogRef} className="viewer" aria-modal="true" aria-label={t('viewer.label')} />;

  const close = () => onClose(index);
  const go = (delta: number) => {
    const next = index + delta;
    if (next >= 0 && next < hits.length) onIndex(next);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDialogElement>) => {
    const tag = (e.target as HTMLElement).tagName;
    if (tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA') return;
    if (e.key === 'ArrowRight') {
      e.preventDefault();
      go(1);
    } else if (e.key === 'ArrowLeft') {
      e.preventDefault();
      go(-1);
    }
  };
  const shell = async (action: 'revealPhoto' | 'openPhoto') => {
    try {
      await api[action]({ photoId: hit.id });
    } catch (e) {
      onError(toCallError(e));
    }
  };

  const d = detail && detail.id === hit.id ? detail : null;
  const taken = formatTakenAt(d?.takenAt ?? hit.takenAt, lang);
  const camera = d ? cameraName(d.cameraMake, d.cameraModel) : '';
  const places = d?.places ?? [];
  const w = d?.width ?? hit.width;
  const h = d?.height ?? hit.height;
  const tags = d?.tags ?? hit.tags ?? [];
  const unknown = <span className="muted">{t('viewer.unknown')}</span>;
  const titleId = 'viewer-title';
  const video = hit.kind === 'video';
  const similar = () => {
    if (!video || moment.current === null) return onSimilar(hit);
    const at = moment.current;
    onSimilar({ ...hit, segment: { start: hit.segment?.start ?? at, end: hit.segment?.end ?? at, bestTime: at } });
  };

  return (
    <dialog
      ref={dialogRef}
      className="viewer"
      aria-modal="true"
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        close();
      }}
      onKeyDown={onKeyDown}
    >
      <div className={video ? 'viewer-stage is-video' : 'viewer-stage'}>
        {video ? (
          <VideoStage key={hitKey(hit)} hit={hit} onMoment={(at) => (moment.current = at)} />
        ) : (
          <>
            <img className="viewer-placeholder" src={mediaUrl(hit.id, 'thumb')} alt="" aria-hidden="true" />
            <img
              key={hit.id}
              className={`viewer-image${loadedId === hit.id ? ' is-loaded' : ''}`}
              src={mediaUrl(hit.id, 'original')}
              alt={hit.fileName}
              onLoad={() => setLoadedId(hit.id)}
            />
            {photoText.text && loadedId === hit.id && <TextOverlay text={photoText.text} visible={showBoxes} active={activeLine} onHover={setActiveLine} />}
            {d?.live && <LivePhoto photoId={hit.id} kind={d.live.kind} />}
          </>
        )}
        <button type="button" className="viewer-nav prev" onClick={() => go(-1)} disabled={index === 0} aria-label={t('viewer.prev')} title={t('viewer.prev')}>
          <Icon name="chevron-left" />
        </button>
        <button
          type="button"
          className="viewer-nav next"
          onClick={() => go(1)}
          disabled={index >= hits.length - 1}
          aria-label={t('viewer.next')}
          title={t('viewer.next')}
        >
          <Icon name="chevron-right" />
        </button>
      </div>
      <aside className="viewer-info">
        <div className="viewer-head">
          <div className="viewer-titles">
            <h2 id={titleId} className="viewer-title" title={hit.fileName}>
              <FileName name={hit.fileName} />
            </h2>
            <p className="muted small">
              {t('viewer.position', { i: formatCount(index + 1, lang), n: formatCount(hits.length, lang) })}
              {scored && ` · ${t('viewer.score')} ${formatScore(hit.score)}`}
            </p>
          </div>
          <button ref={closeRef} type="button" className="icon-button" onClick={close} aria-label={t('viewer.close')} title={t('viewer.close')}>
            <Icon name="close" />
          </button>
        </div>
        <div className="viewer-actions">
          <button type="button" className="button primary" onClick={similar}>
            <Icon name="sparkle" />
            {video ? t('viewer.similarMoment') : t('viewer.similar')}
          </button>
          {nativeShell && (
            <>
              <button type="button" className="button" onClick={() => void shell('revealPhoto')}>
                <Icon name="folder" />
                {t('viewer.reveal')}
              </button>
              <button type="button" className="button" onClick={() => void shell('openPhoto')}>
                <Icon name="external" />
                {t('viewer.open')}
              </button>
            </>
          )}
        </div>
        {stackPanel?.(hit)}
        {detailError && <p className="inline-error" role="alert">{errorText(detailError, t)}</p>}
        {d?.status === 'skipped' && <p className="inline-error">{t('viewer.skipped', { reason: skipReasonText(d.skipReason, t) })}</p>}
        <dl className="details">
          <dt>{t('viewer.taken')}</dt>
          <dd>{taken ?? unknown}</dd>
          {places.length > 0 && (
            <>
              <dt>{t('viewer.place')}</dt>
              <dd className="viewer-place">
                {places.map((p, i) => (
                  <Fragment key={p.id}>
                    {i > 0 && ' · '}
                    <button type="button" className="link-button" onClick={() => onPlace(p)} title={t('viewer.placeOpen', { name: p.name })}>
                      {p.name}
                    </button>
                  </Fragment>
                ))}
                {places.every((p) => p.fromFolder) && <span className="muted small">{t('viewer.placeFromFolder')}</span>}
              </dd>
            </>
          )}
          <dt>{t('viewer.camera')}</dt>
          <dd>{camera || unknown}</dd>
          {video && (
            <>
              <dt>{t('viewer.duration')}</dt>
              <dd>{formatClock(d?.durationS ?? hit.durationS)}</dd>
            </>
          )}
          <dt>{t('viewer.dimensions')}</dt>
          <dd>{w && h ? `${formatCount(w, lang)} × ${formatCount(h, lang)}` : unknown}</dd>
          <dt>{t('viewer.size')}</dt>
          <dd>{d ? formatBytes(d.size, lang) : '…'}</dd>
          <dt>{t('viewer.folder')}</dt>
          <dd className="path" title={hit.folder}>
            <span className="path-base">{baseName(hit.folder)}</span>
            <span className="path-full">{hit.folder}</span>
          </dd>
          {d?.gps && (
            <>
              <dt>{t('viewer.location')}</dt>
              <dd>
                {d.gps.lat.toFixed(5)}, {d.gps.lon.toFixed(5)}
              </dd>
            </>
          )}
        </dl>
        {!video && <PhotoTextPanel text={photoText.text} error={photoText.error} overlay={showBoxes} onOverlay={setShowBoxes} active={activeLine} onHover={setActiveLine} />}
        {tags.length > 0 && (
          <section className="viewer-tags" aria-label={t('viewer.tags')}>
            <h3 className="section-label">{t('viewer.tags')}</h3>
            <ul className="chips">
              {tags.map((tag) => (
                <li key={tag.name}>
                  <button type="button" className="chip" onClick={() => onTag(tag.name)} title={`${tag.name} · ${formatScore(tag.score)}`}>
                    {tag.name}
                  </button>
                </li>
              ))}
            </ul>
          </section>
        )}
        <p className="viewer-keys muted small" aria-hidden="true">
          {t('viewer.keys')}
        </p>
      </aside>
    </dialog>
  );
}
