/**
 * The home screen's timeline: every photo the filter selects, by month, newest first. Its height
 * comes from the month counts (library.timeline), so it is right before any photo is loaded;
 * only the rows in view (plus a few) exist in the DOM, and a month's photos are loaded when its
 * rows come into view — smooth at 100k photos. `header` scrolls with it (the album strip).
 */
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { PhotoFilter, PhotoHit, Timeline as TimelineData } from '../../../electron/shared/api.ts';
import { mediaUrl } from '../api/index.ts';
import { formatCount } from '../lib/format.ts';
import { computeGridLayout } from '../lib/gridLayout.ts';
import { useElementWidth } from '../lib/useElementWidth.ts';
import { useI18n } from '../lib/i18n.tsx';
import { neededPerMonth, timelineRows } from '../lib/timelineRows.ts';
import { useMonthPhotos } from './useMonthPhotos.ts';

interface Props {
  timeline: TimelineData | null;
  filter: PhotoFilter;
  header: ReactNode;
  /** A photo was opened: the loaded photos of its month, and its index among them. */
  onOpen(hits: PhotoHit[], index: number): void;
  onError(e: unknown): void;
}

const GAP = 6;
const MIN_CELL = 132;
const MONTH_ROW = 44;
const NO_MONTHS: TimelineData['months'] = [];

export function Timeline({ timeline, filter, header, onOpen, onError }: Props) {
  const { t, lang } = useI18n();
  const scrollRef = useRef<HTMLDivElement>(null);
  const sizerRef = useRef<HTMLDivElement>(null);
  const width = useElementWidth(sizerRef);
  const layout = computeGridLayout(width, MIN_CELL, GAP);
  const months = timeline?.months ?? NO_MONTHS;
  const rows = useMemo(() => timelineRows(months, layout.columns, true), [months, layout.columns]);
  const photos = useMonthPhotos(timeline, filter, onError);
  const monthName = useMemo(() => new Intl.DateTimeFormat(lang, { year: 'numeric', month: 'long' }), [lang]);

  // The header's height is followed here (not by the virtualiser's own measuring, whose cache every
  // measure() below clears), so the first month starts right under it.
  const [headerHeight, setHeaderHeight] = useState(360);
  const headerObserver = useRef<ResizeObserver | null>(null);
  const headerRef = useCallback((el: HTMLDivElement | null) => {
    headerObserver.current?.disconnect();
    headerObserver.current = null;
    if (!el) return;
    const ro = new ResizeObserver(() => setHeaderHeight(Math.ceil(el.getBoundingClientRect().height)));
    ro.observe(el);
    headerObserver.current = ro;
  }, []);

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => (rows[i]?.kind === 'header' ? headerHeight : rows[i]?.kind === 'month' ? MONTH_ROW : layout.rowHeight),
    overscan: 4,
  });
  useLayoutEffect(() => {
    virtualizer.measure();
  }, [layout.rowHeight, rows, headerHeight, virtualizer]);

  const items = virtualizer.getVirtualItems();
  const visible = items.map((v) => v.index);
  const counts = useMemo(() => months.map((m) => m.photos), [months]);
  const visibleKey = visible.join(',');
  useEffect(() => {
    photos.want(neededPerMonth(rows, visible, layout.columns, counts));
    // visibleKey stands for visible.
  }, [visibleKey, rows, layout.columns, counts, photos]);

  return (
    <div className="grid-scroll timeline-scroll" ref={scrollRef}>
      <div className="grid-sizer" ref={sizerRef} style={{ height: virtualizer.getTotalSize() }}>
        {width > 0 &&
          items.map((v) => {
            const row = rows[v.index]!;
            const style = { transform: `translateY(${v.start}px)` };
            if (row.kind === 'header') {
              return (
                <div key={v.key} className="timeline-header" ref={headerRef} style={style}>
                  {header}
                  {timeline && months.length === 0 && <p className="muted timeline-note">{t('timeline.empty')}</p>}
                  {!timeline && <p className="muted timeline-note">{t('timeline.loading')}</p>}
                </div>
              );
            }
            const m = months[row.month]!;
            if (row.kind === 'month') {
              const [y, mo] = m.month.split('-').map(Number) as [number, number];
              return (
                <h3 key={v.key} className="timeline-month" style={{ ...style, height: MONTH_ROW }}>
                  {t('timeline.month', { month: monthName.format(new Date(y, mo - 1, 1)), n: formatCount(m.photos, lang) })}
                </h3>
              );
            }
            const hits = photos.hitsOf(row.month);
            const n = Math.min(layout.columns, m.photos - row.first);
            return (
              <div
                key={v.key}
                role="list"
                aria-label={m.month}
                className="grid-row timeline-row"
                style={{ ...style, height: layout.cellSize, gridTemplateColumns: `repeat(${layout.columns}, ${layout.cellSize}px)`, gridTemplateRows: `${layout.cellSize}px`, columnGap: GAP }}
              >
                {Array.from({ length: n }, (_, j) => {
                  const i = row.first + j;
                  const hit = hits[i];
                  return (
                    <div role="listitem" key={hit?.id ?? `p${i}`} className="cell">
                      {hit ? (
                        <button type="button" className="thumb" data-photo-id={hit.id} aria-label={hit.fileName} title={hit.fileName} onClick={() => onOpen(hits, i)}>
                          <img src={mediaUrl(hit.id, 'thumb')} alt="" loading="lazy" decoding="async" draggable={false} />
                        </button>
                      ) : (
                        <span className="thumb placeholder" aria-hidden="true" />
                      )}
                    </div>
                  );
                })}
              </div>
            );
          })}
      </div>
      {timeline && timeline.undated > 0 && <p className="muted timeline-note">{t('timeline.undated', { n: formatCount(timeline.undated, lang) })}</p>}
    </div>
  );
}
