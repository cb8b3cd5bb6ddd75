/**
 * Handler for the privileged `shiguang:` scheme (protocol.handle), which serves the whole desktop
 * app, so the renderer never loads file:// URLs and never needs network access:
 *   shiguang://app/…                 the renderer build, with the CSP header
 *   shiguang://media/<kind>/<id>     thumbnails and originals (videos with Range requests), and a
 *   shiguang://media/frame/<id>/<ms> video's frames, through the shared media guard
 * Written against the Fetch API's Request/Response (global in Node too), so tests call it directly.
 */
import fs from 'node:fs';
import { APP_HOST, APP_SCHEME, MEDIA_HOST } from '../shared/ipc.ts';
import { mediaBody, parseMediaUrl, resolveMedia, type GuardedMediaProvider } from '../transport/media-guard.ts';
import { baseSecurityHeaders, contentSecurityPolicy } from '../transport/security-headers.ts';
import { resolveStaticFile } from '../transport/static-files.ts';

export interface ProtocolOptions {
  media: GuardedMediaProvider;
  /** The renderer build (dist/renderer). */
  staticDir: string;
}

export const MEDIA_ORIGIN = `${APP_SCHEME}://${MEDIA_HOST}`;

/** The CSP of the desktop renderer: like the web one, plus images from the media host. */
export const DESKTOP_CSP = contentSecurityPolicy({ mediaOrigins: [MEDIA_ORIGIN] });

/**
 * A file (or the bytes `range` of it, both ends inclusive) as a response body, read 64 KiB at a
 * time as the protocol pulls it (never whole in memory).
 */
function fileBody(file: string, range?: { start: number; end: number }): ReadableStream<Uint8Array> {
  let fh: fs.promises.FileHandle | undefined;
  let pos = range?.start ?? 0;
  const end = range ? range.end + 1 : Infinity;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        fh ??= await fs.promises.open(file, 'r');
        const chunk = new Uint8Array(Math.max(0, Math.min(64 * 1024, end - pos)));
        const { bytesRead } = chunk.length > 0 ? await fh.read(chunk, 0, chunk.length, pos) : { bytesRead: 0 };
        pos += bytesRead;
        if (bytesRead > 0) return controller.enqueue(chunk.subarray(0, bytesRead));
        await fh.close();
        controller.close();
      } catch (err) {
        await fh?.close().catch(() => undefined);
        controller.error(err);
      }
    },
    async cancel() {
      await fh?.close();
    },
  });
}

function text(status: number, message: string): Response {
  return new Response(message, {
    status,
    headers: { ...baseSecurityHeaders(), 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' },
  });
}

export function createAppProtocolHandler(opts: ProtocolOptions): (req: Request) => Promise<Response> {
  return async (req) => {
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      return text(400, 'bad URL');
    }
    if (url.protocol !== `${APP_SCHEME}:`) return text(404, 'not found');
    if (req.method !== 'GET' && req.method !== 'HEAD') return text(405, 'method not allowed');
    const head = req.method === 'HEAD';

    if (url.hostname === APP_HOST) {
      const r = await resolveStaticFile(opts.staticDir, url.pathname);
      if (r.type === 'error') return text(r.status, r.message);
      return new Response(head ? null : fileBody(r.file), {
        status: 200,
        headers: { ...baseSecurityHeaders(), 'Content-Security-Policy': DESKTOP_CSP, ...r.headers },
      });
    }

    if (url.hostname === MEDIA_HOST) {
      const ref = parseMediaUrl(req.url);
      if (!ref) return text(404, 'no such media');
      const r = await resolveMedia(opts.media, ref, req.headers.get('if-none-match') ?? undefined);
      if (r.type === 'error') return text(r.status, r.message);
      // The page (shiguang://app) is another origin; let it read images it may also fetch().
      const headers = { ...baseSecurityHeaders(), 'Access-Control-Allow-Origin': `${APP_SCHEME}://${APP_HOST}`, ...r.headers };
      if (r.type === 'not-modified') return new Response(null, { status: 304, headers });
      const body = mediaBody(r, req.headers.get('range') ?? undefined, req.headers.get('if-range') ?? undefined);
      const bytes = head || !body.range ? null : fileBody(r.file, body.range);
      return new Response(bytes, { status: body.status, headers: { ...headers, ...body.headers } });
    }
    return text(404, 'not found');
  };
}
