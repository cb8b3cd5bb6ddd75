/**
 * When a library folder is offline (library/root-availability.ts), with the file-system calls a
 * probe makes replaced where a real disk cannot show the case (a share that never answers, a
 * device number that changed), and the deadline that keeps a hung share from piling up calls.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeRoot, RootAvailability, type ProbeFs } from '../../electron/engine/library/root-availability.ts';
import { FolderTimeoutError, isHung, withDeadline } from '../../electron/engine/library/fs-deadline.ts';
import { openLibrary, type Library } from '../../electron/engine/store/library.ts';
import type { KnownFile } from '../../electron/engine/store/photo-identity.ts';

const errno = (code: string): NodeJS.ErrnoException => Object.assign(new Error(code), { code });
const never = <T>(): Promise<T> => new Promise<T>(() => undefined);

/** A folder on device `dev` holding `entries` and the files in `files` (path → size, mtime). */
function fakeFs(o: { dev?: number; entries?: number; files?: Record<string, { size: number; mtimeMs: number }>; stat?: () => Promise<never>; opendir?: () => Promise<never> }): ProbeFs {
  return {
    stat: o.stat ?? (async () => ({ dev: o.dev ?? 1, isDirectory: () => true })),
    lstat: async (p) => {
      const f = o.files?.[p];
      if (!f) throw errno('ENOENT');
      return { dev: o.dev ?? 1, ino: 7, ...f };
    },
    opendir:
      o.opendir ??
      (async () => {
        let left = o.entries ?? 1;
        return { read: async () => (left-- > 0 ? {} : null), close: async () => undefined };
      }),
  };
}

const known = (p: string, size = 100, mtimeMs = 1000): KnownFile => ({ id: 1, path: p, folderId: 1, size, mtimeMs, fileId: '1:7', hash: 'h', status: 'indexed', skipReason: null });

describe('probeRoot', () => {
  const root = '/media/USB/Photos';
  const samples = [known(`${root}/a.jpg`), known(`${root}/b.jpg`)];

  it('missing, not a folder and unreadable are offline, each with its reason', async () => {
    expect(await probeRoot({ path: root, device: '1', samples: () => [] }, { fs: fakeFs({ stat: () => Promise.reject(errno('ENOENT')) }) })).toMatchObject({ online: false, reason: 'missing' });
    expect(await probeRoot({ path: root, device: '1', samples: () => [] }, { fs: { ...fakeFs({}), stat: async () => ({ dev: 1, isDirectory: () => false }) } })).toMatchObject({
      online: false,
      reason: 'not-a-folder',
    });
    expect(await probeRoot({ path: root, device: '1', samples: () => [] }, { fs: fakeFs({ opendir: () => Promise.reject(errno('EACCES')) }) })).toMatchObject({
      online: false,
      reason: 'unreadable',
      detail: expect.stringMatching(/permission denied/),
    });
    expect(await probeRoot({ path: root, device: '1', samples: () => [] }, { fs: fakeFs({ opendir: () => Promise.reject(errno('EIO')) }) })).toMatchObject({ online: false, reason: 'unreadable', detail: expect.stringMatching(/EIO/) });
  });

  it('a folder that does not answer is offline after the deadline', async () => {
    const r = await probeRoot({ path: '/net/nas-a', device: '1', samples: () => [] }, { fs: fakeFs({ stat: never }), timeoutMs: 50 });
    expect(r).toMatchObject({ online: false, reason: 'timeout', detail: expect.stringMatching(/did not answer within 0\.1 s|did not answer within 0 s/) });
  });

  it('on the device it was on: online, without looking at its photos', async () => {
    let sampled = false;
    const r = await probeRoot({ path: root, device: '5', samples: () => ((sampled = true), samples) }, { fs: fakeFs({ dev: 5 }) });
    expect(r).toEqual({ online: true, device: '5' });
    expect(sampled).toBe(false);
  });

  it('on another device: online when its photos are there (the same drive, renumbered), offline when not (unplugged, or another drive)', async () => {
    const files = { [`${root}/a.jpg`]: { size: 100, mtimeMs: 1000 }, [`${root}/b.jpg`]: { size: 100, mtimeMs: 1000.4 } };
    expect(await probeRoot({ path: root, device: '5', samples: () => samples }, { fs: fakeFs({ dev: 9, files }) })).toEqual({ online: true, device: '9' });
    // The mount point left empty, or a drive whose files differ.
    expect(await probeRoot({ path: root, device: '5', samples: () => samples }, { fs: fakeFs({ dev: 9, entries: 0 }) })).toMatchObject({ online: false, reason: 'mount-changed' });
    const other = { [`${root}/a.jpg`]: { size: 5, mtimeMs: 1000 } };
    expect(await probeRoot({ path: root, device: '5', samples: () => samples }, { fs: fakeFs({ dev: 9, files: other }) })).toMatchObject({ online: false, reason: 'mount-changed' });
    // A folder with no photos yet has nothing to lose.
    expect(await probeRoot({ path: root, device: '5', samples: () => [] }, { fs: fakeFs({ dev: 9, entries: 0 }) })).toEqual({ online: true, device: '9' });
  });

  it('device never recorded (a library from before): only an empty folder whose photos are not there is offline', async () => {
    expect(await probeRoot({ path: root, device: null, samples: () => samples }, { fs: fakeFs({ dev: 3, entries: 4 }) })).toEqual({ online: true, device: '3' });
    expect(await probeRoot({ path: root, device: null, samples: () => samples }, { fs: fakeFs({ dev: 3, entries: 0 }) })).toMatchObject({ online: false, reason: 'mount-changed' });
  });
});

describe('withDeadline', () => {
  it('gives up on a call that hangs, and refuses new calls on that folder at once until it answers', async () => {
    let answer!: () => void;
    const hung = new Promise<void>((r) => (answer = r));
    await expect(withDeadline('/net/nas-b', 30, () => hung)).rejects.toBeInstanceOf(FolderTimeoutError);
    expect(isHung('/net/nas-b')).toBe(true);
    let called = false;
    const refused = await withDeadline('/net/nas-b', 30, async () => {
      called = true;
    }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ stillPending: true, message: expect.stringMatching(/has still not answered/) });
    expect(called).toBe(false); // no second pool thread spent on a dead share
    expect(await withDeadline('/net/other', 30, async () => 'fine')).toBe('fine'); // other folders unaffected
    answer();
    await hung;
    await new Promise((r) => setImmediate(r));
    expect(isHung('/net/nas-b')).toBe(false);
    expect(await withDeadline('/net/nas-b', 30, async () => 'back')).toBe('back');
  });
});

describe('RootAvailability over the library', () => {
  let tmp: string;
  let lib: Library;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-roots-'));
    lib = openLibrary(path.join(tmp, 'lib.db'));
  });
  afterAll(() => {
    lib.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('records the device, marks offline since the first time, and tells listeners of each change only', async () => {
    const dir = path.join(tmp, 'photos');
    fs.mkdirSync(dir);
    const folder = lib.folders.add(dir);
    const roots = new RootAvailability(lib);
    const changes: string[] = [];
    roots.onChange((s) => changes.push(`${s.probe.online ? 'online' : 'offline'}`));
    expect((await roots.check(folder.id))?.probe).toEqual({ online: true, device: String(fs.statSync(dir).dev) });
    expect(lib.folders.get(folder.id)?.device).toBe(String(fs.statSync(dir).dev));
    expect(changes).toEqual([]); // it was online already

    fs.renameSync(dir, `${dir}-away`);
    await roots.check(folder.id);
    const since = lib.folders.get(folder.id)?.offline?.since;
    expect(lib.folders.get(folder.id)?.offline).toEqual({ since: expect.any(Number), reason: 'missing' });
    await roots.check(folder.id);
    expect(lib.folders.get(folder.id)?.offline?.since).toBe(since); // since the first time
    expect([...roots.offlineIds()]).toEqual([folder.id]);

    fs.renameSync(`${dir}-away`, dir);
    await roots.check(folder.id);
    expect(lib.folders.get(folder.id)?.offline).toBeNull();
    expect(changes).toEqual(['offline', 'online']);
  });

  it('a drive back under a new device number: its photos keep their file identities, renumbered', async () => {
    const dir = path.join(tmp, 'renumbered');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'a.jpg'), 'x');
    const st = fs.statSync(path.join(dir, 'a.jpg'));
    const folder = lib.folders.add(dir);
    lib.folders.markOnline(folder.id, '4242');
    lib.transaction(() => {
      const row = lib.identity.insert({ path: path.join(dir, 'a.jpg'), folderId: folder.id, size: st.size, mtimeMs: st.mtimeMs, fileId: `4242:${st.ino}` }, 'hash-a');
      lib.photos.markIndexed(row.id, { width: 1, height: 1, takenAt: 0, takenAtSource: 'mtime', cameraMake: null, cameraModel: null, gpsLat: null, gpsLon: null });
    });
    const state = await new RootAvailability(lib).check(folder.id);
    expect(state?.probe).toEqual({ online: true, device: String(st.dev) });
    expect(lib.identity.knownAt(path.join(dir, 'a.jpg'))?.fileId).toBe(`${st.dev}:${st.ino}`);
  });
});
