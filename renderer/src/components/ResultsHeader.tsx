/**
 * The line above the results: title, back button, how many photos (for a search: how many match,
 * not how many the library holds), timing, and any limit on the list.
 */
import type { SearchRelevance } from '../../../electron/shared/api.ts';
import type { ResultsState, Mode } from '../lib/useApi.ts';
import { countWhat, relevantWhat, type CountContext, type CountWhat } from '../lib/count-what.ts';
import { formatCount } from '../lib/format.ts';
import { useI18n, type T } from '../lib/i18n.tsx';
import type { Lang } from '../lib/messages.ts';
import { Icon } from './Icon.tsx';

const LIMIT_MESSAGES = {
  'index-building': 'results.limit.index-building',
  'sqlite-only': 'results.limit.sqlite-only',
  'in-transaction': 'results.limit.in-transaction',
} as const satisfies Record<NonNullable<ResultsState['limit']>['reason'], string>;

export interface HeaderProps {
  mode: Exclude<Mode, { kind: 'home' | 'duplicates' }>;
  /** The items loaded so far (what they are decides the words: photos, video clips, both). */
  hits: readonly { kind?: 'photo' | 'video'; relevant?: boolean }[];
  hasMore: boolean;
  /** The library holds videos; the list is restricted to one kind. */
  kinds: Omit<CountContext, 'allLoaded'>;
  /** Photos matching the filters, when the engine counted them. */
  matched: number | null;
  /** The list stops short of every match: said in the header. */
  limit: ResultsState['limit'];
  loading: boolean;
  timing: { textMs: number; searchMs: number } | null;
  tagName: string;
  /** The last request failed: the error state says so; a count of 0 would mislead. */
  failed: boolean;
  /** A search ranked by relevance: the count said is how many match. */
  relevance?: SearchRelevance | null;
  /** The weaker hits are shown below the relevant ones. */
  showingWeaker?: boolean;
  onBack(): void;
}

export function ResultsHeader({ mode, hits, hasMore, kinds, matched, limit, loading, timing, tagName, failed, relevance = null, showingWeaker = false, onBack }: HeaderProps) {
  const { t, lang } = useI18n();
  let title: string;
  switch (mode.kind) {
    case 'text':
      title = t('results.query', { q: mode.query });
      break;
    case 'similar':
      title = t('results.similarTo', { name: mode.fileName });
      break;
    case 'image':
      title = t(mode.picked ? 'results.similarToImageFile' : 'results.similarToImage', { name: mode.fileName });
      break;
    case 'tag':
      title = t('results.tag', { tag: tagName });
      break;
    case 'stack':
      title = t('stack.title', { kind: t(`stack.kind.${mode.stack.kind}`), n: formatCount(mode.stack.size, lang) });
      break;
    case 'place':
      title = t('results.place', { name: mode.name });
      break;
    case 'album':
      title = t('results.album', { title: mode.title });
      break;
  }
  // A place opened from another place's page goes back there; the rest back to the search or home.
  const backTo = mode.kind === 'text' ? null : mode.kind === 'place' && mode.parent ? mode.parent.name : mode.backTo;
  const count = hits.length;
  const n = formatCount(count, lang);
  const what = countWhat(hits, { ...kinds, allLoaded: !hasMore });
  return (
    <div className="results-header">
      {mode.kind !== 'text' && (
        <button type="button" className="button ghost small" onClick={onBack}>
          <Icon name="arrow_left" size={16} />
          {backTo ? t('results.back', { q: backTo }) : t('results.home')}
        </button>
      )}
      <h2 className="results-title" aria-live="polite">
        {title}
      </h2>
      <span className="results-meta muted">
        {loading && count === 0 && !relevance
          ? t('results.loading')
          : failed
            ? null
            : relevance
              ? relevanceCount(relevance, relevantWhat(hits, hasMore, showingWeaker, kinds), showingWeaker, lang, t)
              : listCount(what, n, hasMore ? matched : null, hasMore, lang, t)}
        {!failed && timing && <> · {t('results.timing', { ms: formatCount(Math.round(timing.textMs + timing.searchMs), lang) })}</>}
      </span>
      {limit && !failed && (
        <span className="results-limit" role="status">
          {t(LIMIT_MESSAGES[limit.reason], { max: formatCount(limit.maxResults, lang) })}
        </span>
      )}
    </div>
  );
}

/** A list's length in the words of what it holds: "前 40 项，共 120 项符合", "3 张照片、2 段视频". */
function listCount(what: CountWhat, n: string, matched: number | null, hasMore: boolean, lang: Lang, t: T): string {
  if (what.what === 'mixed') return t('results.count.mixed', { photos: formatCount(what.photos, lang), videos: formatCount(what.videos, lang) });
  if (matched !== null) return t(`results.countOf.${what.what}`, { n, total: formatCount(matched, lang) });
  return t(hasMore ? `results.countMore.${what.what}` : `results.count.${what.what}`, { n });
}

/** How many photos match: the relevance boundary's count, "at least" when the list went on past the window. */
function relevanceCount(r: SearchRelevance, what: CountWhat, showingWeaker: boolean, lang: Lang, t: T): string {
  const n = formatCount(r.relevant, lang);
  // Counted by kind only when the loaded relevant items are exactly the relevant count.
  const mixed = what.what === 'mixed' && r.complete && what.photos + what.videos === r.relevant ? what : null;
  const word = what.what === 'mixed' ? 'items' : what.what;
  if (showingWeaker) {
    return mixed
      ? t('results.relevantPlusWeaker.mixed', { photos: formatCount(mixed.photos, lang), videos: formatCount(mixed.videos, lang) })
      : t(`results.relevantPlusWeaker.${word}`, { n });
  }
  if (r.relevant === 0) return t(`results.noneRelevant.${word}`);
  if (mixed) return t('results.relevant.mixed', { photos: formatCount(mixed.photos, lang), videos: formatCount(mixed.videos, lang) });
  return r.complete ? t(`results.relevant.${word}`, { n }) : t(`results.relevantAtLeast.${word}`, { n });
}
