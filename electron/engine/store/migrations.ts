/**
 * Numbered schema steps. Each runs in its own IMMEDIATE transaction together with the
 * `PRAGMA user_version` bump, so a failing step leaves the file exactly at the previous version.
 * Append only: never edit a released step. (Steps that must rebuild tables with foreign keys off
 * need special handling, since `PRAGMA foreign_keys` is a no-op inside a transaction.)
 *
 * Per-model vector tables are the one exception to "all DDL lives here": their dimension comes
 * from a model manifest known only at run time, so ModelRepository creates them (see vec-table.ts).
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { Database } from './database.ts';
import { DatabaseTooNewError } from './errors.ts';

export interface Migration {
  version: number;
  name: string;
  up(sql: BetterSqlite3.Database): void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
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
  },
  {
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
  },
  {
    version: 3,
    name: 'file identity on disk',
    up(sql) {
      // "dev:ino" of the file a photo was last seen as: tells two swapped files of equal size and
      // mtime apart (reconcile then checks the content hash). NULL until the next scan sees it.
      sql.exec(`ALTER TABLE photos ADD COLUMN file_id TEXT;`);
    },
  },
  {
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
  },
  {
    version: 5,
    name: 'text in photos (OCR)',
    up(sql) {
      sql.exec(`
        -- One row per photo the OCR pass has read (or failed to), so the pass resumes photo by
        -- photo. A photo is read again when the OCR model or the photo's content changes.
        CREATE TABLE ocr_state (
          photo_id INTEGER PRIMARY KEY REFERENCES photos(id) ON DELETE CASCADE,
          engine TEXT NOT NULL,
          -- photos.hash when read (the triggers below drop everything when it changes).
          photo_hash TEXT,
          status TEXT NOT NULL CHECK (status IN ('done', 'failed')),
          line_count INTEGER NOT NULL DEFAULT 0,
          error TEXT,
          read_at INTEGER NOT NULL
        ) STRICT;
        -- Progress counts read this index only (status polls), never the photos table row by row.
        CREATE INDEX ocr_state_engine ON ocr_state(engine, status, line_count);

        -- Recognised lines in reading order, as recognised (for display and copying).
        CREATE TABLE ocr_lines (
          photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
          line_no INTEGER NOT NULL,
          text TEXT NOT NULL,
          confidence REAL NOT NULL,
          -- [[x,y] x 4]: top-left, top-right, bottom-right, bottom-left, upright pixels of the original.
          box TEXT NOT NULL CHECK (json_valid(box)),
          PRIMARY KEY (photo_id, line_no)
        ) STRICT, WITHOUT ROWID;

        -- A photo's whole text in the search normal form (NFKC, lower case, no spaces,
        -- simplified), lines joined without a separator, so a query wrapped over two lines matches.
        CREATE TABLE ocr_text (
          photo_id INTEGER PRIMARY KEY REFERENCES photos(id) ON DELETE CASCADE,
          norm TEXT NOT NULL
        ) STRICT;

        -- Substring index for queries of 3+ characters (the trigram tokenizer matches any
        -- substring of that length), over ocr_text; kept in step by the triggers below.
        CREATE VIRTUAL TABLE ocr_fts USING fts5(norm, content='ocr_text', content_rowid='photo_id', tokenize='trigram', detail=full);
        -- Trigrams cannot match 2 characters: the photo's distinct bigrams (written by the
        -- repository, one hex token each) answer those, document-level only.
        CREATE VIRTUAL TABLE ocr_bigrams USING fts5(grams, content='', contentless_delete=1, detail=none, tokenize='unicode61');

        CREATE TRIGGER ocr_text_ai AFTER INSERT ON ocr_text BEGIN
          INSERT INTO ocr_fts(rowid, norm) VALUES (new.photo_id, new.norm);
        END;
        -- Also runs for the cascade when a photo is deleted.
        CREATE TRIGGER ocr_text_ad AFTER DELETE ON ocr_text BEGIN
          INSERT INTO ocr_fts(ocr_fts, rowid, norm) VALUES ('delete', old.photo_id, old.norm);
          DELETE FROM ocr_bigrams WHERE rowid = old.photo_id;
        END;
        CREATE TRIGGER ocr_text_au AFTER UPDATE ON ocr_text BEGIN
          INSERT INTO ocr_fts(ocr_fts, rowid, norm) VALUES ('delete', old.photo_id, old.norm);
          INSERT INTO ocr_fts(rowid, norm) VALUES (new.photo_id, new.norm);
        END;

        -- A photo's text is kept only while it is the text of the photo's current content: a
        -- changed file (its hash is cleared, then recomputed) or one that no longer decodes loses
        -- it, and the OCR pass reads the photo again once it is indexed.
        CREATE TRIGGER photos_ocr_content AFTER UPDATE OF hash ON photos WHEN old.hash IS NOT new.hash BEGIN
          DELETE FROM ocr_state WHERE photo_id = new.id;
          DELETE FROM ocr_lines WHERE photo_id = new.id;
          DELETE FROM ocr_text WHERE photo_id = new.id;
        END;
        CREATE TRIGGER photos_ocr_skipped AFTER UPDATE OF status ON photos WHEN new.status = 'skipped' BEGIN
          DELETE FROM ocr_state WHERE photo_id = new.id;
          DELETE FROM ocr_lines WHERE photo_id = new.id;
          DELETE FROM ocr_text WHERE photo_id = new.id;
        END;
      `);
    },
  },
  {
    version: 6,
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
  },
];

export function readUserVersion(sql: BetterSqlite3.Database): number {
  return sql.pragma('user_version', { simple: true }) as number;
}

export function latestVersion(migrations: readonly Migration[]): number {
  return migrations.length === 0 ? 0 : migrations[migrations.length - 1].version;
}

function validate(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration "${m.name}" has version ${m.version}, expected ${i + 1}`);
  });
}

/** Applies the steps newer than the file's user_version, one transaction each. */
export function runMigrations(db: Database, migrations: readonly Migration[] = MIGRATIONS): void {
  validate(migrations);
  const sql = db.sql;
  const supported = latestVersion(migrations);
  // Up to date (every open but the first after an update): no write lock is taken at all, so
  // opening a library that another process is writing to does not queue behind it.
  if (readUserVersion(sql) === supported) return;
  for (const m of migrations) {
    sql
      .transaction(() => {
        // Re-read inside the write lock: another process may have migrated meanwhile.
        const current = readUserVersion(sql);
        if (current > supported) throw new DatabaseTooNewError(current, supported);
        if (current >= m.version) return;
        m.up(sql);
        sql.pragma(`user_version = ${m.version}`);
      })
      .immediate();
  }
}
