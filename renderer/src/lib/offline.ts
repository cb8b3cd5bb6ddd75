/**
 * Photos of a library folder that is away (an unplugged drive) are still found, shown marked
 * offline (docs/decisions/offline.md). Which ones: those under a root the status lists as offline.
 */

/** True when `file` lies under one of `roots` (either separator: the server may be Windows or POSIX). */
export function isUnderRoots(file: string, roots: readonly string[]): boolean {
  return roots.some((r) => {
    const root = r.replace(/[\\/]+$/, '');
    return file.length > root.length && file.startsWith(root) && (file[root.length] === '/' || file[root.length] === '\\');
  });
}
