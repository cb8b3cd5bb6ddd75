/**
 * Which files are videos: by name for the scanner, by content before the decoder is started (a
 * JPEG or a text file named .mp4 is refused with what it looks like, never handed to ffmpeg).
 */
export const VIDEO_EXTENSIONS: ReadonlySet<string> = new Set(['.mp4', '.mov', '.m4v', '.3gp', '.3g2', '.mkv', '.webm', '.avi']);

export function isVideoPath(p: string): boolean {
  const dot = p.lastIndexOf('.');
  return dot > Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')) && VIDEO_EXTENSIONS.has(p.slice(dot).toLowerCase());
}

export type VideoContainer = 'iso-bmff' | 'matroska' | 'avi';

/** Top-level QuickTime atoms an old .mov may start with instead of `ftyp`. */
const QUICKTIME_FIRST_ATOMS = new Set(['ftyp', 'moov', 'mdat', 'wide', 'free', 'skip', 'pnot']);

function ascii(b: Uint8Array, start: number, end: number): string {
  return String.fromCharCode(...b.subarray(start, Math.min(end, b.length)));
}

/** The container the first bytes announce, or null (then the file is not handed to the decoder). */
export function sniffVideoContainer(header: Uint8Array): VideoContainer | null {
  if (header.length >= 12 && QUICKTIME_FIRST_ATOMS.has(ascii(header, 4, 8))) return 'iso-bmff';
  if (header.length >= 4 && header[0] === 0x1a && header[1] === 0x45 && header[2] === 0xdf && header[3] === 0xa3) return 'matroska';
  if (header.length >= 12 && ascii(header, 0, 4) === 'RIFF' && ascii(header, 8, 12) === 'AVI ') return 'avi';
  return null;
}
