/**
 * The Places view: where the library's photos were taken, country → province → city, with photo
 * counts and a cover (a photo taken there). Opening a place lists its photos (browse with
 * filter.place), within the filters chosen in the bar.
 */
import type { PlaceSummary } from '../../../electron/shared/api.ts';
import { mediaUrl } from '../api/index.ts';
import { formatCount } from '../lib/format.ts';
import { useI18n } from '../lib/i18n.tsx';
import { Icon } from '../components/Icon.tsx';

interface Props {
  places: PlaceSummary[] | null;
  onOpen(place: PlaceSummary): void;
}

export function PlacesView({ places, onOpen }: Props) {
  const { t, lang } = useI18n();
  if (!places) return <p className="loading-line">{t('places.loading')}</p>;
  if (places.length === 0) return <p className="muted places-empty">{t('places.empty')}</p>;
  const label = (p: PlaceSummary) => t('places.open', { name: p.name, n: formatCount(p.photos, lang) });
  return (
    <div className="places" role="region" aria-label={t('places.label')}>
      <p className="muted places-note">{t('places.note')}</p>
      {places.map((country) => (
        <section key={country.id} className="places-country">
          <h3 className="places-country-title">
            <button type="button" className="link-button" onClick={() => onOpen(country)} aria-label={label(country)}>
              <Icon name="pin" size={16} />
              {country.name}
            </button>
            <span className="muted">{t('places.count', { n: formatCount(country.photos, lang) })}</span>
          </h3>
          <ul className="places-grid">
            {country.children.map((province) => (
              <li key={province.id} className="place-card">
                <button type="button" className="place-cover" onClick={() => onOpen(province)} aria-label={label(province)}>
                  <img src={mediaUrl(province.cover, 'thumb')} alt="" loading="lazy" decoding="async" draggable={false} />
                  <span className="place-name">{province.name}</span>
                  <span className="place-count">{formatCount(province.photos, lang)}</span>
                </button>
                {province.children.length > 0 && (
                  <ul className="chips place-cities">
                    {province.children.map((city) => (
                      <li key={city.id}>
                        <button type="button" className="chip small" onClick={() => onOpen(city)} aria-label={label(city)}>
                          {city.name}
                          <span className="muted">{formatCount(city.photos, lang)}</span>
                        </button>
                      </li>
                    ))}
                  </ul>
                )}
              </li>
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}
