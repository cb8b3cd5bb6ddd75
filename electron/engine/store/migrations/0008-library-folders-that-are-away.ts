import type { Migration } from './migration.ts';

export const migration: Migration = {
  version: 8,
  name: 'library folders that are away (offline)',
  up(sql) {
    // A folder on a drive that is unplugged, a share not mounted yet, or one that cannot be read
    // is offline: its photos keep their rows, and nothing under it is deleted (see
    // library/root-availability.ts). `device` is the st.dev the folder was on when it was last
    // seen online: an empty mount point left by an unplugged drive lies on its parent's device.
    sql.exec(`
      ALTER TABLE folders ADD COLUMN device TEXT;
      ALTER TABLE folders ADD COLUMN offline_since INTEGER;
      ALTER TABLE folders ADD COLUMN offline_reason TEXT;
    `);
  },
};
