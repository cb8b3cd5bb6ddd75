/**
 * Does the library equal the disk? Every photo file under the root must be a row that is indexed,
 * with a vector, whose stored hash is the file's current content hash; and there must be no other
 * row. Shared by the convergence test and the stress script.
 */
import path from 'node:path';
import type { Engine } from '../../electron/engine/engine.ts';
import { diskState } from '../fixtures/watch-churn.ts';

export function libraryDiff(engine: Engine, root: string): string[] {
  const disk = diskState(root);
  const lib = engine.lib;
  const folder = lib.folders.list().find((f) => f.path === path.resolve(root));
  if (!folder) return ['root is not a library folder'];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const entry of lib.photos.listPathsUnder(folder.id)) {
    const row = lib.photos.get(entry.id)!;
    seen.add(row.path);
    const hash = disk.get(row.path);
    if (hash === undefined) problems.push(`row without a file: ${row.path}`);
    else if (row.status !== 'indexed') problems.push(`${row.status}: ${row.path} ${row.skipReason ?? ''}`);
    else if (row.hash !== hash) problems.push(`stale content: ${row.path}`);
    else if (!engine.vectors.get(row.id)) problems.push(`no vector: ${row.path}`);
  }
  for (const p of disk.keys()) if (!seen.has(p)) problems.push(`file not in the library: ${p}`);
  return problems;
}

/** Poll until the library equals the disk (or the limit passes); how long it took. */
export async function waitUntilEqual(engine: Engine, root: string, limitMs: number): Promise<{ ms: number; diff: string[] }> {
  const t0 = Date.now();
  let diff = libraryDiff(engine, root);
  while (diff.length && Date.now() - t0 < limitMs) {
    await new Promise((r) => setTimeout(r, 100));
    diff = libraryDiff(engine, root);
  }
  return { ms: Date.now() - t0, diff };
}
