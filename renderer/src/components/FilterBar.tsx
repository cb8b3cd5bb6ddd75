/** Folder, date-taken range, tag and kind (photos / videos) filters; they apply to search, similar and dropped-image results. */
import { useId } from 'react';
import type { TagInfo, WatchedFolder } from '../../../electron/shared/api.ts';
import { baseName } from '../lib/format.ts';
import { emptyFilters, hasActiveFilters, type FilterState } from '../lib/filters.ts';
import { useI18n } from '../lib/i18n.tsx';
import { tagLabel } from './TagsPanel.tsx';

interface Props {
  filters: FilterState;
  folders: WatchedFolder[];
  tags: TagInfo[];
  /** The tag filter does not apply while browsing a tag. */
  tagDisabled: boolean;
  onChange(next: FilterState): void;
}

export function FilterBar({ filters, folders, tags, tagDisabled, onChange }: Props) {
  const { t, lang } = useI18n();
  const id = useId();
  const set = (patch: Partial<FilterState>) => onChange({ ...filters, ...patch });
  // Two watched folders can share a last segment; show full paths only then.
  const baseCounts = new Map<string, number>();
  for (const f of folders) baseCounts.set(baseName(f.path), (baseCounts.get(baseName(f.path)) ?? 0) + 1);
  const folderLabel = (p: string) => ((baseCounts.get(baseName(p)) ?? 0) > 1 ? p : baseName(p));
  const sortedTags = [...tags].sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'));
  return (
    <div className="filter-bar" role="group" aria-label={t('filters.label')}>
      <div className="filter">
        <label htmlFor={`${id}-folder`}>{t('filters.folder')}</label>
        <select id={`${id}-folder`} className="select" value={filters.folder} onChange={(e) => set({ folder: e.target.value })}>
          <option value="">{t('filters.allFolders')}</option>
          {/* An album can be a subfolder of a watched folder: keep it selectable. */}
          {filters.folder && !folders.some((f) => f.path === filters.folder) && (
            <option value={filters.folder}>{baseName(filters.folder)}</option>
          )}
          {folders.map((f) => (
            <option key={f.id} value={f.path} title={f.path}>
              {folderLabel(f.path)}
            </option>
          ))}
        </select>
      </div>
      <div className="filter">
        <label htmlFor={`${id}-from`}>{t('filters.from')}</label>
        <input
          id={`${id}-from`}
          className="date-input"
          type="date"
          value={filters.from}
          max={filters.to || undefined}
          onChange={(e) => set({ from: e.target.value })}
        />
        <label htmlFor={`${id}-to`}>{t('filters.to')}</label>
        <input
          id={`${id}-to`}
          className="date-input"
          type="date"
          value={filters.to}
          min={filters.from || undefined}
          onChange={(e) => set({ to: e.target.value })}
        />
      </div>
      <div className="filter">
        <label htmlFor={`${id}-tag`}>{t('filters.tag')}</label>
        <select
          id={`${id}-tag`}
          className="select"
          value={filters.tag}
          disabled={tagDisabled}
          onChange={(e) => set({ tag: e.target.value })}
        >
          <option value="">{t('filters.allTags')}</option>
          {sortedTags.map((tag) => (
            <option key={tag.name} value={tag.name}>
              {tagLabel(tag, lang)}
            </option>
          ))}
        </select>
      </div>
      <div className="filter">
        <label htmlFor={`${id}-kind`}>{t('filters.kind')}</label>
        <select id={`${id}-kind`} className="select" value={filters.kind} onChange={(e) => set({ kind: e.target.value as FilterState['kind'] })}>
          <option value="">{t('filters.allKinds')}</option>
          <option value="photo">{t('filters.photos')}</option>
          <option value="video">{t('filters.videos')}</option>
        </select>
      </div>
      <label className="filter filter-check">
        <input type="checkbox" checked={filters.everyCopy} onChange={(e) => set({ everyCopy: e.target.checked })} />
        {t('filters.everyCopy')}
      </label>
      {hasActiveFilters(filters) && (
        <button type="button" className="link-button small" onClick={() => onChange(emptyFilters)}>
          {t('filters.clear')}
        </button>
      )}
    </div>
  );
}
