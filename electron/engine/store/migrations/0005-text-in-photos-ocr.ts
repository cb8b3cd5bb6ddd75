import type { Migration } from './migration.ts';

export const migration: Migration = {
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
};
