/**
 * A file that could not be read at all (permission denied) is skipped with its reason, and tried
 * again on the next pass even though its size and mtime did not change — fixing permissions
 * (chmod, a drive remounted with the right owner) changes neither. A file skipped for its content
 * (it does not decode) waits for a change, as before. The hash reader is the seam: a test running
 * as root cannot take a file's read permission away.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Reconciliation } from '../../electron/engine/index/reconcile.ts';
import type { FoundFile } from '../../electron/engine/library/scanner.ts';
import { openLibrary, type Library } from '../../electron/engine/store/index.ts';

const ROOT = path.resolve('/photos');
let lib: Library;
let folderId: number;

beforeEach(() => {
  lib = openLibrary(':memory:');
  folderId = lib.folders.add(ROOT).id;
});
afterEach(() => lib.close());

const denied = (): Error => Object.assign(new Error(`EACCES: permission denied, open '${ROOT}/a.jpg'`), { code: 'EACCES' });

/** One pass over `found` with this hash reader; returns what observe() said and how often the file was read. */
async function pass(found: FoundFile, read: () => Promise<string>): Promise<{ outcome: string; reads: number }> {
  let reads = 0;
  const rec = new Reconciliation(
    lib,
    async () => {
      reads++;
      return read();
    },
    (err) => `unreadable: ${err instanceof Error ? err.message : String(err)}`,
  );
  const outcome = await rec.observe(found, folderId, lib.identity.knownAt(found.path));
  rec.settle([], false);
  return { outcome, reads };
}

describe('files that could not be read are tried again', () => {
  const a: FoundFile = { path: path.join(ROOT, 'a.jpg'), size: 1000, mtimeMs: 5000, fileId: '1:10' };

  it('permission denied, then fixed without touching size or mtime: read on the next pass', async () => {
    expect(await pass(a, () => Promise.reject(denied()))).toEqual({ outcome: 'skipped', reads: 1 });
    const skipped = lib.photos.getByPath(a.path)!;
    expect(skipped).toMatchObject({ status: 'skipped', hash: null, skipReason: expect.stringMatching(/^unreadable: EACCES/) });

    // Still denied: tried again, nothing rewritten.
    const marks = vi.spyOn(lib.photos, 'markSkipped');
    expect(await pass(a, () => Promise.reject(denied()))).toEqual({ outcome: 'skipped', reads: 1 });
    expect(marks).not.toHaveBeenCalled();

    // chmod: same size, same mtime, readable now.
    expect(await pass(a, async () => 'ab'.repeat(32))).toEqual({ outcome: 'candidate', reads: 1 });
    expect(lib.photos.getByPath(a.path)).toMatchObject({ id: skipped.id, status: 'pending', hash: 'ab'.repeat(32), skipReason: null });
  });

  it('a file skipped for its content (it was read, it does not decode) waits for a change', async () => {
    expect(await pass(a, async () => 'cd'.repeat(32))).toMatchObject({ outcome: 'candidate' });
    const row = lib.photos.getByPath(a.path)!;
    lib.photos.markSkipped(row.id, 'not-an-image: the file is not an image');
    expect(await pass(a, async () => 'cd'.repeat(32))).toEqual({ outcome: 'unchanged', reads: 0 });
    expect(await pass({ ...a, mtimeMs: 6000 }, async () => 'ef'.repeat(32))).toMatchObject({ outcome: 'candidate', reads: 1 });
  });
});
