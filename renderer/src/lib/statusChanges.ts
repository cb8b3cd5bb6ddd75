/**
 * When the lists the UI shows (albums, tags, folders, results) must be reloaded, from two
 * successive status polls. An indexing run that ended is one reason — but a run short enough to
 * start and finish between two polls (a few photos, a fast machine, a poll every 5 s) is never
 * seen running, and its albums would then not appear until something else reloaded them. So the
 * engine's `libraryGeneration` counts every pass and tagging that changed what lists show, and any
 * change of it reloads them too.
 */
import type { EngineStatus } from '../../../electron/shared/api.ts';

export interface SeenStatus {
  running: boolean;
  generation: number | undefined;
}

export function seen(s: EngineStatus): SeenStatus {
  return { running: s.progress.running, generation: s.libraryGeneration };
}

/** True when `next` says the lists changed since `prev` (null: the first poll, nothing to compare). */
export function listsChanged(prev: SeenStatus | null, next: EngineStatus): boolean {
  if (!prev) return false;
  if (prev.running && !next.progress.running) return true;
  return next.libraryGeneration !== undefined && next.libraryGeneration !== prev.generation;
}
