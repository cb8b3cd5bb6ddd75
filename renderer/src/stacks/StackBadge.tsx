/**
 * The mark on a tile that stands for a stack — copies of one photo, or a burst: how many photos it
 * holds. Clicking it opens the stack (so does the viewer's "show all" for keyboard users: the
 * badge is not a tab stop, the grid keeps one roving stop per cell).
 */
import type { PhotoHit } from '../../../electron/shared/api.ts';
import { Icon } from '../components/Icon.tsx';
import { formatCount } from '../lib/format.ts';
import { useI18n } from '../lib/i18n.tsx';
import './stacks.css';

export function StackBadge({ hit, onOpen }: { hit: PhotoHit; onOpen(hit: PhotoHit): void }) {
  const { t, lang } = useI18n();
  if (!hit.stack) return null;
  const n = formatCount(hit.stack.size, lang);
  const label = t('stack.badgeLabel', { kind: t(`stack.kind.${hit.stack.kind}`), n });
  return (
    <button type="button" className={`stack-badge stack-${hit.stack.kind}`} tabIndex={-1} aria-label={label} title={label} onClick={() => onOpen(hit)}>
      <Icon name="stack" size={14} />
      {t('stack.badge', { n })}
    </button>
  );
}

/** Inside an opened stack: which photo is shown for it. */
export function CoverMark({ hit }: { hit: PhotoHit }) {
  const { t } = useI18n();
  if (!hit.stack || hit.stack.coverId !== hit.id) return null;
  return (
    <span className="stack-badge stack-cover" title={t('stack.isCover')}>
      <Icon name="check" size={14} />
      {t('stack.cover')}
    </span>
  );
}
