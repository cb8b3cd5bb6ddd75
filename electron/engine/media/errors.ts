/**
 * Why a photo could not be decoded. A bad file must become a recorded skip with a reason the user
 * can act on, never a crash, so every decoder failure is funnelled into DecodeError.
 */
import { safeDecoderDetail } from './describe.ts';

export type DecodeFailureReason =
  | 'empty-file'
  | 'not-an-image'
  | 'truncated'
  | 'too-large'
  | 'unsupported-format'
  | 'decode-failed'
  /** The file could not be read at all (missing, permission denied, I/O error). */
  | 'unreadable';

export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  constructor(
    readonly reason: DecodeFailureReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The decoder's own words, first line only (libvips appends multi-line detail), without quoted bytes. */
function firstLine(err: unknown, what: string): string {
  const text = err instanceof Error ? err.message : String(err);
  return safeDecoderDetail(text, what.replace(/^"|"$/g, ''));
}

/**
 * Map a sharp/libvips error to a reason. Matching on message text is the only option libvips
 * offers; the patterns cover libjpeg, libpng, libwebp, libtiff, giflib and libheif wording.
 */
export function classifyDecoderError(err: unknown, what: string): DecodeError {
  if (err instanceof DecodeError) return err;
  const detail = firstLine(err, what);
  const all = err instanceof Error ? err.message : String(err);
  let reason: DecodeFailureReason = 'decode-failed';
  if (/pixel limit|too large|exceeds .*limit|image too big/i.test(all)) reason = 'too-large';
  else if (/premature end|truncat|unexpected end|end of (file|stream|data)|not enough data|out of data|read error|short read/i.test(all)) {
    reason = 'truncated';
  } else if (/unsupported image format|not a known file format|is not in a known format/i.test(all)) reason = 'not-an-image';
  const message =
    reason === 'truncated' ? `${what} is truncated or incomplete (${detail})`
    : reason === 'too-large' ? `${what} is too large to decode (${detail})`
    : reason === 'not-an-image' ? `${what} is not an image the decoder recognises (${detail})`
    : `${what} could not be decoded (${detail})`;
  return new DecodeError(reason, message, { cause: err });
}
