/**
 * Folders as people type them (library/folder-input.ts, index/folder-plan.ts): ~ and pasted
 * quotes, relative paths refused (or, for the CLI, read from its working folder), three different
 * refusals for missing / not a folder / unreadable — each with its reason and path for the
 * renderer — a subfolder of a library folder reported as included, and a parent taking over the
 * library folders inside it.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkFolderReadable, expandFolderInput, nestedRoots, placeFolder } from '../../electron/engine/library/folder-input.ts';
import { planFolders, type RootWriter } from '../../electron/engine/index/folder-plan.ts';
import { ApiError } from '../../electron/shared/api.ts';
import { rejectionOf } from '../support/rejection.ts';

const refusal = (p: Promise<unknown>): Promise<ApiError & { detail?: Record<string, string> }> => rejectionOf(p, ApiError);

describe('expandFolderInput', () => {
  const home = '/home/me';
  it('expands ~ and strips what a paste adds', () => {
    expect(expandFolderInput('~', { home })).toBe('/home/me');
    expect(expandFolderInput('~/Pictures', { home })).toBe('/home/me/Pictures');
    expect(expandFolderInput('  "/data/My Photos/" ', { home })).toBe('/data/My Photos');
    expect(expandFolderInput("'~/Pictures/2023'", { home })).toBe('/home/me/Pictures/2023');
    expect(expandFolderInput('/data/./Photos/../Photos', { home })).toBe('/data/Photos');
  });

  it('refuses a relative path with the reason (the server’s working folder is not where the person is)', () => {
    for (const typed of ['Pictures', './Pictures', '../x', '~bob/Pictures']) {
      let err: unknown;
      try {
        expandFolderInput(typed, { home });
      } catch (e) {
        err = e;
      }
      expect(err, typed).toMatchObject({ code: 'BAD_REQUEST', detail: { reason: 'folder-relative', path: typed }, message: expect.stringMatching(/relative path; give the folder's full path/) });
    }
  });

  it('reads a relative path from the working folder when there is one (the CLI, as a shell does)', () => {
    expect(expandFolderInput('Pictures', { home, cwd: '/work' })).toBe('/work/Pictures');
    expect(expandFolderInput('../Pictures', { home, cwd: '/work/x' })).toBe('/work/Pictures');
  });
});

describe('checkFolderReadable', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-folder-input-'));
    fs.writeFileSync(path.join(tmp, 'photo.jpg'), 'x');
    fs.mkdirSync(path.join(tmp, 'locked'));
    fs.writeFileSync(path.join(tmp, 'locked', 'inside.jpg'), 'x');
    fs.chmodSync(path.join(tmp, 'locked'), 0o000);
    fs.chmodSync(tmp, 0o755);
  });
  afterAll(() => {
    fs.chmodSync(path.join(tmp, 'locked'), 0o755);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('missing and not-a-folder are two different refusals, each naming the path', async () => {
    const missing = await refusal(checkFolderReadable(path.join(tmp, 'nope')));
    expect(missing).toMatchObject({ code: 'NOT_FOUND', detail: { reason: 'folder-missing', path: path.join(tmp, 'nope') } });
    const throughFile = await refusal(checkFolderReadable(path.join(tmp, 'photo.jpg', 'x')));
    expect(throughFile).toMatchObject({ code: 'NOT_FOUND', detail: { reason: 'folder-missing' } });
    const file = await refusal(checkFolderReadable(path.join(tmp, 'photo.jpg')));
    expect(file).toMatchObject({ code: 'BAD_REQUEST', detail: { reason: 'folder-not-a-folder', path: path.join(tmp, 'photo.jpg') }, message: expect.stringMatching(/not a folder \(it is a file\)/) });
    await expect(checkFolderReadable(tmp)).resolves.toBeUndefined();
  });

  it('unreadable is the third (a folder without permission, checked as a user that is not root)', async () => {
    const locked = path.join(tmp, 'locked');
    if (process.getuid?.() !== 0) {
      const err = await refusal(checkFolderReadable(locked));
      expect(err).toMatchObject({ code: 'BAD_REQUEST', detail: { reason: 'folder-unreadable', path: locked }, message: expect.stringMatching(/permission denied/) });
      return;
    }
    // Root reads everything: ask the same question as `nobody`.
    const script = `import { checkFolderReadable } from ${JSON.stringify(path.resolve('electron/engine/library/folder-input.ts'))};
      checkFolderReadable(process.argv[1]).then(() => console.log('{}'), (e) => console.log(JSON.stringify({ code: e.code, detail: e.detail, message: e.message })));`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, locked], { uid: 65534, gid: 65534, encoding: 'utf8', env: { ...process.env, HOME: tmp } });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!)).toMatchObject({ code: 'BAD_REQUEST', detail: { reason: 'folder-unreadable', path: locked }, message: expect.stringMatching(/permission denied/) });
  });
});

describe('placing a folder among the library folders', () => {
  const roots = [
    { id: 1, path: '/home/me/Pictures' },
    { id: 2, path: '/data/Photos/2023' },
    { id: 3, path: '/data/Photos/2024' },
  ];
  it('is a library folder, inside one, holding some, or new — by path segments', async () => {
    expect(await placeFolder('/home/me/Pictures', roots)).toEqual({ kind: 'root', root: roots[0] });
    expect(await placeFolder('/home/me/Pictures/trip', roots)).toEqual({ kind: 'inside', root: roots[0] });
    expect(await placeFolder('/data/Photos', roots)).toEqual({ kind: 'holds', children: [roots[1], roots[2]] });
    expect(await placeFolder('/home/me/Pictures2', roots)).toEqual({ kind: 'new' });
  });

  it('inside a library folder through a link (~/Pictures → /data/Pictures) counts as inside', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-place-'));
    try {
      fs.mkdirSync(path.join(tmp, 'data', 'Pictures', '2023'), { recursive: true });
      fs.symlinkSync(path.join(tmp, 'data', 'Pictures'), path.join(tmp, 'Pictures'));
      const linked = [{ id: 7, path: path.join(tmp, 'Pictures') }];
      expect(await placeFolder(path.join(tmp, 'data', 'Pictures', '2023'), linked)).toEqual({ kind: 'inside', root: linked[0] });
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('finds library folders nested in others (left by older versions)', () => {
    expect(nestedRoots([...roots, { id: 4, path: '/data/Photos' }])).toEqual([{ outer: { id: 4, path: '/data/Photos' }, inner: [roots[1], roots[2]] }]);
    expect(nestedRoots(roots)).toEqual([]);
  });
});

describe('planFolders', () => {
  let tmp: string;
  let writer: RootWriter & { absorbed: { path: string; ids: number[] }[] };
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shiguang-plan-'));
    for (const d of ['Pictures/2023', 'Pictures/2024', 'Other']) fs.mkdirSync(path.join(tmp, d), { recursive: true });
    const existing = [
      { id: 1, path: path.join(tmp, 'Pictures', '2023') },
      { id: 2, path: path.join(tmp, 'Pictures', '2024') },
      { id: 3, path: path.join(tmp, 'away'), offline: true }, // a library folder whose drive is unplugged
    ];
    const absorbed: { path: string; ids: number[] }[] = [];
    writer = { absorbed, roots: () => existing, absorb: async (p, ids) => (absorbed.push({ path: p, ids }), { photos: 0 }) };
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('the app refuses a folder inside a library folder, saying which', async () => {
    const err = await refusal(planFolders([path.join(tmp, 'Pictures', '2023', 'trip')], writer, { inside: 'refuse' }));
    expect(err).toMatchObject({ code: 'BAD_REQUEST', detail: { reason: 'folder-inside-library', root: path.join(tmp, 'Pictures', '2023') } });
  });

  it('`index` of such a folder re-checks its library folder, with a note', async () => {
    const plan = await planFolders([path.join(tmp, 'Pictures', '2023', 'trip')], writer, { inside: 'use-root' });
    expect(plan).toEqual({ roots: [path.join(tmp, 'Pictures', '2023')], notes: [expect.stringMatching(/already in the library: it is inside the library folder/)] });
  });

  it('a parent takes the library folders inside it over; a library folder that is away may be named again', async () => {
    const plan = await planFolders([path.join(tmp, 'Pictures'), path.join(tmp, 'away')], writer, { inside: 'refuse' });
    expect(plan.roots).toEqual([path.join(tmp, 'Pictures'), path.join(tmp, 'away')]);
    expect(plan.notes).toEqual([expect.stringMatching(/takes over the library folders .*2023, .*2024: their photos keep their vectors/)]);
    expect(writer.absorbed).toEqual([{ path: path.join(tmp, 'Pictures'), ids: [1, 2] }]);
  });

  it('nothing is written when any folder is refused', async () => {
    writer.absorbed.length = 0;
    const err = await refusal(planFolders([path.join(tmp, 'Pictures'), path.join(tmp, 'missing')], writer, { inside: 'refuse' }));
    expect(err.detail).toMatchObject({ reason: 'folder-missing' });
    expect(writer.absorbed).toEqual([]);
  });

  it('folders named together are placed against each other too (index /a /a/b adds /a once)', async () => {
    const plan = await planFolders([path.join(tmp, 'Other'), path.join(tmp, 'Other', 'x', '..')], writer, { inside: 'use-root' });
    expect(plan.roots).toEqual([path.join(tmp, 'Other')]);
    fs.mkdirSync(path.join(tmp, 'Other', 'trip'), { recursive: true });
    const nested = await planFolders([path.join(tmp, 'Other', 'trip'), path.join(tmp, 'Other')], writer, { inside: 'use-root' });
    expect(nested.roots).toEqual([path.join(tmp, 'Other')]);
  });

  it('a folder holding a library folder that is away is refused: taken over, its photos would look deleted', async () => {
    writer.absorbed.length = 0;
    const err = await refusal(planFolders([tmp], writer, { inside: 'use-root' }));
    expect(err).toMatchObject({ detail: { reason: 'folder-holds-offline', root: path.join(tmp, 'away') }, message: expect.stringMatching(/which is offline: connect it first/) });
    expect(writer.absorbed).toEqual([]);
  });
});
