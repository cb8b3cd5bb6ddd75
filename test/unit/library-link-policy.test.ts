/**
 * The one symlink policy (library/link-policy.ts) and file names that are not UTF-8
 * (library/file-names.ts), as the scanner applies them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeName } from '../../electron/engine/library/file-names.ts';
import { LibraryBounds, PolicySkip } from '../../electron/engine/library/link-policy.ts';
import { walkPhotos, type FoundFile } from '../../electron/engine/library/scanner.ts';

describe('decodeName', () => {
  it('keeps valid names exactly and writes each invalid byte as \\xNN', () => {
    expect(decodeName(Buffer.from('🌸 樱花.jpg'))).toEqual({ text: '🌸 樱花.jpg', valid: true });
    expect(decodeName(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x2e, 0x6a, 0x70, 0x67]))).toEqual({ text: 'caf\\xE9.jpg', valid: false });
    // A valid multi-byte character next to invalid bytes survives; an overlong "/" does not sneak in.
    expect(decodeName(Buffer.concat([Buffer.from('光'), Buffer.from([0xff, 0xc0, 0xaf])])).text).toBe('光\\xFF\\xC0\\xAF');
    // A lone surrogate encoded in UTF-8 (CESU) is invalid.
    expect(decodeName(Buffer.from([0xed, 0xa0, 0x80])).valid).toBe(false);
  });
});

describe.skipIf(process.platform === 'win32')('link policy', () => {
  let tmp: string;
  let root: string;
  let outside: string;
  let bounds: LibraryBounds;

  beforeAll(async () => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'link-policy-')));
    const realRoot = path.join(tmp, 'real-photos');
    outside = path.join(tmp, 'outside');
    fs.mkdirSync(path.join(realRoot, 'sub'), { recursive: true });
    fs.mkdirSync(outside);
    // The root itself is reached through a link: allowed, and resolved.
    root = path.join(tmp, 'photos');
    fs.symlinkSync(realRoot, root);
    fs.writeFileSync(path.join(root, 'sub', 'a.jpg'), 'a');
    fs.writeFileSync(path.join(outside, 'secret.jpg'), 's');
    fs.symlinkSync(path.join(outside, 'secret.jpg'), path.join(root, 'escape.jpg'));
    fs.symlinkSync(path.join(root, 'sub', 'a.jpg'), path.join(root, 'alias.jpg'));
    fs.symlinkSync('loop.jpg', path.join(root, 'loop.jpg'));
    fs.symlinkSync(path.join(tmp, 'nothing.jpg'), path.join(root, 'dangling.jpg'));
    fs.symlinkSync(outside, path.join(root, 'outdir'));
    fs.symlinkSync('.', path.join(root, 'sub', 'again'));
    fs.writeFileSync(Buffer.from(path.join(root, 'sub') + '/\xff.jpg', 'latin1'), 'x');
    bounds = await LibraryBounds.resolve([root]);
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('classifies links by where they lead, without following them', async () => {
    expect(await bounds.classifyLink(path.join(root, 'escape.jpg'))).toBe('outside');
    expect(await bounds.classifyLink(path.join(root, 'alias.jpg'))).toBe('inside');
    expect(await bounds.classifyLink(path.join(root, 'loop.jpg'))).toBe('loop');
    expect(await bounds.classifyLink(path.join(root, 'dangling.jpg'))).toBe('dangling');
  });

  it('checkReadable returns the real path of a regular file inside, refuses links', async () => {
    expect(await bounds.checkReadable(path.join(root, 'sub', 'a.jpg'))).toBe(path.join(tmp, 'real-photos', 'sub', 'a.jpg'));
    for (const f of ['escape.jpg', 'alias.jpg', 'loop.jpg', 'dangling.jpg', 'outdir/secret.jpg']) {
      await expect(bounds.checkReadable(path.join(root, f)), f).rejects.toBeInstanceOf(PolicySkip);
    }
  });

  it('the scan follows no link below the root, reports photo-named links and unreadable names', async () => {
    const found: FoundFile[] = [];
    for await (const f of walkPhotos(root, bounds)) found.push(f);
    const byName = Object.fromEntries(found.map((f) => [path.relative(root, f.path), f.skip ?? 'read']));
    expect(byName).toEqual({
      'sub/a.jpg': 'read',
      'sub/\\xFF.jpg': expect.stringMatching(/^unreadable-name: /),
      'escape.jpg': expect.stringMatching(/^symlink: a link to a file outside/),
      'alias.jpg': expect.stringMatching(/^symlink: a link to a photo inside/),
      'loop.jpg': expect.stringMatching(/^symlink: .*loop/),
      'dangling.jpg': expect.stringMatching(/^symlink: .*does not exist/),
    });
  });
});
