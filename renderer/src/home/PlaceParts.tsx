/**
 * On a place's page, the places within it where the library has photos: a country's provinces, a
 * province's cities, a city's districts (which the Places view does not list). Each opens its own
 * page, so a person can go from 中国 down to 雁塔区 without typing. Within the filters in the bar.
 */
import type { PhotoFilter, PlaceSummary } from '../../../electron/shared/api.ts';
import { api } from '../api/index.ts';
import { formatCount } from '../lib/format.ts';
import { useI18n } from '../lib/i18n.tsx';
import { useApiData } from '../lib/useApi.ts';
import { Icon } from '../components/Icon.tsx';

interface Props {
  placeId: string;
  name: string;
  /** The filters chosen in the bar (the place itself is added here). */
  filter: PhotoFilter;
  /** Bumped when the library changed: the list is read again. */
  version: number;
  onOpen(place: PlaceSummary): void;
}

export function PlaceParts({ placeId, name, filter, version, onOpen }: Props) {
  const { t, lang } = useI18n();
  const key = JSON.stringify(filter);
  const tree = useApiData(() => api.places({ filter: { ...filter, place: [placeId] }, depth: 4 }), [placeId, key, version]);
  const parts = tree.data ? (findPlace(tree.data, placeId)?.children ?? []) : [];
  if (parts.length === 0) return null;
  return (
    <div className="place-parts" role="group" aria-label={t('places.within', { name })}>
      <Icon name="pin" size={14} />
      <ul className="chips">
        {parts.map((p) => (
          <li key={p.id}>
            <button type="button" className="chip small" onClick={() => onOpen(p)} aria-label={t('places.open', { name: p.name, n: formatCount(p.photos, lang) })}>
              {p.name}
              <span className="muted">{formatCount(p.photos, lang)}</span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The node of this place in the tree (the tree holds its ancestors above it). */
export function findPlace(tree: readonly PlaceSummary[], id: string): PlaceSummary | null {
  for (const p of tree) {
    if (p.id === id) return p;
    const inner = findPlace(p.children, id);
    if (inner) return inner;
  }
  return null;
}
