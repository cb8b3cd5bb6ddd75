/**
 * The viewer's part about stacks: on a photo that stands for a stack, what it stands for and
 * "show all"; inside an opened stack, "make cover" and "not the same photo" (kept by content:
 * renames, re-indexing and model switches remember them).
 */
import type { PhotoHit } from '../../../electron/shared/api.ts';
import { Icon } from '../components/Icon.tsx';
import { formatCount } from '../lib/format.ts';
import { useI18n } from '../lib/i18n.tsx';

interface Props {
  hit: PhotoHit;
  /** The viewer shows an opened stack's photos. */
  inStack: boolean;
  onOpen(hit: PhotoHit): void;
  onCover(hit: PhotoHit): void;
  onSeparate(hit: PhotoHit): void;
}

export function StackPanel({ hit, inStack, onOpen, onCover, onSeparate }: Props) {
  const { t, lang } = useI18n();
  const stack = hit.stack;
  if (!stack) return null;
  const n = formatCount(stack.size, lang);
  const kind = t(`stack.kind.${stack.kind}`);
  if (!inStack) {
    return (
      <section className="viewer-stack" aria-label={t('stack.title', { kind, n })}>
        <p className="small">{t('stack.inStack', { n, kind })}</p>
        <button type="button" className="button" onClick={() => onOpen(hit)}>
          <Icon name="stack" />
          {t('stack.open', { n })}
        </button>
      </section>
    );
  }
  return (
    <section className="viewer-stack" aria-label={t('stack.title', { kind, n })}>
      <div className="viewer-stack-actions">
        {stack.coverId === hit.id ? (
          <span className="stack-cover-mark">
            <Icon name="check" size={16} />
            {t('stack.isCover')}
          </span>
        ) : (
          <button type="button" className="button" onClick={() => onCover(hit)}>
            {t('stack.makeCover')}
          </button>
        )}
        {stack.kind !== 'exact' && (
          <button type="button" className="button" onClick={() => onSeparate(hit)}>
            {t('stack.separate')}
          </button>
        )}
      </div>
      <p className="muted small">{stack.kind === 'exact' ? t('stack.exactHint') : t('stack.separateHint')}</p>
    </section>
  );
}
