/**
 * The text read in a photo (OCR), in the viewer: boxes drawn over the photo with the recognised
 * text laid invisibly into each box, so it can be selected and copied right where it is, and the
 * same lines listed in the side panel with a "copy all" button. Hovering a line marks its box.
 */
import { useEffect, useState } from 'react';
import type { PhotoText, PhotoTextLine } from '../../../electron/shared/api.ts';
import { api } from '../api/index.ts';
import { toCallError, type ApiCallError } from '../api/errors.ts';
import { useI18n } from '../lib/i18n.tsx';
import { skipReasonText } from '../lib/skipReasons.ts';
import { errorText } from './ErrorState.tsx';
import { Icon } from './Icon.tsx';

export function usePhotoText(photoId: number | null): { text: PhotoText | null; error: ApiCallError | null } {
  const [text, setText] = useState<PhotoText | null>(null);
  const [error, setError] = useState<ApiCallError | null>(null);
  useEffect(() => {
    if (photoId === null) return;
    let live = true;
    setText(null);
    setError(null);
    api.photoText({ photoId }).then(
      (t) => live && setText(t),
      (e: unknown) => live && setError(toCallError(e)),
    );
    return () => {
      live = false;
    };
  }, [photoId]);
  return { text: text && text.photoId === photoId ? text : null, error };
}

/** Angle, length and height of a line's box: the text runs from its top-left to top-right corner. */
function lineFrame(l: PhotoTextLine): { x: number; y: number; w: number; h: number; deg: number } {
  const [tl, tr, , bl] = l.box;
  const w = Math.hypot(tr[0] - tl[0], tr[1] - tl[1]);
  const h = Math.hypot(bl[0] - tl[0], bl[1] - tl[1]);
  return { x: tl[0], y: tl[1], w, h, deg: (Math.atan2(tr[1] - tl[1], tr[0] - tl[0]) * 180) / Math.PI };
}

/** Over the photo, in its pixel coordinates: the SVG scales exactly like the <img> (contain). */
export function TextOverlay({ text, visible, active, onHover }: { text: PhotoText; visible: boolean; active: number | null; onHover(i: number | null): void }) {
  const { t } = useI18n();
  if (!text.width || !text.height || text.lines.length === 0) return null;
  return (
    <svg
      className={`text-overlay${visible ? '' : ' is-hidden'}`}
      viewBox={`0 0 ${text.width} ${text.height}`}
      preserveAspectRatio="xMidYMid meet"
      role="group"
      aria-label={t('ocr.overlay')}
    >
      {text.lines.map((l, i) => {
        const f = lineFrame(l);
        return (
          <g key={i} className={`text-box${active === i ? ' is-active' : ''}`} onMouseEnter={() => onHover(i)} onMouseLeave={() => onHover(null)}>
            <polygon points={l.box.map((p) => p.join(',')).join(' ')} />
            <text
              x={f.x}
              y={f.y + f.h / 2}
              transform={`rotate(${f.deg.toFixed(2)} ${f.x} ${f.y})`}
              fontSize={Math.max(1, f.h * 0.8)}
              textLength={Math.max(1, f.w)}
              lengthAdjust="spacingAndGlyphs"
              dominantBaseline="central"
            >
              {l.text}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

export function PhotoTextPanel({
  text,
  error,
  overlay,
  onOverlay,
  active,
  onHover,
}: {
  text: PhotoText | null;
  error: ApiCallError | null;
  overlay: boolean;
  onOverlay(v: boolean): void;
  active: number | null;
  onHover(i: number | null): void;
}) {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  useEffect(() => setCopied(false), [text?.photoId]);
  if (error) return <p className="inline-error">{errorText(error, t)}</p>;
  if (!text) return null;
  const all = text.lines.map((l) => l.text).join('\n');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(all);
      setCopied(true);
    } catch {
      // No clipboard permission (an insecure context): the lines stay selectable below.
      setCopied(false);
    }
  };
  const note =
    text.state === 'pending' ? t('ocr.pending') : text.state === 'off' ? t('ocr.off') : text.state === 'failed' ? t('ocr.failed', { reason: skipReasonText(text.error, t) }) : text.lines.length === 0 ? t('ocr.none') : null;
  return (
    <section className="viewer-text" aria-label={t('ocr.title')}>
      <div className="viewer-text-head">
        <h3 className="section-label">{t('ocr.title')}</h3>
        {text.lines.length > 0 && (
          <div className="viewer-text-actions">
            <label className="toggle small">
              <input type="checkbox" checked={overlay} onChange={(e) => onOverlay(e.target.checked)} />
              {t('ocr.showBoxes')}
            </label>
            <button type="button" className="button small" onClick={() => void copy()}>
              <Icon name={copied ? 'check' : 'copy'} size={15} />
              {copied ? t('ocr.copied') : t('ocr.copyAll')}
            </button>
          </div>
        )}
      </div>
      {note && <p className="muted small">{note}</p>}
      {text.lines.length > 0 && (
        <ol className="text-lines">
          {text.lines.map((l, i) => (
            <li key={i} className={active === i ? 'is-active' : undefined} onMouseEnter={() => onHover(i)} onMouseLeave={() => onHover(null)} title={t('ocr.confidence', { p: Math.round(l.confidence * 100) })}>
              {l.text}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
