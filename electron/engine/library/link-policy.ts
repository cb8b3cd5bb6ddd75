/**
 * The one rule for symbolic links and odd entries, used by the scan, the watcher's indexing, the
 * encoder's reads and the media the transports serve:
 *
 * - A library root may itself be a link (~/Pictures → /data/Pictures): it is resolved once, and
 *   its real path is what "inside the library" means.
 * - Below a root, links are NEVER followed, neither to files nor to folders. A link whose target
 *   is outside every root must not be read at all (a `passwd.jpg → /etc/passwd` planted in a
 *   photo folder), and one whose target is inside is already indexed under the target's own path
 *   (following it would list the photo twice and give one content two identities). Not following
 *   also rules out loops by construction. A link named like a photo is recorded as skipped with a
 *   reason that says which case it is, so the person sees why it is not searchable.
 * - Only regular files are read: a FIFO or socket named x.jpg is never opened (opening a FIFO
 *   blocks), a directory named x.jpg is walked as a directory.
 * - Anything read or served is checked by its REAL path against the real roots just before the
 *   read (a file can be swapped for a link after the scan).
 */
import fs from 'node:fs';
import path from 'node:path';
import { isInsideRoots } from '../../shared/inside-roots.ts';
import { folderTimeoutMs, withDeadline } from './fs-deadline.ts';

export type LinkTarget = 'inside' | 'outside' | 'dangling' | 'loop';

/** Skip reason prefixes owned by this policy (the text after the colon is for people). */
export const SYMLINK_SKIP = 'symlink';
export const UNREADABLE_NAME_SKIP = 'unreadable-name';

export function symlinkSkipReason(target: LinkTarget): string {
  const why: Record<LinkTarget, string> = {
    inside: 'a link to a photo inside the library, which is indexed under its own path',
    outside: 'a link to a file outside the library folders; it is not read (add its folder to the library instead)',
    dangling: 'a link whose target does not exist',
    loop: 'a link that points back to itself (a loop)',
  };
  return `${SYMLINK_SKIP}: ${why[target]}`;
}

/** An entry that must not be read; carries a skip reason (see encode-pipeline's describeFailure). */
export class PolicySkip extends Error {
  override readonly name = 'PolicySkip';
  /** 'vanished': the file was gone (or replaced) when it was about to be read — a race, not a verdict. */
  constructor(readonly reason: typeof SYMLINK_SKIP | typeof UNREADABLE_NAME_SKIP | 'unreadable' | 'vanished', message: string) {
    super(message);
  }
}

export type EntryKind =
  | { kind: 'file'; size: number; mtimeMs: number; fileId: string | null }
  | { kind: 'symlink'; size: number; mtimeMs: number; fileId: string | null }
  /** A directory, FIFO, socket, device, or something that vanished: not a photo. */
  | { kind: 'other' };

/** What an entry itself is, links not followed. */
export async function entryKind(p: string | Buffer): Promise<EntryKind> {
  const st = await fs.promises.lstat(p).catch(() => null);
  if (!st) return { kind: 'other' };
  const fileId = st.ino ? `${st.dev}:${st.ino}` : null;
  if (st.isSymbolicLink()) return { kind: 'symlink', size: st.size, mtimeMs: Math.trunc(st.mtimeMs), fileId };
  if (st.isFile()) return { kind: 'file', size: st.size, mtimeMs: Math.trunc(st.mtimeMs), fileId };
  return { kind: 'other' };
}

/** The real paths of a set of library roots, resolved once for a pass or a request. */
export class LibraryBounds {
  private constructor(readonly realRoots: readonly string[]) {}

  /**
   * Roots that do not exist (an unplugged drive) or do not answer in time (a share that hangs,
   * fs-deadline.ts) are left out: nothing under them is readable.
   */
  static async resolve(roots: readonly string[]): Promise<LibraryBounds> {
    const ms = folderTimeoutMs();
    const real = await Promise.all(roots.map((r) => withDeadline(r, ms, () => fs.promises.realpath(r)).catch(() => null)));
    return new LibraryBounds(real.filter((r): r is string => r !== null));
  }

  contains(realPath: string): boolean {
    return isInsideRoots(realPath, this.realRoots, path);
  }

  /** Where a link below a root leads, for its skip reason. The target is never opened. */
  async classifyLink(linkPath: string): Promise<LinkTarget> {
    try {
      return this.contains(await fs.promises.realpath(linkPath)) ? 'inside' : 'outside';
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'ELOOP' ? 'loop' : 'dangling';
    }
  }

  /**
   * Check a photo path just before reading it: it must be a regular file, not a link, and its
   * real path (through any linked ancestor folders) inside the roots. Returns the real path to
   * read; throws PolicySkip otherwise.
   */
  async checkReadable(p: string): Promise<string> {
    const kind = await entryKind(p);
    if (kind.kind === 'symlink') throw new PolicySkip(SYMLINK_SKIP, symlinkSkipReason(await this.classifyLink(p)).slice(SYMLINK_SKIP.length + 2));
    if (kind.kind !== 'file') throw new PolicySkip('vanished', 'not a regular file any more (or it vanished)');
    const real = await fs.promises.realpath(p).catch(() => null);
    if (real === null) throw new PolicySkip('vanished', 'the file vanished');
    if (!this.contains(real)) throw new PolicySkip(SYMLINK_SKIP, 'its real path is outside the library folders; it is not read');
    return real;
  }
}
