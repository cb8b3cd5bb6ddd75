/**
 * Words for what a file turned out to be, for skip reasons, logs and the API. They name a guessed
 * kind and a size, never the bytes themselves: a file named .jpg may be a password file, a key or
 * a private note, and its first bytes must not end up in the library database, the UI or a log.
 */

/** "0 bytes", "3 bytes", "41 KB", "2.4 MB". */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} byte${bytes === 1 ? '' : 's'}`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
}

function ascii(b: Uint8Array, start: number, end: number): string {
  return String.fromCharCode(...b.subarray(start, Math.min(end, b.length)));
}

/** True when the bytes decode as UTF-8 text without control characters other than whitespace. */
function looksLikeText(b: Uint8Array): boolean {
  if (b.length === 0) return false;
  let text: string;
  try {
    // A multi-byte character cut at the end of the sniffed header is still text.
    text = new TextDecoder('utf-8', { fatal: true }).decode(b, { stream: true });
  } catch {
    return false;
  }
  return !/[\u0000-\u0008\u000e-\u001f\u007f]/.test(text);
}

const VIDEO_BRANDS = new Set(['isom', 'iso2', 'mp41', 'mp42', 'qt  ', 'M4V ', 'avc1', '3gp4', '3gp5', '3g2a', 'dash', 'crx ']);

/**
 * A guess at what an unrecognised file is, from its first bytes: "text", "an HTML page",
 * "a PDF document", "a ZIP archive", "a video (MP4/QuickTime)", "binary data of an unknown kind".
 */
export function guessContentKind(header: Uint8Array): string {
  const head = ascii(header, 0, 16);
  if (head.startsWith('%PDF')) return 'a PDF document';
  if (head.startsWith('PK\u0003\u0004')) return 'a ZIP archive (or an office document)';
  if (header[0] === 0x1f && header[1] === 0x8b) return 'gzip-compressed data';
  if (ascii(header, 4, 8) === 'ftyp') {
    return VIDEO_BRANDS.has(ascii(header, 8, 12)) ? 'a video (MP4/QuickTime)' : 'an ISO media file of an unknown kind';
  }
  if (head.startsWith('RIFF')) return ascii(header, 8, 12) === 'AVI ' ? 'a video (AVI)' : ascii(header, 8, 12) === 'WAVE' ? 'audio (WAV)' : 'a RIFF file of an unknown kind';
  if (head.startsWith('ID3') || (header[0] === 0xff && (header[1] & 0xe0) === 0xe0)) return 'audio (MP3)';
  if (looksLikeText(header)) {
    const t = new TextDecoder().decode(header).trimStart().toLowerCase();
    if (t.startsWith('<!doctype html') || t.startsWith('<html')) return 'an HTML page';
    if (t.startsWith('<svg') || (t.startsWith('<?xml') && t.includes('<svg'))) return 'an SVG drawing (not supported)';
    if (t.startsWith('<?xml')) return 'an XML document';
    return 'text';
  }
  return 'binary data of an unknown kind';
}

/** "looks like text, 41 bytes" — for a file whose content is not an image format we know. */
export function describeUnknownContent(header: Uint8Array, size: number): string {
  if (size < 8) return `only ${formatSize(size)}, too short to be an image`;
  return `looks like ${guessContentKind(header)}, ${formatSize(size)}`;
}

/**
 * A decoder's own words, made safe to store and show: first line, printable characters only,
 * runs of hex digits or escapes (which some libraries use to quote the bytes they choke on)
 * replaced by "…", and at most 160 characters.
 */
export function safeDecoderDetail(text: string, file?: string): string {
  let line = text.split('\n').find((l) => l.trim() !== '')?.trim() ?? 'unknown error';
  // The caller names the file itself; libvips repeats the path, which the hex rule below would mangle.
  if (file) line = line.split(file).join('the file');
  const clean = line
    .replace(/[\u0000-\u001f\u007f-\u009f\ufffd]/g, '?')
    .replace(/(\\x[0-9a-f]{2}){2,}/gi, '…')
    .replace(/\b(0x)?(?=[0-9a-f]*[a-f])(?=[0-9a-f]*[0-9])[0-9a-f]{8,}\b/gi, '…')
    .replace(/(\b[0-9a-f]{2}\b[ :]?){6,}/gi, '… ');
  return clean.length > 160 ? `${clean.slice(0, 159)}…` : clean;
}
