/**
 * Where a file name may wrap: after its separators (_ - . space) and before its extension, which
 * stays whole — "DSC_0001.JPEG" wraps as "DSC_0001" / ".JPEG", never ".JPE" / "G". The renderer
 * puts a <wbr> between the pieces (components/FileName.tsx); a piece longer than the line still
 * breaks inside itself (overflow-wrap), the extension never.
 */
export interface FileNamePieces {
  /** The name before the extension, cut after each separator. */
  stem: string[];
  /** ".JPEG", or '' when the name has none (a dot file's name is all stem). */
  ext: string;
}

/** An extension is a short run of letters and digits after the last dot, not the whole name. */
const EXT = /\.[\p{L}\p{N}]{1,8}$/u;

export function fileNamePieces(name: string): FileNamePieces {
  const m = EXT.exec(name);
  const hasExt = m !== null && m.index > 0;
  const stem = hasExt ? name.slice(0, m.index) : name;
  const pieces = stem.match(/[^_\-. ]*(?:[_\-. ]+|$)/g)?.filter((p) => p !== '') ?? [];
  // A name that starts with separators (".hidden", "_1.jpg") does not wrap right after them.
  if (pieces.length > 1 && /^[_\-. ]+$/.test(pieces[0]!)) pieces.splice(0, 2, pieces[0]! + pieces[1]!);
  return { stem: pieces.length > 0 ? pieces : [stem], ext: hasExt ? m[0] : '' };
}
