/**
 * No half-made library: a command that created a library file and then failed before any folder
 * or photo got into it (`index` of a folder that is not there, a model that would not load) takes
 * the file away again, so the next run starts as the first one did. A library with anything in it
 * is never touched.
 */
import fs from 'node:fs';
import { openDatabase } from './database.ts';

/** The library file exists (a command run on it is not its first). */
export function libraryExists(file: string): boolean {
  return fs.existsSync(file);
}

/** Removes `file` and its companions if it holds no folder and no photo; true if it did. */
export function discardEmptyLibrary(file: string): boolean {
  if (!fs.existsSync(file)) return false;
  try {
    const db = openDatabase(file);
    let empty: boolean;
    try {
      empty = (db.sql.prepare('SELECT (SELECT count(*) FROM folders) + (SELECT count(*) FROM photos)').pluck().get() as number) === 0;
    } finally {
      db.close();
    }
    if (!empty) return false;
  } catch {
    return false; // not a library we can read: not ours to remove
  }
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) fs.rmSync(f, { force: true });
  fs.rmSync(`${file}-search`, { recursive: true, force: true });
  return true;
}
