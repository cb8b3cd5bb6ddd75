/**
 * Folders below a library root that hold no photos of the person's own: what a file manager hides
 * or a system keeps for itself. A person who adds a home folder or a whole drive expects what they
 * see when they open it — Pictures, Desktop, a trip folder — not every app's image cache from
 * ~/Library or AppData, a NAS's thumbnails, a recycle bin, or a hundred backup copies of each photo.
 * Reading those also filled the library with icons and made the watcher follow folders that change
 * every second.
 *
 * The rules look at names only (and the names of the folders above), never at the disk, so the scan,
 * the watcher and the indexer's "is this still a photo of the library" decide alike, and a folder the
 * person added is never skipped itself: only what lies below a root is judged.
 */
import path from 'node:path';

/** Skipped wherever they are (compared in lower case: Windows writes $Recycle.Bin, FAT drives $RECYCLE.BIN). */
const SKIPPED_NAMES = new Set([
  // NAS thumbnails, recycle bins and snapshots (Synology, QNAP); a drive's system folders
  '@eadir',
  '#recycle',
  '#snapshot',
  '@recycle',
  '@recently-snapshot',
  '$recycle.bin',
  'system volume information',
  'lost+found',
  // backups the system makes of what is elsewhere: every photo again, once per backup
  'backups.backupdb', // Time Machine on an HFS+ drive
  'filehistory', // Windows File History
  // software, not photos
  'node_modules',
  'program files',
  'program files (x86)',
  'programdata',
]);

/** macOS packages a file manager shows as one file: apps and plug-ins, Lightroom's previews and smart previews. */
const SKIPPED_SUFFIXES = ['.app', '.appex', '.framework', '.bundle', '.plugin', '.lrdata'];

/**
 * Photo-library packages (Apple Photos, iPhoto, Aperture): the originals are photos; the rest is the
 * app's own — thumbnails and derivatives of every photo, edited renders, its database.
 */
const PHOTO_LIBRARY_SUFFIXES = ['.photoslibrary', '.photolibrary', '.aplibrary'];
const PHOTO_LIBRARY_ORIGINALS = new Set(['originals', 'masters']);

const endsWithAny = (name: string, suffixes: readonly string[]): boolean => suffixes.some((s) => name.endsWith(s));

/**
 * True when the folder `name`, inside the folder whose path segments are `parents` (its absolute
 * path split at the separator), is skipped.
 */
export function isIgnoredFolder(parents: readonly string[], name: string): boolean {
  if (name.startsWith('.')) return true; // hidden on macOS and Linux
  const lower = name.toLowerCase();
  if (SKIPPED_NAMES.has(lower) || endsWithAny(lower, SKIPPED_SUFFIXES)) return true;
  const parent = parents[parents.length - 1]?.toLowerCase() ?? '';
  if (endsWithAny(parent, PHOTO_LIBRARY_SUFFIXES)) return !PHOTO_LIBRARY_ORIGINALS.has(lower);
  // A home folder's app data: macOS /Users/<name>/Library, Windows C:\Users\<name>\AppData (both hidden
  // by their file managers). A folder called Library anywhere else is a person's.
  const inHome = parents[parents.length - 2]?.toLowerCase() === 'users';
  if (inHome && (lower === 'library' || lower === 'appdata')) return true;
  // A phone's storage copied whole: Android/data and Android/obb are apps' own (image caches, game
  // assets), hidden from the phone's file manager since Android 11; DCIM and Pictures are the person's.
  if (parent === 'android' && (lower === 'data' || lower === 'obb')) return true;
  return lower === 'windows' && parents.length === 1; // C:\Windows
}

/**
 * True when a folder between `root` and `p` is skipped — `p` itself too when `pIsFolder`. The root
 * and the folders above it are never judged: the person chose them. `sep` is the platform's (a
 * parameter so that Windows paths are tested everywhere).
 */
export function isUnderIgnoredFolder(root: string, p: string, pIsFolder = false, sep = path.sep): boolean {
  const segments = p.split(sep);
  let trimmed = root;
  while (trimmed.length > 1 && trimmed.endsWith(sep)) trimmed = trimmed.slice(0, -1);
  // '/' is one empty segment; C:\ is 'C:'; \\nas\photo is '', '', 'nas', 'photo' as in `segments`.
  const rootDepth = trimmed === sep ? 1 : trimmed.split(sep).length;
  const last = pIsFolder ? segments.length : segments.length - 1;
  for (let i = Math.max(rootDepth, 1); i < last; i++) {
    if (isIgnoredFolder(segments.slice(0, i), segments[i])) return true;
  }
  return false;
}
