/** `search --explain`: what a query was understood to say, as a few readable lines in the CLI's language. */
import type { QueryReading } from '../shared/api.ts';
import { everyWeekdays, everyYearOn } from '../shared/time-words.ts';
import { t } from './i18n.ts';

/** Local date and time without seconds: 2024-12-01 00:00. */
function when(iso: string | null): string {
  if (!iso) return '…';
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}):\d{2}([+-]\d{2}:\d{2})$/.exec(iso);
  return m ? `${m[1]} ${m[2]}` : iso;
}

export function describeReading(r: QueryReading | undefined): string {
  if (!r) return t('search.explain.none');
  const lines: string[] = [];
  if (r.time) {
    const range = r.time.from || r.time.to ? t('search.explain.range', { from: when(r.time.from), to: when(r.time.to) }) : '';
    const hours = r.time.hours ? t('search.explain.hours', { from: r.time.hours.from, to: r.time.hours.to }) : '';
    const days = r.time.weekdays ? t('search.explain.repeats', { text: everyWeekdays(r.time.weekdays, t) }) : '';
    const md = r.time.monthDay ? t('search.explain.repeats', { text: everyYearOn(r.time.monthDay, t) }) : '';
    lines.push(t('search.explain.time', { label: r.time.label, range, hours: `${md}${days}${hours}` }));
  }
  if (r.place) {
    const places = r.place.places.map((p) => `${p.name} ${p.id} (${p.level})`).join('; ');
    lines.push(t('search.explain.place', { name: r.place.name, places, landmark: r.place.source === 'landmark' ? t('search.explain.landmark') : '' }));
  }
  if (r.kind) lines.push(t('search.explain.kind', { kind: r.kind }));
  if (r.camera) {
    const model = r.camera.model ? t('search.explain.model', { model: r.camera.model }) : '';
    lines.push(t('search.explain.camera', { name: r.camera.name, makes: r.camera.makes.join(' / '), model }));
  }
  lines.push(r.remainder ? t('search.explain.words', { words: r.remainder }) : t('search.explain.noWords'));
  return lines.join('\n');
}
