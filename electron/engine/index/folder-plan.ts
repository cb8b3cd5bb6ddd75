/**
 * What indexing or adding typed folders does to the library's roots (library/folder-input.ts has
 * the rules): every folder is checked before anything is written, so one refused folder adds
 * nothing; a folder holding library folders takes them over (their photos keep everything); a
 * folder inside one is either refused (adding a folder in the app) or stands for that library
 * folder (`index ~/Pictures/2023` re-checks ~/Pictures: a stat-only pass).
 */
import {
  alreadyIncluded,
  checkFolderReadable,
  holdsOffline,
  expandFolderInput,
  placeFolder,
  type FolderInputOptions,
  type LibraryRoot,
} from '../library/folder-input.ts';
import type { Library } from '../store/library.ts';
import type { Indexer } from './indexer.ts';

export interface FolderPlan {
  /** The roots to index, in order, without repeats. */
  roots: string[];
  /** What the person should know: a folder already included, library folders taken over. */
  notes: string[];
}

export interface RootWriter {
  /** The library's roots now. */
  roots(): LibraryRoot[];
  /** Add `path` as a root taking over `childIds` (on the indexer's queue). */
  absorb(path: string, childIds: number[]): Promise<{ photos: number }>;
}

/** The roots writer over a library and its indexer (absorbing runs on the indexer's queue). */
export function rootWriter(lib: Library, indexer: Indexer): RootWriter {
  return { roots: () => lib.folders.list().map((f) => ({ id: f.id, path: f.path, offline: f.offline !== null })), absorb: (p, ids) => indexer.absorbFolders(p, ids) };
}

export async function planFolders(
  typed: readonly string[],
  writer: RootWriter,
  opts: FolderInputOptions & { inside: 'refuse' | 'use-root' },
): Promise<FolderPlan> {
  // The roots as they will be once the folders before this one are added (id -1: planned).
  let existing = writer.roots();
  const steps: { path: string; absorb?: LibraryRoot[]; note?: string }[] = [];
  for (const t of typed) {
    const abs = expandFolderInput(t, opts);
    const place = await placeFolder(abs, existing, opts);
    if (place.kind === 'root') {
      // A library folder, there or away: its pass says which (root-availability.ts).
      steps.push({ path: place.root.path });
    } else if (place.kind === 'inside') {
      const refusal = alreadyIncluded(abs, place.root);
      if (opts.inside === 'refuse') throw refusal;
      steps.push({ path: place.root.path, note: refusal.message });
    } else {
      await checkFolderReadable(abs, opts);
      const children = place.kind === 'holds' ? place.children : [];
      const away = children.find((c) => c.offline);
      if (away) throw holdsOffline(abs, away);
      const absorb = children.filter((r) => r.id >= 0);
      const note = children.length
        ? `${abs} takes over the library folder${children.length > 1 ? 's' : ''} ${children.map((r) => r.path).join(', ')}: their photos keep their vectors, tags and text`
        : undefined;
      for (const s of steps) if (children.some((c) => c.path === s.path)) s.path = abs;
      steps.push({ path: abs, absorb: absorb.length ? absorb : undefined, note });
      existing = [...existing.filter((r) => !children.includes(r)), { id: -1, path: abs }];
    }
  }
  const plan: FolderPlan = { roots: [], notes: [] };
  for (const s of steps) {
    if (s.absorb) await writer.absorb(s.path, s.absorb.map((r) => r.id));
    if (s.note) plan.notes.push(s.note);
    if (!plan.roots.includes(s.path)) plan.roots.push(s.path);
  }
  return plan;
}
