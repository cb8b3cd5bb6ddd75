/**
 * Which of two copies is the copy by its name: the one whose name is the other's plus what a file
 * manager or a browser adds to a copy. Used when the copies are otherwise alike (byte-identical,
 * or the same size and sharpness), so the duplicates report keeps `IMG_1234.jpg` and lists
 * `IMG_1234 (1).jpg` as the extra copy — not the other way round because the copy sorts first.
 *
 * The suffixes, as the name's stem ends (without the extension, which converted copies change):
 * - Windows Explorer: `name - Copy`, `name - Copy (2)`, `name - 副本`, `name - 副本 (2)` (and the
 *   word in other languages: Kopie, copie, コピー, 복사본);
 * - macOS Finder: `name copy`, `name copy 2`; "keep both": `name 2`;
 * - GNOME Files: `name (copy)`, `name (another copy)`, `name (3rd copy)`;
 * - browsers and Explorer's name conflicts: `name (1)`;
 * - other tools: `name_1`, `name-1`, `name-copy`, `name_副本`, `name副本`.
 * A suffix only counts when what is left is exactly the other name (`Birthday 2` is a copy only
 * of a `Birthday` in the same group).
 */

const COPY_SUFFIXES: readonly RegExp[] = [
  / - (?:copy|副本|复制|拷贝|kopie|copie|コピー|복사본)(?: \(\d+\))?$/i,
  / (?:copy|副本)(?: \d+)?$/i,
  / \((?:copy|another copy|\d+(?:st|nd|rd|th) copy)\)$/i,
  / ?\(\d+\)$/,
  /[ _-]\d{1,3}$/,
  /[ _-]?(?:copy|副本|拷贝|复制)\d*$/i,
];

function stem(fileName: string): string {
  const base = fileName.slice(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1);
  const dot = base.lastIndexOf('.');
  return (dot > 0 ? base.slice(0, dot) : base).normalize('NFC');
}

/** Whether `copy`'s name is `original`'s with a copy's suffix (paths or base names). */
export function isCopyNameOf(copy: string, original: string): boolean {
  const c = stem(copy);
  const o = stem(original);
  if (c === o) return false;
  return COPY_SUFFIXES.some((re) => {
    const left = c.replace(re, '');
    return left !== c && left === o;
  });
}
