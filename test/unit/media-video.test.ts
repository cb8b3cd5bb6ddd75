/**
 * Videos through the media guard, on both transports: originals with HTTP Range requests (what a
 * <video> element sends), a segment's frame (`frame/<id>/<ms>`), and the guard's refusals — a
 * video outside the library roots (a link planted in a watched folder) is never served, whole or
 * in part. The files are real clips (AndroidX Media's sample.mp4), so a byte range is checked
 * against the file's own bytes.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../electron/shared/api.ts';
import type { MediaKind } from '../../electron/shared/handlers.ts';
import { desktopMediaUrl } from '../../electron/shared/ipc.ts';
import { createAppProtocolHandler } from '../../electron/main/protocol.ts';
import { createWebServer, type WebServer } from '../../electron/server/web-server.ts';
import { answerRange } from '../../electron/transport/byte-range.ts';
import { parseMediaUrl, type GuardedMediaProvider } from '../../electron/transport/media-guard.ts';
import { createHttpTransport } from '../../renderer/src/api/http.ts';
import { localRequest } from '../support/local-http.ts';

const TOKEN = 'video-token-0123456789abcdef';
const clip = path.resolve('test/fixtures/video/sample.mp4');

describe('byte ranges', () => {
  const v = { etag: 'W/"1"', lastModified: 'Sat, 06 Dec 2026 10:00:00 GMT' };
  it('answers the forms media elements send, and refuses what lies past the end', () => {
    expect(answerRange(undefined, 1000, v)).toEqual({ type: 'whole' });
    expect(answerRange('bytes=0-', 1000, v)).toEqual({ type: 'partial', start: 0, end: 999 });
    expect(answerRange('bytes=100-199', 1000, v)).toEqual({ type: 'partial', start: 100, end: 199 });
    expect(answerRange('bytes=900-5000', 1000, v)).toEqual({ type: 'partial', start: 900, end: 999 });
    expect(answerRange('bytes=-100', 1000, v)).toEqual({ type: 'partial', start: 900, end: 999 });
    expect(answerRange('bytes=-5000', 1000, v)).toEqual({ type: 'partial', start: 0, end: 999 });
    expect(answerRange('bytes=1000-', 1000, v)).toEqual({ type: 'unsatisfiable' });
    expect(answerRange('bytes=-0', 1000, v)).toEqual({ type: 'unsatisfiable' });
    expect(answerRange('bytes=0-0', 0, v)).toEqual({ type: 'unsatisfiable' });
    // Ignored (the whole file): several ranges, other units, nonsense, an If-Range that no longer matches.
    expect(answerRange('bytes=0-1,5-6', 1000, v)).toEqual({ type: 'whole' });
    expect(answerRange('items=0-1', 1000, v)).toEqual({ type: 'whole' });
    expect(answerRange('bytes=500-100', 1000, v)).toEqual({ type: 'whole' });
    expect(answerRange('bytes=0-99', 1000, { ...v, ifRange: 'W/"0"' })).toEqual({ type: 'whole' });
    expect(answerRange('bytes=0-99', 1000, { ...v, ifRange: v.lastModified })).toEqual({ type: 'partial', start: 0, end: 99 });
  });

  it('media URLs: a frame carries its moment; anything else is refused', () => {
    expect(parseMediaUrl(desktopMediaUrl(12, 'frame', 5400))).toEqual({ kind: 'frame', photoId: 12, atMs: 5400 });
    expect(parseMediaUrl('/media/frame/12/0?token=x')).toEqual({ kind: 'frame', photoId: 12, atMs: 0 });
    expect(createHttpTransport('t').mediaUrl(7, 'frame', 1234.4)).toBe('/media/frame/7/1234?token=t');
    for (const bad of ['/media/frame/12', '/media/frame/12/-1', '/media/frame/12/1.5', '/media/frame/0/1', '/media/frame/12/1/2', '/media/frame/12/%31']) {
      expect(parseMediaUrl(bad), bad).toBeNull();
    }
  });
});

describe('videos on the desktop protocol and the web server', () => {
  let tmp: string;
  let library: string;
  let thumbs: string;
  let server: WebServer;
  const bytes = fs.readFileSync(clip);
  const asked: { id: number; kind: MediaKind; atMs?: number }[] = [];

  beforeAll(async () => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-media-video-')));
    library = path.join(tmp, 'library');
    thumbs = path.join(tmp, 'thumbs');
    fs.mkdirSync(library);
    fs.mkdirSync(thumbs);
    fs.copyFileSync(clip, path.join(library, 'clip.mp4'));
    fs.copyFileSync(clip, path.join(library, 'clip.webm'));
    fs.copyFileSync(clip, path.join(tmp, 'outside.mp4'));
    fs.symlinkSync(path.join(tmp, 'outside.mp4'), path.join(library, 'planted.mp4'));
    fs.writeFileSync(path.join(thumbs, '5000.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xe0]));
    fs.mkdirSync(path.join(tmp, 'dist'));
    fs.writeFileSync(path.join(tmp, 'dist', 'index.html'), '<!doctype html>');
    server = await createWebServer({ services: {}, media: media(), staticDir: path.join(tmp, 'dist'), token: TOKEN });
  });

  afterAll(async () => {
    await server.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  function media(): GuardedMediaProvider {
    const originals: Record<number, string> = { 1: path.join(library, 'clip.mp4'), 2: path.join(library, 'planted.mp4'), 3: path.join(library, 'clip.webm') };
    return {
      mediaFile: async (id, kind, atMs) => {
        asked.push({ id, kind, atMs });
        if (!originals[id]) throw new ApiError('NOT_FOUND', `no photo with id ${id}`);
        if (kind === 'frame') return path.join(thumbs, `${atMs}.jpg`);
        if (kind === 'thumb') return path.join(thumbs, '5000.jpg');
        return originals[id]!;
      },
      libraryRoots: async () => [library],
      thumbnailRoots: async () => [thumbs],
    };
  }

  async function get(p: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
    const r = await localRequest(server.port, { path: p, headers });
    return { status: r.status, headers: r.headers, body: r.bytes };
  }


  it('web: a video original whole, then any range of it, byte for byte', async () => {
    const whole = await get(`/media/original/1?token=${TOKEN}`);
    expect(whole.status).toBe(200);
    expect(whole.headers['content-type']).toBe('video/mp4');
    expect(whole.headers['accept-ranges']).toBe('bytes');
    expect(whole.body.equals(bytes)).toBe(true);
    const part = await get(`/media/original/1?token=${TOKEN}`, { Range: 'bytes=1000-1999' });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 1000-1999/${bytes.length}`);
    expect(part.headers['content-length']).toBe('1000');
    expect(part.body.equals(bytes.subarray(1000, 2000))).toBe(true);
    const tail = await get(`/media/original/1?token=${TOKEN}`, { Range: 'bytes=-512' });
    expect(tail.status).toBe(206);
    expect(tail.body.equals(bytes.subarray(bytes.length - 512))).toBe(true);
    const past = await get(`/media/original/1?token=${TOKEN}`, { Range: `bytes=${bytes.length}-` });
    expect(past.status).toBe(416);
    expect(past.headers['content-range']).toBe(`bytes */${bytes.length}`);
    expect(past.body.length).toBe(0);
    expect((await get(`/media/original/3?token=${TOKEN}`)).headers['content-type']).toBe('video/webm');
  });

  it('web: outside the library roots nothing is served, not even a range; no token, nothing at all', async () => {
    for (const range of [undefined, 'bytes=0-99']) {
      const r = await get(`/media/original/2?token=${TOKEN}`, range ? { Range: range } : {});
      expect(r.status).toBe(403);
      expect(r.body.includes(bytes.subarray(0, 64))).toBe(false);
    }
    expect((await get('/media/original/1', { Range: 'bytes=0-99' })).status).toBe(401);
    // A frame of a video outside the roots is refused before the engine is asked to make one.
    asked.length = 0;
    expect((await get(`/media/frame/2/5000?token=${TOKEN}`)).status).toBe(403);
    expect(asked.filter((a) => a.kind === 'frame')).toEqual([]);
  });

  it('web: a segment frame is a picture from the thumbnail cache, asked for at its moment', async () => {
    asked.length = 0;
    const r = await get(`/media/frame/1/5000?token=${TOKEN}`);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('image/jpeg');
    expect(asked).toContainEqual({ id: 1, kind: 'frame', atMs: 5000 });
  });

  it('desktop protocol: ranges byte for byte, 416 past the end, refusals outside the roots', async () => {
    const handle = createAppProtocolHandler({ media: media(), staticDir: path.join(tmp, 'dist') });
    const whole = await handle(new Request('shiguang://media/original/1'));
    expect(whole.status).toBe(200);
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    expect(Buffer.from(await whole.arrayBuffer()).equals(bytes)).toBe(true);
    const part = await handle(new Request('shiguang://media/original/1', { headers: { Range: 'bytes=70000-' } }));
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 70000-${bytes.length - 1}/${bytes.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(70000))).toBe(true);
    expect((await handle(new Request('shiguang://media/original/1', { headers: { Range: 'bytes=999999999-' } }))).status).toBe(416);
    expect((await handle(new Request('shiguang://media/original/2', { headers: { Range: 'bytes=0-9' } }))).status).toBe(403);
    const frame = await handle(new Request(desktopMediaUrl(1, 'frame', 5000)));
    expect(frame.status).toBe(200);
    expect(frame.headers.get('content-type')).toBe('image/jpeg');
  });
});
