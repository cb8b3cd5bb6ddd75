import type { Migration } from './migration.ts';

export const migration: Migration = {
  version: 4,
  name: 'vector change log',
  up(sql) {
    // Every change that a vector index must follow, in commit order, written in the same
    // transaction as the change itself: a vector written or deleted (model_id = its model), or a
    // photo row change that the vec0 triggers copy into every model's table (model_id NULL:
    // deleted, skipped, taken_at, folder_id). An index snapshot records the seq it reflects and
    // catches up from here; `epoch` tells a snapshot of another database apart, `pruned_through`
    // says how far the log was trimmed (a snapshot older than that must be rebuilt).
    sql.exec(`
      CREATE TABLE vector_log (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        model_id INTEGER,
        photo_id INTEGER NOT NULL
      ) STRICT;
      CREATE TABLE vector_log_state (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        epoch TEXT NOT NULL,
        pruned_through INTEGER NOT NULL DEFAULT 0
      ) STRICT;
      INSERT INTO vector_log_state (id, epoch) VALUES (1, lower(hex(randomblob(16))));
      CREATE TRIGGER vector_log_photo_deleted AFTER DELETE ON photos BEGIN
        INSERT INTO vector_log (model_id, photo_id) VALUES (NULL, OLD.id);
      END;
      CREATE TRIGGER vector_log_photo_skipped AFTER UPDATE OF status ON photos
        WHEN NEW.status = 'skipped' AND OLD.status IS NOT 'skipped' BEGIN
        INSERT INTO vector_log (model_id, photo_id) VALUES (NULL, NEW.id);
      END;
      CREATE TRIGGER vector_log_photo_taken_at AFTER UPDATE OF taken_at ON photos
        WHEN NEW.taken_at IS NOT OLD.taken_at BEGIN
        INSERT INTO vector_log (model_id, photo_id) VALUES (NULL, NEW.id);
      END;
      CREATE TRIGGER vector_log_photo_folder AFTER UPDATE OF folder_id ON photos
        WHEN NEW.folder_id IS NOT OLD.folder_id BEGIN
        INSERT INTO vector_log (model_id, photo_id) VALUES (NULL, NEW.id);
      END;
    `);
  },
};
