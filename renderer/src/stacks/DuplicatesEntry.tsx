/** The sidebar's way into the duplicates view, with how many groups there are and the space their extra copies take. */
import type { StackKind } from '../../../electron/shared/api.ts';
import { api } from '../api/index.ts';
import { Icon } from '../components/Icon.tsx';
import { formatBytes, formatCount } from '../lib/format.ts';
import { useI18n } from '../lib/i18n.tsx';
import { useApiData } from '../lib/useApi.ts';
import './stacks.css';

const KINDS: readonly StackKind[] = ['exact', 'near', 'burst'];

export function DuplicatesEntry({ version, active, onOpen }: { version: number; active: boolean; onOpen(): void }) {
  const { t, lang } = useI18n();
  const report = useApiData(() => api.duplicates({ kind: 'exact', limit: 1, offset: 0 }), [version]);
  const totals = report.data?.totals;
  // Bursts are shots, not copies: the space figure counts the exact and near copies only.
  const groups = totals ? KINDS.reduce((n, k) => n + totals[k].groups, 0) : 0;
  const extra = totals ? totals.exact.extraBytes + totals.near.extraBytes : 0;
  if (!totals || groups === 0) return null;
  return (
    <section className="panel">
      <button type="button" className={`dup-entry${active ? ' is-active' : ''}`} aria-current={active ? 'page' : undefined} onClick={onOpen}>
        <Icon name="stack" />
        <span className="dup-entry-text">
          <span>{t('dup.open')}</span>
          <span className="muted small">{t('dup.openHint', { n: formatCount(groups, lang), size: formatBytes(extra, lang) })}</span>
        </span>
      </button>
    </section>
  );
}
