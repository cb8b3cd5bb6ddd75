import type { Migration } from './migration.ts';

export const migration: Migration = {
  version: 2,
  name: 'model directories in the models table',
  up(sql) {
    // Where each model's files are, so a model switch can resume with the old model serving.
    // Was a `modelDir:<key>` entry in settings; a typed column is the one place for it now.
    sql.exec(`
      ALTER TABLE models ADD COLUMN dir TEXT;
      UPDATE models SET dir = (SELECT json_extract(s.value, '$') FROM settings s WHERE s.key = 'modelDir:' || models.model_key);
      DELETE FROM settings WHERE key LIKE 'modelDir:%';
    `);
  },
};
