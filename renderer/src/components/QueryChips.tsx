/**
 * What the search understood in the query — a time, a place, a kind of file, a camera — as chips
 * under the search box (前年冬天 · 哈尔滨). Removing one searches again with that piece of the
 * query kept as plain words (the request's `plain`), so 哈尔滨 becomes a word to look for instead
 * of a place to narrow to. Landmarks are not shown: they never narrow, they are searched as words.
 */
import type { QueryReading } from '../../../electron/shared/api.ts';
import { everyWeekdays, everyYearOn } from '../../../electron/shared/time-words.ts';
import { useI18n, type T } from '../lib/i18n.tsx';
import { Icon, type IconName } from './Icon.tsx';

type Span = QueryReading['spans'][number];

interface Props {
  parsed: QueryReading;
  onRemove(span: Span): void;
}

const ICONS: Record<Exclude<Span['what'], 'landmark'>, IconName> = { time: 'calendar', place: 'pin', kind: 'image', camera: 'camera' };

/** The last day of a range ending (exclusive) at a local ISO time: its date, or the day before at midnight. */
function lastDay(iso: string): string {
  const [y, m, d] = iso.slice(0, 10).split('-').map(Number) as [number, number, number];
  const midnight = iso.slice(11, 19) === '00:00:00';
  return midnight ? new Date(Date.UTC(y, m - 1, d) - 86_400_000).toISOString().slice(0, 10) : iso.slice(0, 10);
}

/** A chip's label and its longer explanation (the range, the place's full name, the EXIF makes). */
function describe(span: Span, parsed: QueryReading, t: T): { label: string; title: string } {
  switch (span.what) {
    case 'time': {
      const r = parsed.time;
      const day = (iso: string | null | undefined) => (iso ? iso.slice(0, 10) : '…');
      const end = r?.to ? lastDay(r.to) : null;
      const range = r?.from || r?.to ? `${day(r?.from)} – ${end ?? '…'}` : '';
      const hours = r?.hours ? ` ${r.hours.from}:00–${r.hours.to}:00` : '';
      const days = r?.weekdays ? ` ${everyWeekdays(r.weekdays, t)}` : '';
      const md = r?.monthDay ? ` ${everyYearOn(r.monthDay, t)}` : '';
      return { label: span.text, title: `${range}${md}${days}${hours}`.trim() || span.text };
    }
    case 'place':
      return { label: span.text, title: parsed.place?.places.map((p) => p.name).join(' / ') ?? span.text };
    case 'kind':
      return { label: parsed.kind ? t(`chips.kind.${parsed.kind}`) : span.text, title: span.text };
    default:
      return { label: span.text, title: parsed.camera ? `${parsed.camera.makes.join(' / ')}${parsed.camera.model ? ` · ${parsed.camera.model}` : ''}` : span.text };
  }
}

export function QueryChips({ parsed, onRemove }: Props) {
  const { t } = useI18n();
  const spans = parsed.spans.filter((s): s is Span & { what: Exclude<Span['what'], 'landmark'> } => s.what !== 'landmark');
  if (spans.length === 0) return null;
  return (
    <div className="query-chips" role="group" aria-label={t('chips.label')}>
      <span className="muted">{t('chips.intro')}</span>
      <ul className="chips">
        {spans.map((s) => {
          const d = describe(s, parsed, t);
          return (
            <li key={`${s.start}-${s.end}`} className={`chip understood ${s.what}`} title={d.title}>
              <Icon name={ICONS[s.what]} size={14} />
              <span>{d.label}</span>
              <button type="button" className="chip-remove" aria-label={t('chips.remove', { text: s.text })} onClick={() => onRemove(s)}>
                <Icon name="close" size={12} />
              </button>
            </li>
          );
        })}
      </ul>
      <span className="muted query-chips-rest">{parsed.remainder ? t('chips.words', { words: parsed.remainder }) : t('chips.onlyFilter')}</span>
    </div>
  );
}
