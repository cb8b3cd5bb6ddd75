/**
 * HTTP Range requests (RFC 9110 §14) for media files, the same on both transports: a <video>
 * element asks for the part it needs (the end of an MP4 for its index, then wherever the person
 * seeks) and will not seek at all without them. One range per request — what media elements
 * send; a multi-range request is answered with the whole file (a server may ignore Range).
 */

export type RangeAnswer =
  /** Serve the whole file (no Range, one we do not honour, or an If-Range that no longer matches). */
  | { type: 'whole' }
  /** 206 with these bytes, both ends inclusive. */
  | { type: 'partial'; start: number; end: number }
  /** 416: no byte of the file is in the range. */
  | { type: 'unsatisfiable' };

const ONE_RANGE = /^bytes=(\d*)-(\d*)$/;

/**
 * What to answer for a Range header on a file of `size` bytes. `ifRange` (the request's If-Range)
 * must equal the file's current ETag or Last-Modified for the range to apply: a file that changed
 * between two requests of one playback is sent whole rather than spliced.
 */
export function answerRange(range: string | undefined, size: number, validators: { etag: string; lastModified: string; ifRange?: string }): RangeAnswer {
  if (!range) return { type: 'whole' };
  if (validators.ifRange !== undefined && validators.ifRange !== validators.etag && validators.ifRange !== validators.lastModified) return { type: 'whole' };
  const m = ONE_RANGE.exec(range.trim());
  if (!m || (m[1] === '' && m[2] === '')) return { type: 'whole' };
  let start: number;
  let end: number;
  if (m[1] === '') {
    // bytes=-N: the last N bytes.
    const n = Number(m[2]);
    if (n === 0) return { type: 'unsatisfiable' };
    start = Math.max(0, size - n);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (m[2] !== '' && Number(m[2]) < start) return { type: 'whole' }; // invalid: ignored
  }
  if (!Number.isSafeInteger(start) || start >= size || end < start) return { type: 'unsatisfiable' };
  return { type: 'partial', start, end };
}

/** Headers of a 206 (Content-Range, Content-Length) or a 416 (Content-Range: bytes * /size). */
export function rangeHeaders(answer: RangeAnswer, size: number): Record<string, string> {
  if (answer.type === 'partial') return { 'Content-Range': `bytes ${answer.start}-${answer.end}/${size}`, 'Content-Length': String(answer.end - answer.start + 1) };
  if (answer.type === 'unsatisfiable') return { 'Content-Range': `bytes */${size}` };
  return { 'Content-Length': String(size) };
}
