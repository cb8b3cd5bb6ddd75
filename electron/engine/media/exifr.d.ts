// exifr keeps the file its instance opened on the instance (`file`, a ChunkedReader — FsReader for
// a path) but does not declare it. metadata.ts closes it on every path (exifr closes it only on
// success), so it is declared here, for exifr 7.1.
import 'exifr';

declare module 'exifr' {
  interface Exifr {
    file?: { close?(): Promise<void> | void };
  }
}
