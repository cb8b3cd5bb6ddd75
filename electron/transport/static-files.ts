/**
 * Serves the renderer build (dist/renderer) for both transports: the web server's `/…` and the
 * desktop `shiguang://app/…`. Paths are decoded segment by segment and the resolved real path must
 * stay inside the build directory (same guard as media), so `..`, `%2e%2e`, `%2f` and symlinks
 * cannot reach other files. Unknown extension-less paths fall back to index.html (SPA routes).
 */
import fs from 'node:fs';
import path from 'node:path';
import { isServablePath } from './media-guard.ts';
import { staticContentType } from './mime.ts';

export type StaticResult =
  | { type: 'file'; file: string; size: number; headers: Record<string, string>; isIndex: boolean }
  | { type: 'error'; status: number; message: string };

/** Split a URL pathname into decoded segments; null when a segment is malicious or malformed. */
export function safeSegments(pathname: string): string[] | null {
  const out: string[] = [];
  for (const raw of pathname.split('/')) {
    if (raw === '') continue;
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      return null;
    }
    // Dot segments, encoded separators, NULs and dotfiles never name a build asset.
    if (seg.startsWith('.') || /[/\\\0:]/.test(seg)) return null;
    out.push(seg);
  }
  return out;
}

async function fileIn(realRoot: string, rel: string): Promise<{ real: string; size: number } | null> {
  try {
    const real = await fs.promises.realpath(path.join(realRoot, rel));
    if (!isServablePath(real, [realRoot])) return null;
    const st = await fs.promises.stat(real);
    return st.isFile() ? { real, size: st.size } : null;
  } catch {
    return null;
  }
}

export async function resolveStaticFile(staticDir: string, pathname: string): Promise<StaticResult> {
  const segs = safeSegments(pathname);
  if (!segs) return { type: 'error', status: 400, message: 'bad path' };
  let root: string;
  try {
    root = await fs.promises.realpath(staticDir);
  } catch {
    return { type: 'error', status: 404, message: 'renderer build not found; run `npm run build`' };
  }
  const rel = segs.length === 0 ? 'index.html' : segs.join('/');
  let hit = await fileIn(root, rel);
  // SPA fallback only for route-like paths: a missing /assets/x.js must be a 404, not HTML.
  if (!hit && path.extname(segs[segs.length - 1] ?? '') === '') hit = await fileIn(root, 'index.html');
  if (!hit) return { type: 'error', status: 404, message: 'not found' };

  const isIndex = path.basename(hit.real) === 'index.html';
  // Vite puts content-hashed files under assets/: they never change, everything else may.
  const immutable = !isIndex && segs[0] === 'assets';
  return {
    type: 'file',
    file: hit.real,
    size: hit.size,
    isIndex,
    headers: {
      'Content-Type': staticContentType(hit.real),
      'Content-Length': String(hit.size),
      'Cache-Control': isIndex ? 'no-store' : immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    },
  };
}
