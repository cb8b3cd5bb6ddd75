import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../electron/shared/api.ts';
import type { MediaKind } from '../../electron/shared/handlers.ts';
import { isServablePath, parseMediaUrl, resolveMedia, type GuardedMediaProvider } from '../../electron/transport/media-guard.ts';
import { resolveStaticFile, safeSegments } from '../../electron/transport/static-files.ts';

describe('parseMediaUrl', () => {
  it('accepts the desktop scheme and the web path', () => {
    expect(parseMediaUrl('shiguang://media/thumb/12')).toEqual({ kind: 'thumb', photoId: 12 });
    expect(parseMediaUrl('shiguang://media/original/7')).toEqual({ kind: 'original', photoId: 7 });
    expect(parseMediaUrl('/media/thumb/3?token=abc')).toEqual({ kind: 'thumb', photoId: 3 });
    expect(parseMediaUrl('http://127.0.0.1:5000/media/original/99')).toEqual({ kind: 'original', photoId: 99 });
    // A Live Photo's clip, by its photo's id.
    expect(parseMediaUrl('shiguang://media/live/8')).toEqual({ kind: 'live', photoId: 8 });
    expect(parseMediaUrl('/media/live/8?token=abc')).toEqual({ kind: 'live', photoId: 8 });
  });

  it.each([
    'shiguang://app/thumb/1', // wrong host
    'shiguang://media/preview/1', // unknown kind
    'shiguang://media/thumb/0',
    'shiguang://media/thumb/-1',
    'shiguang://media/thumb/1.5',
    'shiguang://media/thumb/1e3',
    'shiguang://media/thumb/abc',
    'shiguang://media/thumb/1/extra',
    'shiguang://media/thumb/%31',
    'shiguang://media/thumb/../../etc/passwd',
    'shiguang://media/thumb/%2e%2e/%2e%2e/etc/passwd',
    '/media/thumb/..%2f..%2fetc%2fpasswd',
    '/media/thumb/1%00',
    '/media/thumb/99999999999999999999',
    '/api/search',
    'file:///media/thumb/1',
    'javascript:alert(1)',
    '',
  ])('refuses %s', (url) => {
    expect(parseMediaUrl(url)).toBeNull();
  });
});

describe('isServablePath', () => {
  const roots = ['/photos', '/data/shiguang/thumbnails'];

  it('allows files strictly inside a root', () => {
    expect(isServablePath('/photos/a.jpg', roots)).toBe(true);
    expect(isServablePath('/photos/2024/trip/b.jpg', roots)).toBe(true);
    expect(isServablePath('/data/shiguang/thumbnails/1.webp', roots)).toBe(true);
    expect(isServablePath('/photos/..hidden.jpg', roots)).toBe(true); // a name starting with "..", not a parent
  });

  it('refuses the root itself, parents, siblings and prefix tricks', () => {
    expect(isServablePath('/photos', roots)).toBe(false);
    expect(isServablePath('/photos/../etc/passwd', roots)).toBe(false);
    expect(isServablePath('/photos2/a.jpg', roots)).toBe(false);
    expect(isServablePath('/photo/a.jpg', roots)).toBe(false);
    expect(isServablePath('/etc/passwd', roots)).toBe(false);
    expect(isServablePath('relative/a.jpg', roots)).toBe(false);
    expect(isServablePath('/photos/a\0.jpg', roots)).toBe(false);
    expect(isServablePath('/photos/a.jpg', [])).toBe(false);
    expect(isServablePath('/photos/a.jpg', ['', 'photos'])).toBe(false);
  });

  it('uses Windows semantics with path.win32', () => {
    const w = path.win32;
    expect(isServablePath('C:\\Users\\me\\Pictures\\a.jpg', ['C:\\Users\\me\\Pictures'], w)).toBe(true);
    expect(isServablePath('c:\\users\\ME\\pictures\\a.jpg', ['C:\\Users\\me\\Pictures'], w)).toBe(true);
    expect(isServablePath('C:\\Users\\me\\Pictures2\\a.jpg', ['C:\\Users\\me\\Pictures'], w)).toBe(false);
    expect(isServablePath('D:\\Users\\me\\Pictures\\a.jpg', ['C:\\Users\\me\\Pictures'], w)).toBe(false);
    expect(isServablePath('C:\\Users\\me\\Pictures\\..\\secret.txt', ['C:\\Users\\me\\Pictures'], w)).toBe(false);
    expect(isServablePath('C:/Users/me/Pictures/x/a.jpg', ['C:\\Users\\me\\Pictures'], w)).toBe(true);
  });
});

describe('resolveMedia against a real directory tree', () => {
  let tmp: string;
  let library: string;
  let thumbs: string;
  let files: Record<string, string>;

  beforeAll(() => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-guard-')));
    library = path.join(tmp, 'photos');
    thumbs = path.join(tmp, 'cache', 'thumbnails');
    const outside = path.join(tmp, 'secret');
    const sibling = path.join(tmp, 'photos2');
    for (const d of [library, thumbs, outside, sibling, path.join(library, 'sub')]) fs.mkdirSync(d, { recursive: true });
    fs.writeFileSync(path.join(library, 'sub', 'cat.jpg'), 'jpegbytes');
    fs.writeFileSync(path.join(library, 'notes.txt'), 'text');
    fs.writeFileSync(path.join(thumbs, '1.webp'), 'webpbytes');
    fs.writeFileSync(path.join(outside, 'key.jpg'), 'secret');
    fs.writeFileSync(path.join(sibling, 'b.jpg'), 'sibling');
    // A symlink inside the library pointing out of it, and one to a whole outside directory.
    fs.symlinkSync(path.join(outside, 'key.jpg'), path.join(library, 'escape.jpg'));
    fs.symlinkSync(outside, path.join(library, 'linkdir'));
    // A symlink staying inside the library is fine.
    fs.symlinkSync(path.join(library, 'sub', 'cat.jpg'), path.join(library, 'alias.jpg'));
    files = {
      '1:original': path.join(library, 'sub', 'cat.jpg'),
      '1:thumb': path.join(thumbs, '1.webp'),
      '2:original': path.join(library, 'escape.jpg'),
      '3:original': path.join(library, 'linkdir', 'key.jpg'),
      '4:original': path.join(library, '..', 'photos2', 'b.jpg'),
      '5:original': path.join(library, 'notes.txt'),
      '6:original': path.join(library, 'missing.jpg'),
      '7:original': path.join(library, 'alias.jpg'),
      '8:original': path.join(library, '..', 'secret', 'key.jpg'),
      '9:thumb': path.join(library, 'sub', 'cat.jpg'),
      '10:original': path.join(thumbs, '1.webp'),
    };
  });

  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  function provider(withThumbRoots = true): GuardedMediaProvider {
    return {
      mediaFile: async (id: number, kind: MediaKind) => {
        const f = files[`${id}:${kind}`];
        if (!f) throw new ApiError('NOT_FOUND', `photo ${id} is not in the index`);
        return f;
      },
      // Given with a trailing ".." detour on purpose: roots are real-pathed before comparing.
      libraryRoots: async () => [path.join(library, 'sub', '..')],
      ...(withThumbRoots ? { thumbnailRoots: async () => [thumbs] } : {}),
    };
  }

  it('serves an indexed original inside the library with its type and validators', async () => {
    const r = await resolveMedia(provider(), { photoId: 1, kind: 'original' });
    expect(r.type).toBe('file');
    if (r.type !== 'file') return;
    expect(r.file).toBe(files['1:original']);
    expect(r.headers['Content-Type']).toBe('image/jpeg');
    expect(r.headers['Cache-Control']).toContain('no-cache');
    expect(r.headers['Content-Length']).toBe('9');
    const again = await resolveMedia(provider(), { photoId: 1, kind: 'original' }, r.headers.ETag);
    expect(again.type).toBe('not-modified');
  });

  it('serves thumbnails from the thumbnail root only for kind thumb', async () => {
    const t = await resolveMedia(provider(), { photoId: 1, kind: 'thumb' });
    expect(t.type === 'file' && t.headers['Content-Type']).toBe('image/webp');
    // Without the thumbnail root declared, the cache is outside every root.
    expect(await resolveMedia(provider(false), { photoId: 1, kind: 'thumb' })).toMatchObject({ type: 'error', status: 403 });
    // The thumbnail directory does not widen what originals may be served from.
    expect(await resolveMedia(provider(), { photoId: 10, kind: 'original' })).toMatchObject({ type: 'error', status: 403 });
  });

  it('refuses symlinks escaping the library, sibling prefixes and outside paths', async () => {
    for (const id of [2, 3, 4, 8]) {
      expect(await resolveMedia(provider(), { photoId: id, kind: 'original' }), `photo ${id}`).toMatchObject({ type: 'error', status: 403 });
    }
  });

  it('refuses the thumbnail of a photo whose source is outside the library, before asking for it', async () => {
    const asked: string[] = [];
    const base = provider();
    const p: GuardedMediaProvider = {
      ...base,
      mediaFile: async (id, kind) => {
        asked.push(`${id}:${kind}`);
        // An engine that would happily render any source into its cache.
        return kind === 'thumb' ? path.join(thumbs, '1.webp') : base.mediaFile(id, kind);
      },
    };
    for (const id of [2, 3, 8]) {
      expect(await resolveMedia(p, { photoId: id, kind: 'thumb' }), `photo ${id}`).toMatchObject({ type: 'error', status: 403 });
    }
    expect(asked.filter((a) => a.endsWith(':thumb'))).toEqual([]);
    expect(await resolveMedia(p, { photoId: 1, kind: 'thumb' })).toMatchObject({ type: 'file' });
  });

  it('follows a symlink that stays inside the library', async () => {
    const r = await resolveMedia(provider(), { photoId: 7, kind: 'original' });
    expect(r.type === 'file' && r.file).toBe(files['1:original']);
  });

  it('refuses non-image files, missing files and unknown ids', async () => {
    expect(await resolveMedia(provider(), { photoId: 5, kind: 'original' })).toMatchObject({ type: 'error', status: 403 });
    expect(await resolveMedia(provider(), { photoId: 6, kind: 'original' })).toMatchObject({ type: 'error', status: 404 });
    expect(await resolveMedia(provider(), { photoId: 404, kind: 'original' })).toMatchObject({ type: 'error', status: 404 });
  });

  it('maps an unavailable engine to 503', async () => {
    const down: GuardedMediaProvider = {
      mediaFile: async () => {
        throw new ApiError('ENGINE_UNAVAILABLE', 'restarting');
      },
      libraryRoots: async () => [library],
    };
    expect(await resolveMedia(down, { photoId: 1, kind: 'thumb' })).toMatchObject({ type: 'error', status: 503 });
  });
});

describe('static files', () => {
  let tmp: string;
  let dist: string;

  beforeAll(() => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-static-')));
    dist = path.join(tmp, 'dist');
    fs.mkdirSync(path.join(dist, 'assets'), { recursive: true });
    fs.writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>拾光</title>');
    fs.writeFileSync(path.join(dist, 'assets', 'index-abc.js'), 'console.log(1)');
    fs.writeFileSync(path.join(dist, 'icon.svg'), '<svg/>');
    fs.writeFileSync(path.join(dist, '.env'), 'SECRET=1');
    fs.writeFileSync(path.join(tmp, 'secret.txt'), 'secret');
    fs.symlinkSync(path.join(tmp, 'secret.txt'), path.join(dist, 'leak.txt'));
  });

  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('serves files with MIME types and cache policy', async () => {
    const index = await resolveStaticFile(dist, '/');
    expect(index).toMatchObject({ type: 'file', isIndex: true });
    if (index.type === 'file') {
      expect(index.headers['Content-Type']).toBe('text/html; charset=utf-8');
      expect(index.headers['Cache-Control']).toBe('no-store');
    }
    const js = await resolveStaticFile(dist, '/assets/index-abc.js');
    expect(js.type === 'file' && js.headers['Content-Type']).toBe('text/javascript; charset=utf-8');
    expect(js.type === 'file' && js.headers['Cache-Control']).toContain('immutable');
    const svg = await resolveStaticFile(dist, '/icon.svg');
    expect(svg.type === 'file' && svg.headers['Content-Type']).toBe('image/svg+xml');
  });

  it('falls back to index.html for routes but not for missing assets', async () => {
    expect(await resolveStaticFile(dist, '/albums/2024')).toMatchObject({ type: 'file', isIndex: true });
    expect(await resolveStaticFile(dist, '/assets/missing.js')).toMatchObject({ type: 'error', status: 404 });
  });

  it.each(['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/%2e%2e%5csecret.txt', '/.env', '/a%00b', '/%E0%A4%A'])(
    'refuses %s',
    async (p) => {
      const r = await resolveStaticFile(dist, p);
      expect(r.type).toBe('error');
    },
  );

  it('refuses a symlink out of the build directory', async () => {
    expect(await resolveStaticFile(dist, '/leak.txt')).toMatchObject({ type: 'error', status: 404 });
  });

  it('splits segments safely', () => {
    expect(safeSegments('/a/b%20c/')).toEqual(['a', 'b c']);
    expect(safeSegments('/a/%2e%2e')).toBeNull();
    expect(safeSegments('/a/C:x')).toBeNull();
  });
});
