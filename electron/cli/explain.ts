/** `search --explain`: what a query was understood to say, as a few readable lines. */
import type { QueryReading } from '../shared/api.ts';

const LEVEL: Record<string, string> = { country: 'country', province: 'province/state', city: 'city', district: 'district' };

/** Local date and time without seconds noise: 2024-12-01 00:00 (+08:00). */
function when(iso: string | null): string {
  if (!iso) return '…';
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}):\d{2}([+-]\d{2}:\d{2})$/.exec(iso);
  return m ? `${m[1]} ${m[2]}` : iso;
}

export function describeReading(r: QueryReading | undefined): string {
  if (!r) return 'understood: nothing (the whole query is searched as words)';
  const lines: string[] = [];
  if (r.time) {
    const hours = r.time.hours ? `, hours ${r.time.hours.from}–${r.time.hours.to}` : '';
    const range = r.time.from || r.time.to ? ` = ${when(r.time.from)} … ${when(r.time.to)} (end exclusive)` : '';
    lines.push(`time:   ${r.time.label}${range}${hours}`);
  }
  if (r.place) {
    const all = r.place.places.map((p) => `${p.name} ${p.id} (${LEVEL[p.level] ?? p.level})`).join('; ');
    lines.push(`place:  ${r.place.name} → ${all}${r.place.source === 'landmark' ? ' — a landmark: kept as words, not a filter' : ''}`);
  }
  if (r.kind) lines.push(`kind:   ${r.kind}`);
  if (r.camera) lines.push(`camera: ${r.camera.name} → make ${r.camera.makes.join(' / ')}${r.camera.model ? `, model contains ${r.camera.model}` : ''}`);
  lines.push(r.remainder ? `words:  ${r.remainder}` : 'words:  (none: the photos above, newest first)');
  return lines.join('\n');
}
