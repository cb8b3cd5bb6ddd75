/**
 * What the main area shows with no query: the library itself. Two ways to browse it — the
 * Timeline (every photo by month, newest first; the suggestions and the album strip scroll above
 * it) and Places (country → province → city) — both within the filters chosen in the bar.
 * Photos opened from the timeline get their own viewer; a place opens as a list (onPlace).
 */
import { useCallback, useMemo, useState } from 'react';
import type { AlbumSummary, PhotoFilter, PhotoHit, PlaceSummary, TagInfo } from '../../../electron/shared/api.ts';
import { api } from '../api/index.ts';
import { toCallError, type ApiCallError } from '../api/errors.ts';
import { HomeView } from '../components/HomeView.tsx';
import { PhotoViewer } from '../components/PhotoViewer.tsx';
import { useI18n } from '../lib/i18n.tsx';
import { useApiData } from '../lib/useApi.ts';
import { PlacesView } from './PlacesView.tsx';
import { Timeline } from './Timeline.tsx';
import '../when-where.css';

type Tab = 'timeline' | 'places';
const TAB_KEY = 'shiguang.homeTab';

interface Props {
  albums: AlbumSummary[] | null;
  tags: TagInfo[] | null;
  filter: PhotoFilter;
  /** Changes when the library changed (an index run finished, an edit): lists reload. */
  version: string;
  nativeShell: boolean;
  onSuggestion(text: string): void;
  onAlbum(album: AlbumSummary): void;
  onTag(name: string): void;
  onPlace(place: Pick<PlaceSummary, 'id' | 'name'>): void;
  onSimilar(hit: PhotoHit): void;
  onError(e: ApiCallError): void;
}

function storedTab(): Tab {
  try {
    return sessionStorage.getItem(TAB_KEY) === 'places' ? 'places' : 'timeline';
  } catch {
    return 'timeline';
  }
}

export function HomeScreen({ albums, tags, filter: given, version, nativeShell, onSuggestion, onAlbum, onTag, onPlace, onSimilar, onError }: Props) {
  const { t } = useI18n();
  const [tab, setTabState] = useState<Tab>(storedTab);
  const [viewer, setViewer] = useState<{ hits: PhotoHit[]; index: number } | null>(null);
  const filterKey = JSON.stringify(given);
  // One object per filter (not per render): the timeline starts over when it changes.
  const filter = useMemo(() => JSON.parse(filterKey) as PhotoFilter, [filterKey]);
  const timeline = useApiData(() => api.timeline({ filter }), [filterKey, version]);
  const places = useApiData(() => (tab === 'places' ? api.places({ filter }) : Promise.resolve(null)), [filterKey, version, tab]);
  const reportError = useCallback((e: unknown) => onError(toCallError(e)), [onError]);
  const setTab = (next: Tab) => {
    setTabState(next);
    try {
      sessionStorage.setItem(TAB_KEY, next);
    } catch {
      // Not kept; the choice still applies now.
    }
  };

  return (
    <div className="home-screen">
      <div className="home-tabs" role="group" aria-label={t('home.tabs')}>
        {(['timeline', 'places'] as const).map((x) => (
          <button key={x} type="button" className={`home-tab${tab === x ? ' active' : ''}`} aria-pressed={tab === x} onClick={() => setTab(x)}>
            {t(x === 'timeline' ? 'home.tab.timeline' : 'home.tab.places')}
          </button>
        ))}
      </div>
      {tab === 'timeline' ? (
        <Timeline
          timeline={timeline.data}
          filter={filter}
          header={<HomeView albums={albums} tags={tags} onSuggestion={onSuggestion} onAlbum={onAlbum} onTag={onTag} />}
          onOpen={(hits, index) => setViewer({ hits, index })}
          onError={reportError}
        />
      ) : (
        <div className="places-scroll">
          <PlacesView places={places.data} onOpen={onPlace} />
        </div>
      )}
      <PhotoViewer
        hits={viewer?.hits ?? []}
        index={viewer?.index ?? null}
        nativeShell={nativeShell}
        onIndex={(i) => setViewer((v) => (v ? { ...v, index: i } : v))}
        onClose={() => setViewer(null)}
        onSimilar={(hit) => {
          setViewer(null);
          onSimilar(hit);
        }}
        onTag={(name) => {
          setViewer(null);
          onTag(name);
        }}
        onPlace={(place) => {
          setViewer(null);
          onPlace(place);
        }}
        onError={onError}
        scored={false}
      />
    </div>
  );
}
