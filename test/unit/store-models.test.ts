import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModelDimensionMismatchError, openLibrary, type Library } from '../../electron/engine/store/index.ts';

let lib: Library;
beforeEach(() => {
  lib = openLibrary(':memory:');
});
afterEach(() => lib.close());

const schemaNames = (): string[] =>
  lib.db.sql.prepare(`SELECT name FROM sqlite_master WHERE name LIKE 'vec%' ORDER BY name`).pluck().all() as string[];

function photo(name: string): number {
  const folderId = lib.folders.add(path.resolve('/p')).id;
  return lib.photos.upsertDiscovered({ path: path.resolve('/p', name), folderId, size: 1, mtimeMs: 1 }).row.id;
}

describe('models', () => {
  it('the first model is active, a second one builds beside it', () => {
    const a = lib.models.ensure('model-a', 2);
    expect(a).toMatchObject({ modelKey: 'model-a', dim: 2, state: 'active', vecTable: `vec_${a.id}` });
    expect(lib.models.ensure('model-a', 2)).toEqual(a);
    const b = lib.models.ensure('model-b', 3);
    expect(b.state).toBe('building');
    expect(lib.models.active()?.modelKey).toBe('model-a');
    expect(lib.models.list().map((m) => m.modelKey)).toEqual(['model-a', 'model-b']);
    expect(schemaNames()).toEqual(expect.arrayContaining([a.vecTable, b.vecTable]));
    expect(() => lib.models.ensure('model-a', 5)).toThrow(ModelDimensionMismatchError);
  });

  it('activate swaps atomically and drops the old table, its triggers and its tag vectors', () => {
    const a = lib.models.ensure('model-a', 2);
    const b = lib.models.ensure('model-b', 3);
    const p = photo('1.jpg');
    lib.vectors(a).upsert(p, Float32Array.from([1, 0]));
    lib.vectors(b).upsert(p, Float32Array.from([0, 1, 0]));
    const tag = lib.tags.upsertTag({ name: '山' });
    lib.tags.setTagVector('model-a', tag, 'fp', Float32Array.from([1, 0]));
    lib.tags.setTagVector('model-b', tag, 'fp', Float32Array.from([1, 0, 0]));

    expect(lib.models.activate('model-b')).toMatchObject({ modelKey: 'model-b', state: 'active' });
    expect(lib.models.get('model-a')?.state).toBe('retired');
    expect(lib.models.active()?.id).toBe(b.id);
    expect(schemaNames().filter((n) => n.startsWith(a.vecTable + '_') || n === a.vecTable)).toEqual([]);
    expect(lib.vectors(b).get(p)).toEqual(Float32Array.from([0, 1, 0]));
    expect(lib.tags.getTagVector('model-a', tag, 'fp')).toBeUndefined();
    expect(lib.tags.getTagVector('model-b', tag, 'fp')).toEqual(Float32Array.from([1, 0, 0]));
    // No trigger still points at the dropped table.
    expect(lib.photos.delete(p)).toBe(true);
    expect(lib.vectors(b).count()).toBe(0);
    expect(() => lib.photos.missingVectors(a.id, 1)).toThrow(/no live model/);
    expect(() => lib.vectors(lib.models.get('model-a')!)).toThrow(/retired/);
  });

  it('a failed activation changes nothing', () => {
    lib.models.ensure('model-a', 2);
    expect(() => lib.models.activate('nope')).toThrow(/unknown model/);
    expect(lib.models.active()?.modelKey).toBe('model-a');
    expect(lib.models.activate('model-a').state).toBe('active');
  });

  it('a retired model can come back, even with another size', () => {
    const a = lib.models.ensure('model-a', 2);
    lib.models.ensure('model-b', 3);
    lib.models.activate('model-b');
    const again = lib.models.ensure('model-a', 4);
    expect(again).toMatchObject({ id: a.id, dim: 4, state: 'building' });
    const p = photo('1.jpg');
    lib.vectors(again).upsert(p, Float32Array.from([1, 2, 3, 4]));
    expect(lib.vectors(again).count()).toBe(1);
  });

  it('retire abandons a building model but refuses the active one', () => {
    lib.models.ensure('model-a', 2);
    const b = lib.models.ensure('model-b', 3);
    lib.models.retire('model-b');
    expect(lib.models.get('model-b')?.state).toBe('retired');
    expect(schemaNames()).not.toContain(b.vecTable);
    expect(() => lib.models.retire('model-a')).toThrow(/active/);
    expect(() => lib.models.activate('model-b')).toThrow(/retired/);
  });
});
