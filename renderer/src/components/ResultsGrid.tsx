/**
 * The virtualised thumbnail grid. Only the rows in view (plus a few) exist in the DOM, so 100k
 * results cost the same as 100. Rows of N square cells, N from the available width.
 *
 * Keyboard: one roving tab stop (the active cell); arrows / Home / End / PageUp / PageDown move it,
 * scrolling the target row into view first because it may not be rendered yet.
 *
 * A search's list ends after its relevant photos: the weaker rest waits behind a button below the
 * grid ("显示更多相关度较低的照片"), and once shown each weaker tile is marked as such.
 */
import { useEffect, useImperativeHandle, useLayoutEffect, useRef, useState } from 'react';
import type { KeyboardEvent, Ref } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { PhotoHit } from '../../../electron/shared/api.ts';
import { mediaUrl } from '../api/index.ts';
import { computeGridLayout, moveInGrid, rowCount } from '../lib/gridLayout.ts';
import { formatClock, momentText } from '../lib/format.ts';
import { hitScore, isWeaker } from '../lib/relevance.ts';
import '../relevance.css';
import { isUnderRoots } from '../lib/offline.ts';
import { useElementWidth } from '../lib/useElementWidth.ts';
import { useI18n, type T } from '../lib/i18n.tsx';
import { Icon } from './Icon.tsx';
import { CoverMark, StackBadge } from '../stacks/StackBadge.tsx';

export interface ResultsGridHandle {
  focusIndex(index: number): void;
}

interface Props {
  hits: PhotoHit[];
  /** A new list (not a longer page of the same one): scroll back to the top. */
  listKey: string;
  hasMore: boolean;
  onEndReached(): void;
  onOpen(index: number): void;
  label: string;
  /** Library folders that are away: their photos are still shown, marked offline. */
  offlineRoots?: readonly string[];
  /** false for lists without a query (an album, a tag, a place): no similarity to show. */
  scored?: boolean;
  /** Tiles that stand for a stack carry its badge, which opens it (absent: inside an opened stack, whose cover is marked instead). */
  onOpenStack?(hit: PhotoHit): void;
  /** The relevant photos are all here and weaker ones can be shown: the button below the grid. */
  weakerAvailable?: boolean;
  /** What the weaker rest may hold, for the button's words (photos, videos, or both). */
  weakerWord?: 'photos' | 'videos' | 'items';
  onShowWeaker?(): void;
  loading?: boolean;
  ref?: Ref<ResultsGridHandle>;
}

const GAP = 10;
const MIN_CELL = 168;

export function ResultsGrid({ hits, listKey, hasMore, onEndReached, onOpen, label, offlineRoots = [], scored = true, onOpenStack, weakerAvailable = false, weakerWord = 'photos', onShowWeaker, loading = false, ref }: Props) {
  const { t } = useI18n();
  const scrollRef = useRef<HTMLDivElement>(null);
  const sizerRef = useRef<HTMLDivElement>(null);
  const width = useElementWidth(sizerRef);
  const [active, setActive] = useState(0);
  const layout = computeGridLayout(width, MIN_CELL, GAP);
  const rows = rowCount(hits.length, layout.columns);

  const virtualizer = useVirtualizer({
    count: rows,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => layout.rowHeight,
    overscan: 3,
  });

  // Before paint: one frame laid out with the old row pitch draws rows over one another.
  useLayoutEffect(() => {
    virtualizer.measure();
  }, [layout.rowHeight, virtualizer]);

  useEffect(() => {
    scrollRef.current?.scrollTo({ top: 0 });
    setActive(0);
  }, [listKey]);

  useEffect(() => {
    if (active > hits.length - 1) setActive(Math.max(0, hits.length - 1));
  }, [hits.length, active]);

  const items = virtualizer.getVirtualItems();
  const lastRow = items.length > 0 ? items[items.length - 1]!.index : -1;
  useEffect(() => {
    if (hasMore && lastRow >= rows - 3) onEndReached();
  }, [hasMore, lastRow, rows, onEndReached]);

  const pendingFocus = useRef<number | null>(null);
  const focusIndex = (index: number) => {
    if (hits.length === 0) return;
    const i = Math.max(0, Math.min(hits.length - 1, index));
    setActive(i);
    virtualizer.scrollToIndex(Math.floor(i / layout.columns), { align: 'auto' });
    pendingFocus.current = i;
    // The row may only be rendered after the scroll lands; try for a few frames.
    let tries = 0;
    const attempt = () => {
      if (pendingFocus.current !== i) return;
      const el = sizerRef.current?.querySelector<HTMLButtonElement>(`button[data-index="${i}"]`);
      if (el) {
        el.focus({ preventScroll: false });
        pendingFocus.current = null;
      } else if (tries++ < 20) {
        requestAnimationFrame(attempt);
      }
    };
    requestAnimationFrame(attempt);
  };

  useImperativeHandle(ref, () => ({ focusIndex }));

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const target = e.target as HTMLElement;
    const idx = Number(target.dataset.index);
    if (!Number.isInteger(idx)) return;
    const pageRows = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 0) / layout.rowHeight) - 1);
    const next = moveInGrid(e.key, idx, hits.length, layout.columns, pageRows);
    if (next === null) return;
    e.preventDefault();
    if (next !== idx) focusIndex(next);
  };

  return (
    <div className="grid-scroll" ref={scrollRef}>
      <div
        className="grid-sizer"
        ref={sizerRef}
        role="list"
        aria-label={label}
        onKeyDown={onKeyDown}
        style={{ height: virtualizer.getTotalSize() }}
      >
        {width > 0 &&
          items.map((row) => {
            const start = row.index * layout.columns;
            const cells = hits.slice(start, start + layout.columns);
            return (
              <div
                key={row.key}
                role="none"
                className="grid-row"
                style={{
                  transform: `translateY(${row.start}px)`,
                  height: layout.cellSize,
                  gridTemplateColumns: `repeat(${layout.columns}, ${layout.cellSize}px)`,
                  gridTemplateRows: `${layout.cellSize}px`,
                  columnGap: GAP,
                }}
              >
                {cells.map((hit, j) => {
                  const i = start + j;
                  const score = hitScore(hit);
                  const offline = isUnderRoots(hit.path, offlineRoots);
                  const weaker = isWeaker(hit);
                  // The first weaker tile says where the relevant ones ended.
                  const firstWeaker = weaker && (i === 0 || !isWeaker(hits[i - 1]!));
                  const video = hit.kind === 'video';
                  const label = scored || video ? hitLabel(hit, score, t) : hit.fileName;
                  return (
                    <div role="listitem" key={hitKey(hit)} aria-setsize={hits.length} aria-posinset={i + 1} className="cell">
                      <button
                        type="button"
                        className={['thumb', video ? 'is-video' : '', offline ? 'offline' : '', weaker ? 'weaker' : ''].filter(Boolean).join(' ')}
                        data-index={i}
                        data-photo-id={hit.id}
                        data-kind={hit.kind ?? 'photo'}
                        tabIndex={i === active ? 0 : -1}
                        aria-label={offline ? t('hit.offlineLabel', { label }) : label}
                        title={scored ? `${hit.fileName} · ${scoreLabel(score, t)}${weaker ? ` · ${t('hit.weaker')}` : ''}` : hit.fileName}
                        onClick={() => onOpen(i)}
                        onFocus={() => setActive(i)}
                      >
                        {/* A video segment shows the frame it matched on; a video without one, its poster. */}
                        <img src={thumbUrl(hit)} alt="" loading="lazy" decoding="async" draggable={false} />
                        {hit.matchedText && <TextMatch text={hit.matchedText} />}
                        {offline && <span className="badge thumb-offline">{t('hit.offline')}</span>}
                        {firstWeaker && <span className="badge thumb-weaker">{t('results.weakerStart')}</span>}
                        {video && <VideoBadge hit={hit} />}
                        <span className="thumb-overlay" aria-hidden="true">
                          <span className="thumb-name">{hit.fileName}</span>
                          {scored && <span className="thumb-score">{score.relevance ? t('hit.relevance', { pct: score.text }) : score.text}</span>}
                        </span>
                      </button>
                      {onOpenStack ? <StackBadge hit={hit} onOpen={onOpenStack} /> : <CoverMark hit={hit} />}
                    </div>
                  );
                })}
              </div>
            );
          })}
      </div>
      {weakerAvailable && onShowWeaker && (
        <div className="show-weaker">
          <button type="button" className="button" disabled={loading} onClick={onShowWeaker}>
            {t(`results.showWeaker.${weakerWord}`)}
          </button>
        </div>
      )}
    </div>
  );
}

/** One list can hold a video several times (once per matching segment). */
export function hitKey(hit: PhotoHit): string {
  return hit.segment ? `${hit.id}@${hit.segment.start}` : String(hit.id);
}

function thumbUrl(hit: PhotoHit): string {
  return hit.segment ? mediaUrl(hit.id, 'frame', Math.round(hit.segment.bestTime * 1000)) : mediaUrl(hit.id, 'thumb');
}

/** "相关度 90%" for a search's hit, "相似度 0.31" where the list has no relevance. */
function scoreLabel(score: ReturnType<typeof hitScore>, t: T): string {
  return score.relevance ? t('hit.relevance', { pct: score.text }) : `${t('viewer.score')} ${score.text}`;
}

function hitLabel(hit: PhotoHit, { text: score, relevance }: ReturnType<typeof hitScore>, t: T): string {
  if (hit.kind === 'video') {
    if (hit.segment) {
      const when = { name: hit.fileName, from: formatClock(hit.segment.start), to: formatClock(hit.segment.end) };
      return relevance ? t('hit.labelVideoRelevance', { ...when, pct: score }) : t('hit.labelVideo', { ...when, score });
    }
    return t('hit.labelVideoPlain', { name: hit.fileName, duration: formatClock(hit.durationS) });
  }
  if (relevance) {
    return hit.matchedText ? t('hit.labelRelevanceText', { name: hit.fileName, pct: score, text: hit.matchedText.text }) : t('hit.labelRelevance', { name: hit.fileName, pct: score });
  }
  return hit.matchedText ? t('hit.labelText', { name: hit.fileName, score, text: hit.matchedText.text }) : t('hit.label', { name: hit.fileName, score });
}

/** A video tile: its length, and the part that matched. */
function VideoBadge({ hit }: { hit: PhotoHit }) {
  return (
    <>
      <span className="video-length" aria-hidden="true">
        <Icon name="play" size={12} />
        {formatClock(hit.durationS)}
      </span>
      {hit.segment && (
        <span className="video-moment" aria-hidden="true">
          {momentText(hit.segment.start, hit.segment.end)}
        </span>
      )}
    </>
  );
}

/** The line a text match came from, shortened around the match, the match marked. */
function TextMatch({ text }: { text: { text: string; start: number; end: number } }) {
  const before = text.text.slice(Math.max(0, text.start - 6), text.start);
  const after = text.text.slice(text.end, text.end + 12);
  return (
    <span className="thumb-text" aria-hidden="true">
      {text.start > 6 && '…'}
      {before}
      <mark>{text.text.slice(text.start, text.end)}</mark>
      {after}
      {text.end + 12 < text.text.length && '…'}
    </span>
  );
}
