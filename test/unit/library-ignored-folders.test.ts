import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isIgnoredFolder, isUnderIgnoredFolder } from '../../electron/engine/library/ignored-folders.ts';
import { isIndexablePath } from '../../electron/engine/library/scanner.ts';

const segs = (p: string): string[] => p.split('/');
const under = (root: string, p: string, folder = false): boolean =>
  isUnderIgnoredFolder(root.split('/').join(path.sep), p.split('/').join(path.sep), folder);

describe('folders that hold no photos of the person', () => {
  it.each([
    ['/Users/alice', 'Library'],
    ['/Users/alice', 'library'],
    ['C:/Users/bob', 'AppData'],
    ['/volume1/photo', '@eaDir'],
    ['/volume1/photo', '#snapshot'],
    ['/volume1/photo', '#recycle'],
    ['/share/Photos', '@Recycle'],
    ['/share/Photos', '@Recently-Snapshot'],
    ['E:', '$Recycle.Bin'],
    ['E:', '$RECYCLE.BIN'],
    ['E:', 'System Volume Information'],
    ['E:', 'FileHistory'],
    ['C:', 'Windows'],
    ['C:', 'Program Files (x86)'],
    ['/Volumes/TM', 'Backups.backupdb'],
    ['/mnt/disk', 'lost+found'],
    ['/Users/alice/Applications', 'WeChat.app'],
    ['/Users/alice/Pictures/Lightroom', 'Lightroom Catalog Smart Previews.lrdata'],
    ['/Users/alice/Pictures/Photos Library.photoslibrary', 'resources'],
    ['/Users/alice/Pictures/Photos Library.photoslibrary', 'database'],
    ['/Users/alice/Pictures/iPhoto Library.photolibrary', 'Thumbnails'],
    ['/home/carol', '.cache'],
    ['/home/carol/code', 'node_modules'],
    ['/backup/手机/Android', 'data'],
    ['/backup/手机/Android', 'obb'],
  ])('%s/%s is skipped', (parent, name) => {
    expect(isIgnoredFolder(segs(parent), name)).toBe(true);
  });

  it.each([
    ['/Users/alice', 'Pictures'],
    ['/Users/alice/Pictures', 'Library'], // a folder of that name anywhere but a home's top is a person's
    ['/Users/alice/Pictures/Photos Library.photoslibrary', 'originals'],
    ['/Users/alice/Pictures/Aperture Library.aplibrary', 'Masters'],
    ['/Users/alice/Pictures/Photos Library.photoslibrary/originals', 'A'],
    ['/media/carol/DISK/Photos', 'Windows'], // the window-cleaning job, not C:\Windows
    ['/home/carol', 'snapshot'],
    ['/home/carol', 'recycle'],
    ['/home/carol', 'applications'],
    ['/home/carol/Pictures', '2024 Apps'],
    ['/backup/手机', 'DCIM'],
    ['/backup/手机/Android', 'media'], // WhatsApp's pictures live in Android/media since Android 11
    ['/backup/手机/DCIM', 'data'],
  ])('%s/%s is read', (parent, name) => {
    expect(isIgnoredFolder(segs(parent), name)).toBe(false);
  });

  it('judges only what lies below the root: a folder the person added is read, wherever it is', () => {
    expect(under('/Users/alice', '/Users/alice/Library/Caches/x.jpg')).toBe(true);
    expect(under('/Users/alice/Library/Mobile Documents/com~apple~CloudDocs', '/Users/alice/Library/Mobile Documents/com~apple~CloudDocs/Photos/x.jpg')).toBe(false);
    expect(under('/Users/alice/Pictures/Photos Library.photoslibrary', '/Users/alice/Pictures/Photos Library.photoslibrary/originals/0/x.heic')).toBe(false);
    expect(under('/Users/alice/Pictures/Photos Library.photoslibrary', '/Users/alice/Pictures/Photos Library.photoslibrary/resources/derivatives/0/x.jpeg')).toBe(true);
    expect(under('/volume1/photo/@eaDir', '/volume1/photo/@eaDir/x.jpg')).toBe(false);
    expect(under('/Users', '/Users/alice/Library/x.jpg')).toBe(true);
    expect(under('/', '/Windows/Web/Wallpaper/img0.jpg')).toBe(true);
    expect(under('/Users/alice/', '/Users/alice/Library/x.jpg')).toBe(true); // a root written with its separator
  });

  it('judges the last segment only when it is a folder (the watcher knows which)', () => {
    expect(under('/Users/alice', '/Users/alice/Library', false)).toBe(false);
    expect(under('/Users/alice', '/Users/alice/Library', true)).toBe(true);
    expect(under('/n', '/n/@eaDir', true)).toBe(true);
  });

  it('isIndexablePath agrees: a photo under such a folder, or hidden, is not the library’s', () => {
    const root = path.join(path.sep, 'Users', 'alice');
    expect(isIndexablePath(root, path.join(root, 'Pictures', 'a.jpg'))).toBe(true);
    expect(isIndexablePath(root, path.join(root, 'Library', 'Caches', 'a.jpg'))).toBe(false);
    expect(isIndexablePath(root, path.join(root, 'Pictures', '.a.jpg'))).toBe(false);
    expect(isIndexablePath(root, path.join(root, 'Pictures', 'A.photoslibrary', 'originals', 'a.jpg'))).toBe(true);
    expect(isIndexablePath(root, path.join(root, 'Pictures', 'A.photoslibrary', 'resources', 'a.jpg'))).toBe(false);
    expect(isIndexablePath(root, path.join(path.sep, 'elsewhere', 'a.jpg'))).toBe(false);
  });
});

describe('roots of every shape', () => {
  it('a Windows drive root and network share roots', () => {
    const w = (root: string, p: string): boolean => isUnderIgnoredFolder(root, p, false, '\\');
    expect(w('C:\\', 'C:\\Windows\\Web\\img0.jpg')).toBe(true);
    expect(w('C:\\', 'C:\\Photos\\img0.jpg')).toBe(false);
    expect(w('D:\\Users\\bob', 'D:\\Users\\bob\\AppData\\Local\\a.jpg')).toBe(true);
    expect(w('\\\\nas\\#recycle', '\\\\nas\\#recycle\\a.jpg')).toBe(false); // the root is the person's choice
    expect(w('\\\\nas\\photo', '\\\\nas\\photo\\@eaDir\\a.jpg')).toBe(true);
    expect(w('\\\\nas\\photo\\', '\\\\nas\\photo\\2024\\a.jpg')).toBe(false);
  });
  it('the file system root', () => {
    expect(isUnderIgnoredFolder('/', '/Windows/a.jpg', false, '/')).toBe(true);
    expect(isUnderIgnoredFolder('/', '/photos/a.jpg', false, '/')).toBe(false);
  });
});
