/**
 * The one containment rule for "is this file inside the library": used by the engine's link
 * policy (engine/library/link-policy.ts) before anything is read, and by the media guard
 * (transport/media-guard.ts) before anything is served, so the two can never disagree. Pure: the
 * caller passes its path functions (node:path, or path.win32 in tests) and real paths.
 */

/** The parts of node:path the rule needs. */
export interface PathOps {
  isAbsolute(p: string): boolean;
  relative(from: string, to: string): string;
  readonly sep: string;
}

/**
 * True when `realFile` lies strictly inside one of `realRoots`. Both must already be real paths
 * (symlinks resolved); no I/O. Segment-wise, so `/photos2/x` is not inside `/photos`.
 */
export function isInsideRoots(realFile: string, realRoots: readonly string[], p: PathOps): boolean {
  if (!p.isAbsolute(realFile) || realFile.includes('\0')) return false;
  return realRoots.some((root) => {
    if (!root || !p.isAbsolute(root) || root.includes('\0')) return false;
    const rel = p.relative(root, realFile);
    if (rel === '' || p.isAbsolute(rel)) return false;
    return rel.split(p.sep)[0] !== '..';
  });
}
