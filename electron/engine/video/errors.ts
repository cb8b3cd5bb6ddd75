/**
 * Why a video was not indexed. Like photos (media/errors.ts), a bad video becomes a recorded skip
 * with a reason the user can act on; two reasons are not "bad": `still-changing` (being copied:
 * try again when it settles) and `decoder-missing` (this install cannot decode videos).
 */
import { safeDecoderDetail } from '../media/describe.ts';
import { ToolRunError, videoTools, VideoToolsMissingError, type VideoTools } from './ffmpeg.ts';

export type VideoFailureReason =
  | 'empty-file'
  | 'not-a-video'
  | 'audio-only'
  | 'truncated'
  | 'unsupported-codec'
  | 'too-large'
  | 'decode-failed'
  | 'timeout'
  /** The caller stopped it (the indexer shutting down): nothing is wrong with the file. */
  | 'aborted'
  | 'still-changing'
  | 'decoder-missing'
  | 'unreadable';

export class VideoError extends Error {
  override readonly name = 'VideoError';
  constructor(
    readonly reason: VideoFailureReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** True for reasons that say "try again later", not "this file is bad". */
  get retryable(): boolean {
    return this.reason === 'still-changing' || this.reason === 'decoder-missing' || this.reason === 'timeout' || this.reason === 'aborted';
  }
}

/** ffmpeg and ffprobe, or a VideoError 'decoder-missing' saying why this install has none. */
export function decoderTools(): VideoTools {
  try {
    return videoTools();
  } catch (err) {
    if (err instanceof VideoToolsMissingError) throw new VideoError('decoder-missing', err.message, { cause: err });
    throw err;
  }
}

/** The last meaningful stderr line, made safe to store (no quoted bytes, no path). */
export function lastErrorLine(stderr: string, file: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l && !/^(frame=|size=|video:|\[Parsed_showinfo)/.test(l));
  return safeDecoderDetail(lines.at(-1) ?? 'no detail', file);
}

/** ffmpeg's and ffprobe's wording, mapped to reasons (they have no error codes on the command line). */
export function classifyToolError(err: unknown, file: string, what = 'the video'): VideoError {
  if (err instanceof VideoError) return err;
  if (!(err instanceof ToolRunError)) {
    return new VideoError('decode-failed', `${what} could not be decoded (${err instanceof Error ? err.message : String(err)})`, { cause: err });
  }
  if (err.kind === 'timeout' || err.kind === 'stalled') return new VideoError('timeout', `${what}: ${err.message}`, { cause: err });
  if (err.kind === 'aborted') return new VideoError('aborted', `${what}: decoding was stopped`, { cause: err });
  if (err.kind === 'spawn-failed') return new VideoError('decoder-missing', err.message, { cause: err });
  const all = err.stderr;
  const detail = lastErrorLine(all, file);
  const cut = /moov atom not found|partial file|end of file|truncat|Invalid NAL unit size|missing picture in access unit|EBML header parsing failed|File ended prematurely/i;
  if (cut.test(all)) {
    // Name the line that says so, not the generic last one ("Invalid data found…").
    const line = all.split('\n').find((l) => cut.test(l)) ?? '';
    return new VideoError('truncated', `${what} is truncated or incomplete (${lastErrorLine(line, file)})`, { cause: err });
  }
  if (/Invalid data found when processing input|could not find codec parameters|unknown format|Unsupported codec|no decoder|Decoder \(codec .*\) not found/i.test(all)) {
    return /codec/i.test(all)
      ? new VideoError('unsupported-codec', `${what} uses a codec this decoder does not have (${detail})`, { cause: err })
      : new VideoError('not-a-video', `${what} is not a video the decoder recognises (${detail})`, { cause: err });
  }
  if (/Cannot allocate memory|max_alloc|too large|exceeds/i.test(all)) return new VideoError('too-large', `${what} is too large to decode (${detail})`, { cause: err });
  if (/No such file|Permission denied/i.test(all)) return new VideoError('unreadable', `${what} could not be read (${detail})`, { cause: err });
  return new VideoError('decode-failed', `${what} could not be decoded (${detail})`, { cause: err });
}
