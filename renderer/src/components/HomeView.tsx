/** What the main area shows with no query: album cards per folder (each with its cover photo; opening one lists its photos) and a few things to try. */
import type { AlbumSummary, TagInfo } from '../../../electron/shared/api.ts';
import { mediaUrl } from '../api/index.ts';
import { baseName, formatCount } from '../lib/format.ts';
import { useI18n } from '../lib/i18n.tsx';
import { Icon } from './Icon.tsx';
import { tagLabel } from './TagsPanel.tsx';

interface Props {
  albums: AlbumSummary[] | null;
  tags: TagInfo[] | null;
  onSuggestion(text: string): void;
  onAlbum(album: AlbumSummary): void;
  onTag(name: string): void;
}

const FALLBACK_SUGGESTIONS = ['红色的花', '海边的日落', '雪山', '猫'];
const ON_THIS_DAY = '那年今日';

export function HomeView({ albums, tags, onSuggestion, onAlbum, onTag }: Props) {
  const { t, lang } = useI18n();
  // Suggest what this library actually contains: its most common tags.
  const fromTags = [...(tags ?? [])]
    .filter((x) => x.photoCount > 0)
    .sort((a, b) => b.photoCount - a.photoCount)
    .slice(0, 6)
    .map((x) => x.name);
  // 那年今日 first: the photos of this day in earlier years, one click, whatever the library holds.
  const suggestions = [ON_THIS_DAY, ...(fromTags.length >= 3 ? fromTags : FALLBACK_SUGGESTIONS)];
  return (
    <div className="home">
      <div className="home-hero">
        <p className="home-hint">{t('home.hint')}</p>
        <div className="suggestions">
          <span className="muted">{t('home.try')}</span>
          {suggestions.map((s) => (
            <button key={s} type="button" className="chip" onClick={() => onSuggestion(s)}>
              <Icon name="search" size={14} />
              {s}
            </button>
          ))}
        </div>
      </div>
      <h2 className="section-title">{t('home.title')}</h2>
      {albums && albums.length === 0 && <p className="muted">{t('home.albumsEmpty')}</p>}
      {albums && albums.length > 0 && (
        <ul className="album-grid">
          {albums.map((a) => (
            <li key={a.folder} className="album-card">
              <button
                type="button"
                className="album-main"
                onClick={() => onAlbum(a)}
                aria-label={t('album.open', { title: a.title, n: formatCount(a.photoCount, lang) })}
              >
                {a.cover !== null ? (
                  <img className="album-cover" src={mediaUrl(a.cover, 'thumb')} alt="" loading="lazy" decoding="async" draggable={false} />
                ) : (
                  <span className="album-cover album-cover-empty" aria-hidden="true" title={t('album.noCover')}>
                    <Icon name="image" size={28} />
                  </span>
                )}
                <span className="album-title" title={a.title}>
                  {a.title}
                </span>
                <span className="album-meta">
                  {t('album.count', { n: formatCount(a.photoCount, lang) })} · <span title={a.folder}>{baseName(a.folder)}</span>
                </span>
              </button>
              {a.tags.length > 0 && (
                <ul className="chips album-tags">
                  {a.tags.slice(0, 5).map((tag) => (
                    <li key={tag.name}>
                      <button type="button" className="chip small" onClick={() => onTag(tag.name)}>
                        {tagLabel({ name: tag.name, nameEn: tags?.find((x) => x.name === tag.name)?.nameEn ?? null }, lang)}
                      </button>
                    </li>
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
