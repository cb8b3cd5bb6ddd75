/** The pure parts of "有新的结果" (useFreshness.ts): when the library moved, and whether a list changed. */
import type { EngineStatus, PhotoHit } from '../../../electron/shared/api.ts';

/** Enough of the list to tell whether it changed where a person looks: its top. */
export const COMPARE = 100;

/** Whether a list request's body is this probe (its first COMPARE photos, no cursor): tests tell it from a person's search. */
export function isFreshnessProbe(body: { limit?: unknown; cursor?: unknown }): boolean {
  return body.limit === COMPARE && body.cursor === undefined;
}

/** What moves when the library's answers can have changed: photos indexed, per-photo passes done. */
export function libraryStamp(s: EngineStatus | null): string {
  if (!s) return '';
  const passes = s.passes.map((p) => `${p.name}:${p.done}`).join(',');
  return `${s.counts.indexed}|${s.libraryGeneration ?? ''}|${passes}`;
}

/** True when the first `n` ids differ (order included): the person would see other photos. */
export function differentTop(shown: readonly Pick<PhotoHit, 'id'>[], fresh: readonly Pick<PhotoHit, 'id'>[], n = COMPARE): boolean {
  const a = shown.slice(0, n);
  const b = fresh.slice(0, n);
  return a.length !== b.length || a.some((h, i) => h.id !== b[i]!.id);
}
