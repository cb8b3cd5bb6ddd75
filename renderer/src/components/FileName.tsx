/** A file name that wraps at its separators and before its extension (lib/fileName.ts), never inside the extension. */
import { Fragment } from 'react';
import { fileNamePieces } from '../lib/fileName.ts';

export function FileName({ name }: { name: string }) {
  const { stem, ext } = fileNamePieces(name);
  return (
    <span className="file-name">
      {stem.map((piece, i) => (
        <Fragment key={i}>
          {i > 0 && <wbr />}
          {piece}
        </Fragment>
      ))}
      {ext && (
        <>
          <wbr />
          <span className="file-ext">{ext}</span>
        </>
      )}
    </span>
  );
}
