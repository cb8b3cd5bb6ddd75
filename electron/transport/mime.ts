/** Content types by file extension, shared by the static file server and the media guard. */
import path from 'node:path';

const TEXT = '; charset=utf-8';

/** Photo formats the media routes may serve. SVG is deliberately absent: it can carry script. */
const IMAGE_TYPES: Readonly<Record<string, string>> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.avif': 'image/avif',
  '.bmp': 'image/bmp',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
  '.heic': 'image/heic',
  '.heif': 'image/heif',
};

/**
 * Video formats the media routes may serve as originals (the library's video extensions). Whether
 * the page can play one is the browser's business: Chromium plays MP4/MOV (H.264, HEVC where the
 * platform decodes it), WebM and often MKV; the viewer shows the frame and offers the system
 * player for the rest.
 */
const VIDEO_TYPES: Readonly<Record<string, string>> = {
  '.mp4': 'video/mp4',
  '.m4v': 'video/mp4',
  // Served as MP4: Chromium plays an H.264/HEVC MOV that way but not as video/quicktime.
  '.mov': 'video/mp4',
  '.3gp': 'video/3gpp',
  '.3g2': 'video/3gpp2',
  '.mkv': 'video/x-matroska',
  '.webm': 'video/webm',
  '.avi': 'video/x-msvideo',
};

const STATIC_TYPES: Readonly<Record<string, string>> = {
  ...IMAGE_TYPES,
  '.html': `text/html${TEXT}`,
  '.js': `text/javascript${TEXT}`,
  '.mjs': `text/javascript${TEXT}`,
  '.css': `text/css${TEXT}`,
  '.json': `application/json${TEXT}`,
  '.map': `application/json${TEXT}`,
  '.txt': `text/plain${TEXT}`,
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.webmanifest': 'application/manifest+json',
};

function ext(file: string): string {
  return path.extname(file).toLowerCase();
}

/** Type for a photo file, or null when the extension is not an image format we serve. */
export function imageContentType(file: string): string | null {
  return IMAGE_TYPES[ext(file)] ?? null;
}

/** Type for a video file, or null when the extension is not a video format we serve. */
export function videoContentType(file: string): string | null {
  return VIDEO_TYPES[ext(file)] ?? null;
}

/** Type for a file of the renderer build; unknown extensions are served as opaque bytes. */
export function staticContentType(file: string): string {
  return STATIC_TYPES[ext(file)] ?? 'application/octet-stream';
}
