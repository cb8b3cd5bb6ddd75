/**
 * The app shell: header with search, library + tags side panel, filters and results, the viewer,
 * drag-and-drop search and notices. Owns the "what is being shown" state (Mode + filters).
 */
import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import type { AlbumSummary, Capabilities, ModelChoice, PhotoHit, PlaceSummary, WatchedFolder } from '../../electron/shared/api.ts';
import { api, capabilities, transportKind } from './api/index.ts';
import { toCallError, type ApiCallError } from './api/errors.ts';
import { ErrorState, errorText } from './components/ErrorState.tsx';
import { DamagedLibrary } from './components/DamagedLibrary.tsx';
import { FilterBar } from './components/FilterBar.tsx';
import { HomeScreen } from './home/HomeScreen.tsx';
import { QueryChips } from './components/QueryChips.tsx';
import { PlaceParts } from './home/PlaceParts.tsx';
import { Icon, Logo } from './components/Icon.tsx';
import { LibraryPanel } from './components/LibraryPanel.tsx';
import { ModelChooser } from './components/ModelChooser.tsx';
import { Notices, useNotices } from './components/Notices.tsx';
import { PhotoViewer } from './components/PhotoViewer.tsx';
import { HeaderActions } from './components/HeaderActions.tsx';
import { ResultsGrid, type ResultsGridHandle } from './components/ResultsGrid.tsx';
import { ResultsHeader } from './components/ResultsHeader.tsx';
import { SettingsDialog } from './components/SettingsDialog.tsx';
import { StateMessage } from './components/States.tsx';
import { TagsPanel, tagLabel } from './components/TagsPanel.tsx';
import { ImageSearchButton } from './components/ImageSearchButton.tsx';
import { FreshResults } from './components/FreshResults.tsx';
import { useImageDrop, type DropFailure } from './components/useImageDrop.ts';
import { emptyFilters, hasActiveFilters, toPhotoFilter, type FilterState } from './lib/filters.ts';
import { baseName } from './lib/format.ts';
import { useI18n } from './lib/i18n.tsx';
import { useApiData, useEngineStatus, useResults, type Mode } from './lib/useApi.ts';
import { barFilters, filterBarChange } from './lib/filterBarTags.ts';
import { libraryStamp } from './lib/freshness.ts';
import { listKindsOf, noneWord } from './lib/count-what.ts';
import { useFreshness } from './lib/useFreshness.ts';
import { useImeSearch } from './search/useImeSearch.ts';
import { useSlashFocus } from './search/useSlashFocus.ts';
import { queryFits, SearchLimit } from './components/SearchLimit.tsx';
import { DuplicatesEntry } from './stacks/DuplicatesEntry.tsx';
import { DuplicatesView } from './stacks/DuplicatesView.tsx';
import { StackPanel } from './stacks/StackPanel.tsx';
import { useStackActions } from './stacks/useStackActions.ts';

export function App() {
  const { t, lang, setLang } = useI18n();
  const [caps, setCaps] = useState<Capabilities>({ nativeShell: false, transport: transportKind, services: [] });
  useEffect(() => {
    void capabilities.then(setCaps);
  }, []);

  const { notices, push, dismiss } = useNotices();
  const reportError = useCallback((e: ApiCallError) => push('error', errorText(e, t)), [push, t]);

  const engine = useEngineStatus();
  const [edits, bumpEdits] = useReducer((x: number) => x + 1, 0);
  // Lists and results reload after our own edits and whenever an index run finishes.
  const version = edits + engine.finishedRuns;
  // Lists also reload when the serving model changes (first model chosen, a switch finished).
  const servingModel = engine.status?.model?.id ?? null;
  // Folder photo counts move while indexing: follow the indexed count (polled ~1 s while running).
  const folders = useApiData(() => api.listFolders({}), [version, servingModel, engine.status?.counts.indexed]);
  const tags = useApiData(() => api.listTags({}), [version, servingModel]);
  const albums = useApiData(() => api.albums({}), [version, servingModel]);
  /** The model chooser: forced on first run (no model), or opened from settings ("change model"). */
  const [choosingModel, setChoosingModel] = useState(false);
  const [settingsOpen, setSettingsOpen] = useState(false);

  const [mode, setMode] = useState<Mode>({ kind: 'home' });
  const [filters, setFilters] = useState<FilterState>(emptyFilters);
  const results = useResults(mode, filters, version);
  const [viewerIndex, setViewerIndex] = useState<number | null>(null);
  const gridRef = useRef<ResultsGridHandle>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const dropCounter = useRef(0);

  const search = useImeSearch((q) => {
    // Over the contract's limit: the box says so (SearchLimit) and nothing is sent.
    if (!queryFits(q)) return;
    setViewerIndex(null);
    setMode(q ? { kind: 'text', query: q } : { kind: 'home' });
  });
  const { setValueSilently } = search;

  /** The text query to offer "back" to when leaving text search for similar / tag / image. */
  const backTarget = (m: Mode): string | null => (m.kind === 'text' ? m.query : m.kind === 'home' ? null : m.backTo);

  const switchMode = useCallback(
    (make: (backTo: string | null) => Mode) => {
      setViewerIndex(null);
      setMode((m) => make(backTarget(m)));
      // The search box shows the text query only; other modes have their own header.
      setValueSilently('');
    },
    [setValueSilently],
  );

  const openTag = useCallback((tag: string) => switchMode((backTo) => ({ kind: 'tag', tag, backTo })), [switchMode]);
  const similarTo = useCallback(
    (hit: PhotoHit) => switchMode((backTo) => ({ kind: 'similar', photoId: hit.id, at: hit.segment?.bestTime, fileName: hit.fileName, backTo })),
    [switchMode],
  );

  const stacks = useStackActions({ mode, switchMode, setMode, closeViewer: () => setViewerIndex(null), edited: bumpEdits, info: (m) => push('info', m), error: reportError });
  const openPlace = (p: Pick<PlaceSummary, 'id' | 'name'>) => switchMode((backTo) => ({ kind: 'place', placeId: p.id, name: p.name, backTo }));
  /** A chip removed: search again with that piece of the query kept as words. */
  const keepAsWords = (span: { start: number; end: number }) =>
    setMode((m) => (m.kind === 'text' ? { ...m, plain: [...(m.plain ?? []), { start: span.start, end: span.end }] } : m));

  const goBack = () => {
    if (mode.kind === 'text' || mode.kind === 'home') return;
    if (mode.kind === 'place' && mode.parent) return setMode(mode.parent);
    const q = mode.backTo;
    setMode(q ? { kind: 'text', query: q } : { kind: 'home' });
    setValueSilently(q ?? '');
    searchRef.current?.focus();
  };

  const runSuggestion = (text: string) => {
    setValueSilently(text);
    setMode({ kind: 'text', query: text });
  };

  /** An image dropped on the window or picked with the image-search button: photos like it. */
  const searchByImage = (picked: boolean) => (fileName: string, dataBase64: string) =>
    switchMode((backTo) => ({ kind: 'image', dropId: ++dropCounter.current, fileName, dataBase64, backTo, picked }));
  const imageFailed = (why: DropFailure) => push('error', t(why === 'notImage' ? 'drop.notImage' : why === 'tooLarge' ? 'drop.tooLarge' : 'drop.readError'));
  const dragging = useImageDrop(
    searchByImage(false),
    imageFailed,
    // Dropping an image searches: not while the model chooser is shown.
    !(engine.status !== null && engine.status.model === null) && !choosingModel,
  );

  const addPaths = async (paths: string[]) => {
    for (const path of paths) {
      try {
        const f = await api.addFolder({ path });
        push('info', t('library.added', { path: f.path }));
      } catch (e) {
        reportError(toCallError(e));
      }
    }
    bumpEdits();
    engine.refresh();
  };

  const removeFolder = async (f: WatchedFolder) => {
    try {
      await api.removeFolder({ folderId: f.id });
      push('info', t('library.removed', { path: f.path }));
      if (filters.folder === f.path) setFilters((x) => ({ ...x, folder: '' }));
    } catch (e) {
      reportError(toCallError(e));
    }
    bumpEdits();
    engine.refresh();
  };

  const addTag = async (name: string): Promise<boolean> => {
    try {
      const tag = await api.addCustomTag({ name });
      push('info', t('tags.added', { name: tag.name }));
      tags.reload();
      return true;
    } catch (e) {
      reportError(toCallError(e));
      return false;
    }
  };

  const removeTag = async (name: string) => {
    try {
      await api.removeTag({ name });
      push('info', t('tags.removed', { name }));
      if (mode.kind === 'tag' && mode.tag === name) setMode({ kind: 'home' });
      if (filters.tag === name) setFilters((x) => ({ ...x, tag: '' }));
      tags.reload();
      albums.reload();
    } catch (e) {
      reportError(toCallError(e));
    }
  };

  /** An album card opens the album's photos as a list (a way back in the header). */
  const openAlbum = (a: AlbumSummary) => switchMode((backTo) => ({ kind: 'album', folder: a.folder, title: a.title, backTo }));

  /** The filter bar's tag list opens a tag at home (lib/filterBarTags.ts); in a search it filters. */
  const changeFilters = (next: FilterState) => {
    const change = filterBarChange(mode, filters, next);
    setFilters(change.filters);
    if (change.open) openTag(change.open);
    else if (change.back) goBack();
  };

  useSlashFocus(searchRef);

  const status = engine.status;
  const noModel = status !== null && status.model === null;
  const showChooser = noModel || choosingModel;

  const modelUsed = (m: ModelChoice) => {
    setChoosingModel(false);
    // The first model is ready at once; a switch re-encodes in the background (old model serves).
    push('info', !status?.model ? t('models.used', { name: m.name }) : t('models.switchStarted', { name: m.name }));
    bumpEdits();
    engine.refresh();
  };
  const folderList = folders.data ?? [];
  const tagList = tags.data ?? [];
  const indexed = status?.counts.indexed ?? 0;
  const listKinds = listKindsOf(status?.videos, filters.kind, mode.kind === 'text' ? results.parsed?.kind : null);
  /** What an empty list, or the weaker rest behind "show more", could hold: its words. */
  const restWord = noneWord(listKinds);
  const libraryEmpty = folders.data !== null && folderList.length === 0 && indexed === 0;
  const unreachable = !status && engine.error && (engine.error.code === 'NETWORK' || engine.error.code === 'UNAUTHORIZED');
  const folderHint = filters.folder ? t('album.searchIn', { title: baseName(filters.folder) }) : t('search.placeholder');
  // Results that indexing or text reading has changed since they were loaded: "有新的结果".
  const fresh = useFreshness(mode, filters, results.hits, libraryStamp(status), results.loading || results.error !== null, results.retry);

  const retryAll = () => {
    engine.refresh();
    bumpEdits();
    results.retry();
  };

  let main;
  if (showChooser) {
    main = null;
  } else if (unreachable) {
    main = <ErrorState error={engine.error!} onRetry={retryAll} t={t} />;
  } else if (!status && engine.error?.code === 'LIBRARY_DAMAGED') {
    main = <DamagedLibrary error={engine.error} t={t} onInfo={(m) => push('info', m)} onError={reportError} onDone={retryAll} />;
  } else if (mode.kind === 'home') {
    if (libraryEmpty) {
      main = <StateMessage icon="folder" title={t('empty.library.title')} body={t('empty.library.body')} />;
    } else if (indexed === 0 && status?.progress.running) {
      main = <StateMessage icon="image" title={t('empty.indexing.title')} body={t('empty.indexing.body')} />;
    } else {
      main = (
        <HomeScreen
          {...{ albums: albums.data, tags: tags.data, filter: toPhotoFilter(filters), version: `${version}|${servingModel}`, nativeShell: caps.nativeShell }}
          {...{ onSuggestion: runSuggestion, onAlbum: openAlbum, onTag: openTag, onPlace: openPlace, onSimilar: similarTo, onError: reportError }}
        />
      );
    }
  } else if (mode.kind === 'duplicates') {
    main = <DuplicatesView nativeShell={caps.nativeShell} version={version} onBack={goBack} onOpenStack={(stack, fileName) => setMode({ kind: 'stack', stack, fileName, backTo: mode.backTo })} onError={reportError} />;
  } else if (results.error) {
    main = <ErrorState error={results.error} onRetry={results.retry} t={t} />;
  } else if (results.hits.length > 0) {
    main = (
      <>
        {fresh.stale && <FreshResults onShow={fresh.show} />}
        <ResultsGrid
          ref={gridRef}
          hits={results.hits}
          listKey={results.listKey}
          hasMore={results.hasMore}
          onEndReached={results.loadMore}
          onOpen={setViewerIndex}
          label={t('results.label')}
          offlineRoots={engine.status?.offlineFolders?.map((f) => f.path)}
          scored={mode.kind !== 'album' && mode.kind !== 'tag' && mode.kind !== 'place'}
          onOpenStack={mode.kind === 'stack' ? undefined : stacks.openStack}
          weakerAvailable={results.weakerAvailable}
          weakerWord={restWord}
          onShowWeaker={results.showWeaker}
          loading={results.loading}
        />
      </>
    );
  } else if (results.loading) {
    main = <p className="loading-line">{t('results.loading')}</p>;
  } else if (results.weakerAvailable) {
    // Nothing stands out for this search: say so, and offer the weaker matches.
    main = (
      <StateMessage icon="search" title={t(`results.noneRelevant.${restWord}`)} body={t('results.noneRelevantHint')}>
        <button type="button" className="button" onClick={results.showWeaker}>
          {t(`results.showWeaker.${restWord}`)}
        </button>
      </StateMessage>
    );
  } else {
    main = (
      <StateMessage
        icon="search"
        title={mode.kind === 'text' ? t('empty.noResults.title', { q: mode.query }) : t('empty.noResults.titlePlain')}
        body={t('empty.noResults.body')}
      >
        {hasActiveFilters(filters) && (
          <button type="button" className="button" onClick={() => setFilters(emptyFilters)}>
            {t('filters.clear')}
          </button>
        )}
      </StateMessage>
    );
  }

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        {t('skip.toResults')}
      </a>
      <header className="app-header">
        <div className="brand">
          <Logo />
          <div className="brand-text">
            <h1 className="brand-name">拾光</h1>
            <span className="brand-tagline">{t('app.tagline')}</span>
          </div>
        </div>
        {showChooser ? (
          <div />
        ) : (
          <div className="search-area" role="search">
            <div className="search-wrap">
              <Icon name="search" />
              <input
                ref={searchRef}
                className="search-input"
                type="search"
                aria-label={t('search.label')}
                placeholder={folderHint}
                autoComplete="off"
                spellCheck={false}
                enterKeyHint="search"
                aria-invalid={!queryFits(search.value.trim())}
                aria-describedby={queryFits(search.value.trim()) ? undefined : 'search-limit'}
                {...search.inputProps}
              />
              <SearchLimit value={search.value} id="search-limit" />
              <kbd className="search-kbd" title={t('search.shortcut')}>
                /
              </kbd>
            </div>
            <ImageSearchButton onImage={searchByImage(true)} onFailure={imageFailed} />
          </div>
        )}
        <HeaderActions lang={lang} onLang={setLang} onSettings={() => setSettingsOpen(true)} />
      </header>
      {showChooser ? (
        <main id="main" className="chooser-main" tabIndex={-1}>
          <ModelChooser firstRun={noModel} onUsed={modelUsed} onBack={noModel ? undefined : () => setChoosingModel(false)} />
        </main>
      ) : (
        <div className="app-body">
          <aside className="sidebar">
            <LibraryPanel
              status={status}
              statusError={engine.error}
              folders={folders.data}
              nativeShell={caps.nativeShell}
              onAddPaths={addPaths}
              onRemove={removeFolder}
              onError={reportError}
            />
            <DuplicatesEntry version={version} active={mode.kind === 'duplicates'} onOpen={stacks.openDuplicates} />
            <TagsPanel tags={tags.data} activeTag={mode.kind === 'tag' ? mode.tag : null} onOpen={openTag} onAdd={addTag} onRemove={removeTag} />
          </aside>
          <main id="main" className="main" tabIndex={-1}>
            {!libraryEmpty && !unreachable && mode.kind !== 'duplicates' && mode.kind !== 'stack' && (
              <FilterBar
                filters={barFilters(mode, filters)}
                folders={folderList}
                tags={tagList}
                tagDisabled={false}
                onChange={changeFilters}
              />
            )}
            {mode.kind === 'text' && results.parsed && <QueryChips parsed={results.parsed} onRemove={keepAsWords} />}
            {mode.kind !== 'home' && mode.kind !== 'duplicates' && !unreachable && (
              <ResultsHeader
                mode={mode}
                hits={results.hits}
                hasMore={results.hasMore}
                kinds={listKinds}
                matched={results.matched}
                limit={results.limit}
                loading={results.loading}
                timing={results.timing}
                failed={results.error !== null}
                relevance={results.relevance}
                showingWeaker={results.showingWeaker}
                onBack={goBack}
                tagName={mode.kind === 'tag' ? tagLabel({ name: mode.tag, nameEn: tagList.find((x) => x.name === mode.tag)?.nameEn ?? null }, lang) : ''}
              />
            )}
            {mode.kind === 'place' && <PlaceParts placeId={mode.placeId} name={mode.name} filter={toPhotoFilter(filters)} version={version} onOpen={(p) => setMode((m) => (m.kind === 'place' ? { kind: 'place', placeId: p.id, name: p.name, backTo: m.backTo, parent: m } : m))} />}
            <div className="main-content">{main}</div>
          </main>
        </div>
      )}
      <PhotoViewer
        hits={results.hits}
        index={viewerIndex}
        nativeShell={caps.nativeShell}
        onIndex={setViewerIndex}
        onClose={(i) => {
          setViewerIndex(null);
          gridRef.current?.focusIndex(i);
        }}
        onSimilar={similarTo}
        onTag={openTag}
        onPlace={openPlace}
        onError={reportError}
        scored={mode.kind !== 'album' && mode.kind !== 'tag' && mode.kind !== 'place'}
        stackPanel={(hit) => <StackPanel hit={hit} inStack={mode.kind === 'stack'} onOpen={stacks.openStack} onCover={stacks.chooseCover} onSeparate={stacks.separate} />}
      />
      {dragging && (
        <div className="drop-overlay" aria-hidden="true">
          <div className="drop-card">
            <Icon name="image" size={40} />
            <p>{t('drop.title')}</p>
          </div>
        </div>
      )}
      {settingsOpen && (
        <SettingsDialog
          model={status?.model ?? null}
          onClose={() => setSettingsOpen(false)}
          onChangeModel={() => {
            setSettingsOpen(false);
            setViewerIndex(null);
            setChoosingModel(true);
          }}
          onSaved={() => {
            setSettingsOpen(false);
            push('info', t('settings.saved'));
            engine.refresh();
            // The results on screen follow the settings (where they end).
            bumpEdits();
          }}
        />
      )}
      <Notices notices={notices} dismiss={dismiss} dismissLabel={t('notice.dismiss')} />
    </div>
  );
}
