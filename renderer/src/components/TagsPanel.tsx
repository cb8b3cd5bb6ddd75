/** Tag browser (tags with photo counts → photos with that tag) and custom tag entry. */
import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import type { TagInfo } from '../../../electron/shared/api.ts';
import { formatCount } from '../lib/format.ts';
import { useI18n } from '../lib/i18n.tsx';
import type { Lang } from '../lib/messages.ts';
import { Icon } from './Icon.tsx';
import { fitsLimit, InputLimit } from './InputLimit.tsx';
import { MAX_TAG_NAME_LENGTH } from '../../../electron/shared/contract/limits.ts';

const COLLAPSED = 24;

export function tagLabel(tag: Pick<TagInfo, 'name' | 'nameEn'>, lang: Lang): string {
  return lang === 'en' && tag.nameEn ? tag.nameEn : tag.name;
}

interface Props {
  tags: TagInfo[] | null;
  activeTag: string | null;
  onOpen(name: string): void;
  onAdd(name: string): Promise<boolean>;
  onRemove(name: string): Promise<void>;
}

export function TagsPanel({ tags, activeTag, onOpen, onAdd, onRemove }: Props) {
  const { t, lang } = useI18n();
  const [expanded, setExpanded] = useState(false);
  const [draft, setDraft] = useState('');
  const [busy, setBusy] = useState(false);
  const inputId = useId();
  const limitId = useId();
  const fits = fitsLimit(draft, MAX_TAG_NAME_LENGTH);

  // The vocabulary is large; a tag no photo carries is noise in the browser (custom ones stay removable).
  const sorted = (tags ?? []).filter((x) => x.photoCount > 0 || x.custom).sort((a, b) => b.photoCount - a.photoCount || a.name.localeCompare(b.name, 'zh-CN'));
  const shown = expanded ? sorted : sorted.slice(0, COLLAPSED);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const name = draft.trim();
    if (!name || !fits) return;
    setBusy(true);
    try {
      if (await onAdd(name)) setDraft('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel" aria-labelledby="tags-title">
      <h2 id="tags-title" className="panel-title">
        {t('tags.title')}
      </h2>
      {tags && sorted.length === 0 && <p className="muted small panel-note">{t('tags.empty')}</p>}
      {shown.length > 0 && (
        <ul className="tag-list">
          {shown.map((tag) => (
            <li key={tag.name} className={`tag-item${tag.custom ? ' is-custom' : ''}`}>
              <button
                type="button"
                className="tag-button"
                aria-pressed={activeTag === tag.name}
                aria-label={t('tags.openLabel', { name: tagLabel(tag, lang), n: formatCount(tag.photoCount, lang) })}
                title={tag.custom ? `${tag.name} · ${t('tags.custom')}` : tag.familyName ? tag.familyName[lang === 'zh-CN' ? 'zh' : 'en'] : tag.family}
                onClick={() => onOpen(tag.name)}
              >
                <span className="tag-name">{tagLabel(tag, lang)}</span>
                <span className="tag-count">{formatCount(tag.photoCount, lang)}</span>
              </button>
              {tag.custom && (
                <button
                  type="button"
                  className="tag-remove"
                  aria-label={t('tags.removeLabel', { name: tag.name })}
                  title={t('tags.removeLabel', { name: tag.name })}
                  onClick={() => void onRemove(tag.name)}
                >
                  <Icon name="close" size={12} />
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {sorted.length > COLLAPSED && (
        <button type="button" className="link-button small" aria-expanded={expanded} onClick={() => setExpanded((x) => !x)}>
          {expanded ? t('tags.showLess') : t('tags.showAll', { n: formatCount(sorted.length, lang) })}
        </button>
      )}
      <form className="add-tag" onSubmit={(e) => void submit(e)}>
        <label htmlFor={inputId} className="field-label">
          {t('tags.addLabel')}
        </label>
        <div className="input-row">
          <input
            id={inputId}
            className="text-input"
            type="text"
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            placeholder={t('tags.addPlaceholder')}
            autoComplete="off"
            aria-invalid={!fits}
            aria-describedby={fits ? undefined : limitId}
          />
          <button type="submit" className="button" disabled={busy || draft.trim() === '' || !fits}>
            <Icon name="tag" size={16} />
            {t('tags.add')}
          </button>
        </div>
        <InputLimit value={draft} max={MAX_TAG_NAME_LENGTH} message="tags.tooLong" id={limitId} />
      </form>
    </section>
  );
}
