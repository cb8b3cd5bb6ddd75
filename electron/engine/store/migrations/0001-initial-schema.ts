import type { Migration } from './migration.ts';

export const migration: Migration = {
  version: 1,
  name: 'initial schema',
  up(sql) {
    sql.exec(`
      -- Watched roots.
      CREATE TABLE folders (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        added_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE photos (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        folder_id INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
        -- Parent directory, platform form, always ending in a separator: folder filters are
        -- index range scans on it (see paths.ts).
        dir TEXT NOT NULL,
        size INTEGER NOT NULL,
        mtime_ms INTEGER NOT NULL,
        hash TEXT,
        status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'indexed', 'skipped')),
        skip_reason TEXT,
        width INTEGER,
        height INTEGER,
        -- Unix ms: EXIF date taken, else file mtime; taken_at_source says which.
        taken_at INTEGER,
        taken_at_source TEXT CHECK (taken_at_source IN ('exif', 'mtime')),
        camera_make TEXT,
        camera_model TEXT,
        gps_lat REAL,
        gps_lon REAL,
        indexed_at INTEGER,
        updated_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX photos_hash ON photos(hash) WHERE hash IS NOT NULL;
      CREATE INDEX photos_status ON photos(status, id);
      CREATE INDEX photos_folder ON photos(folder_id);
      CREATE INDEX photos_dir ON photos(dir);
      CREATE INDEX photos_taken_at ON photos(taken_at);

      -- One row per embedding model ever used; each owns a vec0 table named vec_<id>.
      CREATE TABLE models (
        id INTEGER PRIMARY KEY,
        model_key TEXT NOT NULL UNIQUE,
        dim INTEGER NOT NULL CHECK (dim > 0),
        state TEXT NOT NULL CHECK (state IN ('active', 'building', 'retired')),
        vec_table TEXT NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT;
      -- At most one model serves queries.
      CREATE UNIQUE INDEX models_one_active ON models(state) WHERE state = 'active';

      CREATE TABLE tags (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        name_en TEXT,
        family TEXT,
        synonyms TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(synonyms)),
        custom INTEGER NOT NULL DEFAULT 0 CHECK (custom IN (0, 1)),
        created_at INTEGER NOT NULL
      ) STRICT;

      -- Text embeddings of a tag's prompts, cached per model; fingerprint = hash(prompts + model).
      CREATE TABLE tag_vectors (
        model_key TEXT NOT NULL,
        tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
        fingerprint TEXT NOT NULL,
        vector BLOB NOT NULL,
        PRIMARY KEY (model_key, tag_id)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE photo_tags (
        photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
        tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
        score REAL NOT NULL,
        PRIMARY KEY (photo_id, tag_id)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX photo_tags_tag ON photo_tags(tag_id, score DESC);

      -- JSON values.
      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL CHECK (json_valid(value))
      ) STRICT, WITHOUT ROWID;
    `);
  },
};
