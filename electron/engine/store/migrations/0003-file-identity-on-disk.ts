import type { Migration } from './migration.ts';

export const migration: Migration = {
  version: 3,
  name: 'file identity on disk',
  up(sql) {
    // "dev:ino" of the file a photo was last seen as: tells two swapped files of equal size and
    // mtime apart (reconcile then checks the content hash). NULL until the next scan sees it.
    sql.exec(`ALTER TABLE photos ADD COLUMN file_id TEXT;`);
  },
};
