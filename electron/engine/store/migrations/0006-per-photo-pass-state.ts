import type { Migration } from './migration.ts';

export const migration: Migration = {
  version: 6,
  name: 'per-photo pass state',
  up(sql) {
    // What each registered per-photo pass (engine/passes/) has done for each photo, for passes
    // that keep no state of their own: a pass owes a photo until a row here carries the pass's
    // current version. Keyed by photo id, so a moved or renamed photo keeps its results (reconcile
    // keeps the row); a changed photo loses them (the trigger below), and so does one that no
    // longer decodes. Deleting a photo deletes its rows (cascade).
    sql.exec(`
      CREATE TABLE pass_state (
        pass TEXT NOT NULL,
        photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
        version TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('done', 'failed')),
        error TEXT,
        done_at INTEGER NOT NULL,
        PRIMARY KEY (pass, photo_id)
      ) STRICT, WITHOUT ROWID;
      -- Progress counts read this index only (status polls).
      CREATE INDEX pass_state_counts ON pass_state(pass, version, status);

      CREATE TRIGGER photos_pass_content AFTER UPDATE OF hash ON photos WHEN old.hash IS NOT new.hash BEGIN
        DELETE FROM pass_state WHERE photo_id = new.id;
      END;
      CREATE TRIGGER photos_pass_skipped AFTER UPDATE OF status ON photos WHEN new.status = 'skipped' BEGIN
        DELETE FROM pass_state WHERE photo_id = new.id;
      END;
    `);
  },
};
