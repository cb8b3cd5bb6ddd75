/**
 * Folders as people type them, turned into library roots — or into a clear refusal.
 *
 * - `~` and `~/…` are the person's home folder; surrounding quotes and spaces (a pasted path) go.
 * - A relative path is refused where there is no working folder the person chose (the app, the
 *   web mode: the server's own working folder means nothing to them). The CLI resolves it against
 *   its working folder, as shells do.
 * - Missing, not a folder and unreadable are three different refusals, each an ApiError whose
 *   `detail` carries a reason and the path, so the renderer can word it in the person's language.
 * - A folder inside a library folder is already included: that is said, and nothing is added (two
 *   roots over the same files would give each photo two rows).
 * - A folder that holds library folders takes them over: their photos move to it with their rows,
 *   vectors, tags and text — nothing is read or encoded again (store/folders.ts absorb()).
 * - A library folder that is away (unplugged) is still a library folder: naming it again is fine,
 *   its pass reports it offline and keeps its photos.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiError, apiError } from '../../shared/api.ts';
import { isInsideRoots } from '../../shared/inside-roots.ts';
import { folderTimeoutMs, FolderTimeoutError, withDeadline } from './fs-deadline.ts';

export type FolderRefusal = 'folder-relative' | 'folder-missing' | 'folder-not-a-folder' | 'folder-unreadable' | 'folder-inside-library' | 'folder-holds-offline';

export interface FolderInputOptions {
  /** The working folder a relative path is resolved against (the CLI); absent: relative paths are refused. */
  cwd?: string;
  /** The home folder `~` stands for (default: os.homedir()). */
  home?: string;
  timeoutMs?: number;
}

function refuse(reason: FolderRefusal, message: string, params: { path: string; root?: string }): ApiError {
  return reason === 'folder-inside-library' || reason === 'folder-holds-offline'
    ? apiError(reason, { path: params.path, root: params.root ?? '' }, message)
    : apiError(reason, { path: params.path }, message);
}

/** What was typed, as an absolute, normalised path (no file-system access). */
export function expandFolderInput(typed: string, opts: FolderInputOptions = {}): string {
  let p = typed.trim();
  if (p.length >= 2 && /^(["']).*\1$/.test(p)) p = p.slice(1, -1).trim();
  if (p === '') throw apiError('folder-none', {}, 'no folder given');
  const home = opts.home ?? os.homedir();
  if (p === '~') p = home;
  else if (p.startsWith('~/') || (path.sep === '\\' && p.startsWith('~\\'))) p = path.join(home, p.slice(2));
  if (!path.isAbsolute(p)) {
    if (opts.cwd === undefined) {
      throw refuse(
        'folder-relative',
        `"${typed}" is a relative path; give the folder's full path (like ${path.join(home, 'Pictures')} or ~/Pictures): a relative one would be read from the server's own working folder, which is not where you are`,
        { path: typed },
      );
    }
    p = path.resolve(opts.cwd, p);
  }
  return path.resolve(p);
}

/** Refuses a folder that is missing, not a folder, or cannot be listed — each with its own reason. */
export async function checkFolderReadable(abs: string, opts: FolderInputOptions = {}): Promise<void> {
  const ms = opts.timeoutMs ?? folderTimeoutMs();
  const call = <T>(op: () => Promise<T>): Promise<T> => withDeadline(abs, ms, op);
  let st: fs.Stats;
  try {
    st = await call(() => fs.promises.stat(abs));
  } catch (err) {
    throw statRefusal(abs, err);
  }
  if (!st.isDirectory()) throw refuse('folder-not-a-folder', `not a folder (it is a file): ${abs}`, { path: abs });
  try {
    await call(async () => {
      const dir = await fs.promises.opendir(abs);
      await dir.read().finally(() => dir.close().catch(() => undefined));
    });
  } catch (err) {
    throw statRefusal(abs, err);
  }
}

function statRefusal(abs: string, err: unknown): ApiError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return refuse('folder-missing', `folder not found: ${abs}`, { path: abs });
  if (code === 'ENOTDIR') return refuse('folder-missing', `folder not found: ${abs} (a part of the path is a file)`, { path: abs });
  if (err instanceof FolderTimeoutError) return refuse('folder-unreadable', `the folder did not answer in time: ${abs}`, { path: abs });
  const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (code ?? (err instanceof Error ? err.message : String(err)));
  return refuse('folder-unreadable', `the folder cannot be read (${why}): ${abs}`, { path: abs });
}

export interface LibraryRoot {
  id: number;
  path: string;
  /** Away right now (root-availability.ts): its photos cannot be checked, so it is not taken over. */
  offline?: boolean;
}

/** How a folder stands to the library's roots. */
export type FolderPlacement =
  | { kind: 'root'; root: LibraryRoot }
  | { kind: 'inside'; root: LibraryRoot }
  | { kind: 'holds'; children: LibraryRoot[] }
  | { kind: 'new' };

/** Where `abs` lies against the roots, by path and (for "inside") by real path too. */
export async function placeFolder(abs: string, roots: readonly LibraryRoot[], opts: FolderInputOptions = {}): Promise<FolderPlacement> {
  const same = roots.find((r) => r.path === abs);
  if (same) return { kind: 'root', root: same };
  const outer = roots.filter((r) => isInsideRoots(abs, [r.path], path)).sort((a, b) => b.path.length - a.path.length)[0];
  if (outer) return { kind: 'inside', root: outer };
  const children = roots.filter((r) => isInsideRoots(r.path, [abs], path));
  if (children.length) return { kind: 'holds', children };
  // Through links: ~/Pictures → /data/Pictures makes /data/Pictures/2023 part of the library too.
  const ms = opts.timeoutMs ?? folderTimeoutMs();
  const real = (p: string): Promise<string | null> => withDeadline(p, ms, () => fs.promises.realpath(p)).catch(() => null);
  const realAbs = await real(abs);
  if (realAbs) {
    for (const r of roots) {
      const realRoot = await real(r.path);
      if (realRoot && (realRoot === realAbs || isInsideRoots(realAbs, [realRoot], path))) return { kind: 'inside', root: r };
    }
  }
  return { kind: 'new' };
}

/** The refusal for a folder already inside a library folder. */
export function alreadyIncluded(abs: string, root: LibraryRoot): ApiError {
  return refuse('folder-inside-library', `${abs} is already in the library: it is inside the library folder ${root.path}`, { path: abs, root: root.path });
}

/**
 * The refusal for a folder that holds a library folder which is away: taken over now, its photos
 * would be checked under the new folder — and, not being there, deleted.
 */
export function holdsOffline(abs: string, away: LibraryRoot): ApiError {
  return refuse('folder-holds-offline', `${abs} holds the library folder ${away.path}, which is offline: connect it first, then add ${abs}`, { path: abs, root: away.path });
}

/** Roots nested in other roots (left by older versions): each inner one with the root that takes it over. */
export function nestedRoots(roots: readonly LibraryRoot[]): { outer: LibraryRoot; inner: LibraryRoot[] }[] {
  const outers = roots.filter((r) => !roots.some((o) => o !== r && isInsideRoots(r.path, [o.path], path)));
  // One that is away waits: its photos cannot be checked under the outer folder yet.
  return outers
    .map((outer) => ({ outer, inner: roots.filter((r) => r !== outer && !r.offline && isInsideRoots(r.path, [outer.path], path)) }))
    .filter((x) => x.inner.length > 0);
}
